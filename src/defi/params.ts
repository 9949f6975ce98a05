// Every parameter of the DeFi genesis, in one place: tokens, amounts, Uniswap pairs and their
// seeded liquidity, Aave V3 risk parameters and interest-rate curves, governance timings, the
// oracle's averaging window and the faucet. Amounts are in whole tokens unless a name says wei
// or units; rates and ratios are in basis points (BPS) or ray (1e27) where Aave wants those.
import { keccak256, toHex } from 'viem';
import type { Hex } from '../chain/types.js';

/** The genesis deployer: an address derived from a label, so nobody holds its key; it keeps no role. */
export const GENESIS_DEPLOYER: Hex = `0x${keccak256(toHex('synod/defi/genesis-deployer/v1')).slice(-40)}`;

/**
 * Uniswap V2's factory at its Ethereum address: @uniswap/v2-sdk derives pair addresses from that
 * address for any chain it has no entry for (Synod's included), so the SDK works unchanged.
 */
export const UNISWAP_V2_FACTORY_ADDRESS: Hex = '0x5c69bee701ef814a2b6a3edd4b1652cb9cc5aa6f';
/** keccak256 of UniswapV2Pair's creation code, as Uniswap publishes it (and hard-codes in Router02). */
export const UNISWAP_V2_INIT_CODE_HASH: Hex = '0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f';

export type TokenSymbol = 'USDC' | 'DAI' | 'SYN';
export type AssetSymbol = TokenSymbol | 'WETH';

export interface TokenSpec {
  readonly symbol: TokenSymbol;
  readonly name: string;
  readonly decimals: number;
  /** Each genesis account (on a devnet, each of the 20 development accounts) receives this much. */
  readonly perAccount: bigint;
  /** The faucet's reserve, and what one claim hands out. */
  readonly faucetReserve: bigint;
  readonly faucetDrip: bigint;
}

export const TOKENS: readonly TokenSpec[] = [
  { symbol: 'USDC', name: 'USD Coin (Synod)', decimals: 6, perAccount: 1_000_000n, faucetReserve: 10_000_000n, faucetDrip: 10_000n },
  { symbol: 'DAI', name: 'Dai Stablecoin (Synod)', decimals: 18, perAccount: 1_000_000n, faucetReserve: 10_000_000n, faucetDrip: 10_000n },
  { symbol: 'SYN', name: 'Synod Governance', decimals: 18, perAccount: 200_000n, faucetReserve: 500_000n, faucetDrip: 1_000n },
];
/** WETH given to each genesis account (wrapped from ether the deployer is minted for it) and held by the faucet. */
/** SYN held by the timelock: the treasury that governance spends. */
export const SYN_TREASURY = 5_000_000n;
export const WETH_PER_ACCOUNT = 100n;
export const WETH_FAUCET_RESERVE = 1_000n;
export const WETH_FAUCET_DRIP = 1n;
/** A faucet claim per address at most once per this many seconds. */
export const FAUCET_COOLDOWN_SECONDS = 60n;

/** Prices at genesis in USD (the unit of account is USDC; see docs/decisions/0017). */
export const GENESIS_PRICE_USD: Readonly<Record<AssetSymbol, number>> = { WETH: 2000, USDC: 1, DAI: 1, SYN: 2 };

/** Uniswap V2 pairs seeded at genesis: amount of each side (whole tokens), at the genesis prices. */
export const PAIRS: readonly { readonly a: AssetSymbol; readonly b: AssetSymbol; readonly amountA: bigint; readonly amountB: bigint }[] = [
  { a: 'WETH', b: 'USDC', amountA: 2_000n, amountB: 4_000_000n },
  { a: 'DAI', b: 'USDC', amountA: 4_000_000n, amountB: 4_000_000n },
  { a: 'SYN', b: 'USDC', amountA: 1_000_000n, amountB: 2_000_000n },
  { a: 'WETH', b: 'DAI', amountA: 1_000n, amountB: 2_000_000n },
];

/** The oracle's averaging window on a devnet (a real network: 1800 s or more; see docs/decisions/0017). */
export const TWAP_WINDOW_SECONDS = 10;

export interface ReserveSpec {
  readonly symbol: AssetSymbol;
  /** Loan to value, liquidation threshold, liquidation bonus (10_000 = 100%; a bonus of 10_500 pays 5%). */
  readonly ltvBps: number;
  readonly liquidationThresholdBps: number;
  readonly liquidationBonusBps: number;
  readonly reserveFactorBps: number;
  readonly borrowing: boolean;
  /** Whole tokens; 0 = no cap. */
  readonly supplyCap: bigint;
  readonly borrowCap: bigint;
  /** Interest-rate curve: optimal usage, base rate, slope below and above optimal (BPS). */
  readonly optimalUsageBps: number;
  readonly baseRateBps: number;
  readonly slope1Bps: number;
  readonly slope2Bps: number;
  /** Supplied at genesis on the timelock's behalf, so the market has liquidity from block 1. */
  readonly seed: bigint;
}

/** Risk parameters after Aave V3's Ethereum market (WETH, USDC, DAI); SYN is collateral only. */
export const RESERVES: readonly ReserveSpec[] = [
  { symbol: 'WETH', ltvBps: 8_000, liquidationThresholdBps: 8_250, liquidationBonusBps: 10_500, reserveFactorBps: 1_500, borrowing: true, supplyCap: 0n, borrowCap: 0n, optimalUsageBps: 8_000, baseRateBps: 0, slope1Bps: 380, slope2Bps: 8_000, seed: 1_000n },
  { symbol: 'USDC', ltvBps: 7_700, liquidationThresholdBps: 8_000, liquidationBonusBps: 10_450, reserveFactorBps: 1_000, borrowing: true, supplyCap: 0n, borrowCap: 0n, optimalUsageBps: 9_000, baseRateBps: 0, slope1Bps: 400, slope2Bps: 6_000, seed: 2_000_000n },
  { symbol: 'DAI', ltvBps: 7_500, liquidationThresholdBps: 8_000, liquidationBonusBps: 10_500, reserveFactorBps: 1_000, borrowing: true, supplyCap: 0n, borrowCap: 0n, optimalUsageBps: 9_000, baseRateBps: 0, slope1Bps: 400, slope2Bps: 7_500, seed: 2_000_000n },
  { symbol: 'SYN', ltvBps: 5_000, liquidationThresholdBps: 6_500, liquidationBonusBps: 11_000, reserveFactorBps: 2_000, borrowing: false, supplyCap: 2_000_000n, borrowCap: 0n, optimalUsageBps: 4_500, baseRateBps: 0, slope1Bps: 700, slope2Bps: 30_000, seed: 0n },
];
export const AAVE_MARKET_ID = 'Synod Genesis Market';
/** Aave's price unit: the base currency (USDC) is worth exactly this (8 decimals, as Chainlink's USD feeds). */
export const AAVE_BASE_CURRENCY_UNIT = 100_000_000n;
/** Flash-loan premium (BPS of the amount), as on Aave V3's Ethereum market. */
export const AAVE_FLASHLOAN_PREMIUM_TOTAL_BPS = 5n;

/**
 * Governance timings in seconds (the token's clock is the timestamp: see GovernanceToken.sol). Chosen so
 * that delegate → propose → vote → queue → execute runs in under a minute on a devnet. A real network
 * should use days: voting delay 1 day, voting period 5-7 days, timelock 2 days (see docs/decisions/0018).
 */
export const GOVERNANCE_VOTING_DELAY_SECONDS = 1;
export const GOVERNANCE_VOTING_PERIOD_SECONDS = 15;
export const GOVERNANCE_TIMELOCK_DELAY_SECONDS = 10n;
/** Votes needed to propose (whole SYN) and the quorum (percent of the supply at the proposal's snapshot). */
export const GOVERNANCE_PROPOSAL_THRESHOLD = 1_000n;
export const GOVERNANCE_QUORUM_PERCENT = 4n;

/** Whole-token amount → smallest units. */
export function units(amount: bigint, decimals: number): bigint {
  return amount * 10n ** BigInt(decimals);
}

// Relations the genesis relies on, checked when this module loads.
for (const r of RESERVES) {
  if (!(r.ltvBps <= r.liquidationThresholdBps && r.liquidationThresholdBps * r.liquidationBonusBps <= 10_000 * 10_000)) {
    throw new Error(`params: reserve ${r.symbol} needs ltv <= threshold and threshold * bonus <= 100% (or a liquidation could leave the pool short)`);
  }
}
if (!(GOVERNANCE_VOTING_DELAY_SECONDS + GOVERNANCE_VOTING_PERIOD_SECONDS + Number(GOVERNANCE_TIMELOCK_DELAY_SECONDS) < 60)) {
  throw new Error('params: a devnet governance round must fit in a minute');
}
