// The genesis deployer's transactions, in order: tokens and WETH, governance (timelock and
// governor), Uniswap V2 with seeded pairs, TWAP price feeds, the Aave V3 market with listed and
// seeded reserves, the faucet, the genesis accounts' balances, Safe 1.5.0, and last the handover
// of every admin role to the timelock. Runs in the genesis machine; returns alloc and directory.
import { createRequire } from 'node:module';
import { encodeDeployData, encodeFunctionData, decodeFunctionResult, getContractAddress, keccak256, toHex, concat, zeroAddress, type Abi } from 'viem';
import type { Hex } from '../chain/types.js';
import type { GenesisAccount } from '../execution/genesis.js';
import { aaveArtifact, link, openZeppelinArtifact, safeArtifact, synodArtifact, uniswapArtifact, type Artifact } from './artifacts.js';
import type { DefiDirectory } from './directory.js';
import { GenesisDeployError, GenesisMachine } from './machine.js';
import * as P from './params.js';

const require = createRequire(import.meta.url);
const ZERO_SALT: Hex = `0x${'00'.repeat(32)}`;
const DEFAULT_ADMIN_ROLE: Hex = ZERO_SALT;
const role = (name: string): Hex => keccak256(toHex(name));
const RAY = 10n ** 27n;
const bpsToRay = (bps: number): bigint => (BigInt(bps) * RAY) / 10_000n;

export interface DefiGenesisOptions {
  readonly chainId: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  /** The genesis's alloc before DeFi (funded accounts, predeploys); kept as it is. */
  readonly alloc: Record<Hex, GenesisAccount>;
  /** Accounts that receive the genesis tokens. */
  readonly holders: readonly Hex[];
}

export interface DefiGenesis {
  readonly alloc: Record<Hex, GenesisAccount>;
  readonly directory: DefiDirectory;
}

/** The deployer's side of the machine: ABI-encoded deployments, calls and reads. */
class Deployer {
  constructor(
    readonly machine: GenesisMachine,
    readonly from: Hex,
  ) {}

  async deploy(artifact: Artifact, args: readonly unknown[], what: string, libraries: Record<string, Hex> = {}): Promise<Hex> {
    const bytecode = link(artifact.bytecode, artifact.linkReferences, libraries, what);
    const data = encodeDeployData({ abi: artifact.abi, bytecode, args } as never);
    const { created } = await this.machine.send(this.from, undefined, data, `deploy ${what}`, { abi: artifact.abi });
    if (created === undefined) throw new GenesisDeployError(`deploy ${what}: no address created`);
    return created;
  }

  async call(to: Hex, abi: Abi, functionName: string, args: readonly unknown[], what: string, value?: bigint): Promise<Hex> {
    const data = encodeFunctionData({ abi, functionName, args } as never);
    return (await this.machine.send(this.from, to, data, what, { abi, ...(value !== undefined ? { value } : {}) })).returned;
  }

  async read<T>(to: Hex, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
    const data = encodeFunctionData({ abi, functionName, args } as never);
    return decodeFunctionResult({ abi, functionName, data: await this.machine.read(to, data, `${functionName} on ${to}`) } as never) as T;
  }
}

const ERC20 = openZeppelinArtifact('ERC20').abi;

interface SafeFactoryDeployment {
  readonly signerAddress: Hex;
  readonly transaction: Hex;
  readonly address: Hex;
  readonly gasPrice: number;
  readonly gasLimit: number;
}

/** Safe's presigned deployment of its singleton factory for `chainId`, if the package has one. */
function safeSingletonFactoryFor(chainId: bigint): SafeFactoryDeployment | undefined {
  const { getSingletonFactoryInfo } = require('@safe-global/safe-singleton-factory') as { getSingletonFactoryInfo(chainId: number): SafeFactoryDeployment | undefined };
  return getSingletonFactoryInfo(Number(chainId));
}

/** Ether the deployer needs: all the WETH it wraps (pairs, Aave seed, holders, faucet). */
function wethNeeded(holders: number): bigint {
  const pairs = P.PAIRS.reduce((sum, p) => sum + (p.a === 'WETH' ? p.amountA : 0n) + (p.b === 'WETH' ? p.amountB : 0n), 0n);
  const seed = P.RESERVES.find((r) => r.symbol === 'WETH')!.seed;
  return P.units(pairs + seed + P.WETH_PER_ACCOUNT * BigInt(holders) + P.WETH_FAUCET_RESERVE, 18);
}

/** Whole tokens of `symbol` the genesis hands out: holders, faucet, pairs, Aave seed, and (SYN) the treasury. */
function tokenSupply(spec: P.TokenSpec, holders: number): bigint {
  const pairs = P.PAIRS.reduce((sum, p) => sum + (p.a === spec.symbol ? p.amountA : 0n) + (p.b === spec.symbol ? p.amountB : 0n), 0n);
  const seed = P.RESERVES.find((r) => r.symbol === spec.symbol)?.seed ?? 0n;
  return spec.perAccount * BigInt(holders) + spec.faucetReserve + pairs + seed + (spec.symbol === 'SYN' ? P.SYN_TREASURY : 0n);
}

export async function buildDefiGenesis(options: DefiGenesisOptions): Promise<DefiGenesis> {
  const deployerAlloc = { [P.GENESIS_DEPLOYER]: { balance: wethNeeded(options.holders.length) } };
  if (options.alloc[P.GENESIS_DEPLOYER] !== undefined) throw new GenesisDeployError(`the genesis alloc already holds the deployer ${P.GENESIS_DEPLOYER}`);
  const machine = await GenesisMachine.create({ chainId: options.chainId, timestamp: options.timestamp, gasLimit: options.gasLimit, alloc: { ...options.alloc, ...deployerAlloc } });
  const d = new Deployer(machine, P.GENESIS_DEPLOYER);
  const deadline = options.timestamp + 1n;

  // Tokens: fixed supplies minted to the deployer, then handed out below.
  const tokens: Record<string, Hex> = {};
  const decimals: Record<string, number> = { WETH: 18 };
  for (const spec of P.TOKENS) {
    const supply = P.units(tokenSupply(spec, options.holders.length), spec.decimals);
    tokens[spec.symbol] =
      spec.symbol === 'SYN'
        ? await d.deploy(synodArtifact('GovernanceToken'), [spec.name, spec.symbol, P.GENESIS_DEPLOYER, supply], spec.symbol)
        : await d.deploy(synodArtifact('DevToken'), [spec.name, spec.symbol, spec.decimals, P.GENESIS_DEPLOYER, supply], spec.symbol);
    decimals[spec.symbol] = spec.decimals;
  }
  const weth9 = uniswapArtifact('@uniswap/v2-periphery', 'WETH9');
  const weth = await d.deploy(weth9, [], 'WETH9');
  tokens.WETH = weth;
  await d.call(weth, weth9.abi, 'deposit', [], 'wrap ether', wethNeeded(options.holders.length));
  const amount = (symbol: string, whole: bigint) => P.units(whole, decimals[symbol]!);

  // Governance: the timelock executes what the governor's votes decide; its admin role is its own.
  const timelockArtifact = openZeppelinArtifact('TimelockController');
  const timelock = await d.deploy(timelockArtifact, [P.GOVERNANCE_TIMELOCK_DELAY_SECONDS, [], [zeroAddress], P.GENESIS_DEPLOYER], 'TimelockController');
  const governor = await d.deploy(
    synodArtifact('SynodGovernor'),
    [tokens.SYN, timelock, P.GOVERNANCE_VOTING_DELAY_SECONDS, P.GOVERNANCE_VOTING_PERIOD_SECONDS, amount('SYN', P.GOVERNANCE_PROPOSAL_THRESHOLD), P.GOVERNANCE_QUORUM_PERCENT],
    'SynodGovernor',
  );
  await d.call(timelock, timelockArtifact.abi, 'grantRole', [role('PROPOSER_ROLE'), governor], 'timelock: governor proposes');
  await d.call(timelock, timelockArtifact.abi, 'grantRole', [role('CANCELLER_ROLE'), governor], 'timelock: governor cancels');

  // Uniswap V2: the factory (fee switch owned by the timelock), Router02, seeded pairs (LP tokens to the timelock).
  const factoryArtifact = uniswapArtifact('@uniswap/v2-core', 'UniswapV2Factory');
  const pairArtifact = uniswapArtifact('@uniswap/v2-core', 'UniswapV2Pair');
  if (keccak256(pairArtifact.bytecode) !== P.UNISWAP_V2_INIT_CODE_HASH) {
    throw new GenesisDeployError(`UniswapV2Pair's creation code hashes to ${keccak256(pairArtifact.bytecode)}, not Uniswap's published ${P.UNISWAP_V2_INIT_CODE_HASH}`);
  }
  const factory = P.UNISWAP_V2_FACTORY_ADDRESS;
  await machine.createAt(factory, encodeDeployData({ abi: factoryArtifact.abi, bytecode: factoryArtifact.bytecode, args: [timelock] } as never), P.GENESIS_DEPLOYER, 'UniswapV2Factory');
  const routerArtifact = uniswapArtifact('@uniswap/v2-periphery', 'UniswapV2Router02');
  const router = await d.deploy(routerArtifact, [factory, weth], 'UniswapV2Router02');
  const pairs: Record<string, Hex> = {};
  for (const p of P.PAIRS) {
    const [a, b] = [tokens[p.a]!, tokens[p.b]!];
    const [amountA, amountB] = [amount(p.a, p.amountA), amount(p.b, p.amountB)];
    await d.call(a, ERC20, 'approve', [router, amountA], `approve ${p.a}`);
    await d.call(b, ERC20, 'approve', [router, amountB], `approve ${p.b}`);
    await d.call(router, routerArtifact.abi, 'addLiquidity', [a, b, amountA, amountB, amountA, amountB, timelock, deadline], `seed ${p.a}/${p.b}`);
    const pair = (await d.read<Hex>(factory, factoryArtifact.abi, 'getPair', [a, b])).toLowerCase() as Hex;
    const [t0, t1] = a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
    const expected = getContractAddress({ opcode: 'CREATE2', from: factory, salt: keccak256(concat([t0, t1])), bytecodeHash: P.UNISWAP_V2_INIT_CODE_HASH }).toLowerCase();
    if (pair !== expected) throw new GenesisDeployError(`pair ${p.a}/${p.b} is at ${pair}, not at ${expected} where the init-code hash puts it`);
    pairs[`${p.a}/${p.b}`] = pair;
  }

  // Price feeds: each asset's TWAP against USDC, the unit of account.
  const aggregator = synodArtifact('UniswapV2TwapAggregator');
  const priceFeeds: Record<string, Hex> = {};
  for (const symbol of ['WETH', 'DAI', 'SYN'] as const) {
    const pair = pairs[`${symbol}/USDC`];
    if (pair === undefined) throw new GenesisDeployError(`no ${symbol}/USDC pair to price ${symbol} from`);
    priceFeeds[symbol] = await d.deploy(aggregator, [pair, tokens[symbol], P.TWAP_WINDOW_SECONDS, `${symbol} / USD (Uniswap V2 TWAP)`], `${symbol} price feed`);
  }

  const aave = await deployAave(d, { tokens, decimals, priceFeeds, timelock });

  // Faucet and the genesis accounts' balances; SYN's treasury to the timelock.
  const faucetTokens = [...P.TOKENS.map((t) => ({ symbol: t.symbol, reserve: t.faucetReserve, drip: t.faucetDrip })), { symbol: 'WETH', reserve: P.WETH_FAUCET_RESERVE, drip: P.WETH_FAUCET_DRIP }];
  const faucet = await d.deploy(
    synodArtifact('TokenFaucet'),
    [faucetTokens.map((t) => tokens[t.symbol]), faucetTokens.map((t) => amount(t.symbol, t.drip)), P.FAUCET_COOLDOWN_SECONDS],
    'TokenFaucet',
  );
  for (const t of faucetTokens) await d.call(tokens[t.symbol]!, ERC20, 'transfer', [faucet, amount(t.symbol, t.reserve)], `fund faucet with ${t.symbol}`);
  for (const holder of options.holders) {
    for (const spec of P.TOKENS) await d.call(tokens[spec.symbol]!, ERC20, 'transfer', [holder, amount(spec.symbol, spec.perAccount)], `${spec.symbol} to ${holder}`);
    await d.call(weth, ERC20, 'transfer', [holder, amount('WETH', P.WETH_PER_ACCOUNT)], `WETH to ${holder}`);
  }
  await d.call(tokens.SYN!, ERC20, 'transfer', [timelock, amount('SYN', P.SYN_TREASURY)], 'SYN treasury');

  const safe = await deploySafe(d, options.chainId);

  // Handover: the deployer keeps nothing, no role and no token.
  await d.call(timelock, timelockArtifact.abi, 'renounceRole', [DEFAULT_ADMIN_ROLE, P.GENESIS_DEPLOYER], 'timelock: deployer renounces admin');
  for (const [symbol, token] of Object.entries(tokens)) {
    const left = await d.read<bigint>(token, ERC20, 'balanceOf', [P.GENESIS_DEPLOYER]);
    if (left !== 0n) throw new GenesisDeployError(`the deployer still holds ${left} units of ${symbol}`);
  }
  if (await d.read<boolean>(timelock, timelockArtifact.abi, 'hasRole', [DEFAULT_ADMIN_ROLE, P.GENESIS_DEPLOYER])) throw new GenesisDeployError('the deployer is still the timelock admin');

  return {
    alloc: await machine.alloc(),
    directory: { factory, router, weth, pairs, ...aave, priceFeeds, ...safe, governor, timelock, tokens, faucet },
  };
}

interface AaveAddresses {
  readonly lendingPool: Hex;
  readonly poolAddressesProvider: Hex;
  readonly oracle: Hex;
  readonly poolConfigurator: Hex;
  readonly aclManager: Hex;
  readonly poolDataProvider: Hex;
}

/** Aave V3 as its own deployment scripts do it, then reserves listed and seeded, then roles to the timelock. */
async function deployAave(
  d: Deployer,
  ctx: { tokens: Record<string, Hex>; decimals: Record<string, number>; priceFeeds: Record<string, Hex>; timelock: Hex },
): Promise<AaveAddresses> {
  const me = d.from;
  const providerArtifact = aaveArtifact('protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider');
  const aclArtifact = aaveArtifact('protocol/configuration/ACLManager.sol/ACLManager');
  const provider = await d.deploy(providerArtifact, [P.AAVE_MARKET_ID, me], 'PoolAddressesProvider');
  await d.call(provider, providerArtifact.abi, 'setACLAdmin', [me], 'provider: ACL admin');
  const acl = await d.deploy(aclArtifact, [provider], 'ACLManager');
  await d.call(provider, providerArtifact.abi, 'setACLManager', [acl], 'provider: ACL manager');
  await d.call(acl, aclArtifact.abi, 'addPoolAdmin', [me], 'ACL: deployer lists reserves');

  const libraries: Record<string, Hex> = {};
  for (const name of ['BorrowLogic', 'BridgeLogic', 'EModeLogic', 'FlashLoanLogic', 'LiquidationLogic', 'PoolLogic', 'SupplyLogic', 'ConfiguratorLogic']) {
    libraries[name] = await d.deploy(aaveArtifact(`protocol/libraries/logic/${name}.sol/${name}`), [], name, libraries);
  }
  const poolArtifact = aaveArtifact('protocol/pool/Pool.sol/Pool');
  const poolImpl = await d.deploy(poolArtifact, [provider], 'Pool implementation', libraries);
  await d.call(poolImpl, poolArtifact.abi, 'initialize', [provider], 'Pool implementation: initialize');
  await d.call(provider, providerArtifact.abi, 'setPoolImpl', [poolImpl], 'provider: Pool proxy');
  const pool = (await d.read<Hex>(provider, providerArtifact.abi, 'getPool')).toLowerCase() as Hex;
  const configuratorArtifact = aaveArtifact('protocol/pool/PoolConfigurator.sol/PoolConfigurator');
  const configuratorImpl = await d.deploy(configuratorArtifact, [], 'PoolConfigurator implementation', libraries);
  await d.call(configuratorImpl, configuratorArtifact.abi, 'initialize', [provider], 'PoolConfigurator implementation: initialize');
  await d.call(provider, providerArtifact.abi, 'setPoolConfiguratorImpl', [configuratorImpl], 'provider: PoolConfigurator proxy');
  const configurator = (await d.read<Hex>(provider, providerArtifact.abi, 'getPoolConfigurator')).toLowerCase() as Hex;
  const dataProvider = await d.deploy(aaveArtifact('misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider'), [provider], 'AaveProtocolDataProvider');
  await d.call(provider, providerArtifact.abi, 'setPoolDataProvider', [dataProvider], 'provider: data provider');
  const fed = Object.keys(ctx.priceFeeds);
  const oracle = await d.deploy(
    aaveArtifact('misc/AaveOracle.sol/AaveOracle'),
    [provider, fed.map((s) => ctx.tokens[s]), fed.map((s) => ctx.priceFeeds[s]), zeroAddress, ctx.tokens.USDC, P.AAVE_BASE_CURRENCY_UNIT],
    'AaveOracle',
  );
  await d.call(provider, providerArtifact.abi, 'setPriceOracle', [oracle], 'provider: price oracle');

  const aTokenArtifact = aaveArtifact('protocol/tokenization/AToken.sol/AToken');
  const stableArtifact = aaveArtifact('protocol/tokenization/StableDebtToken.sol/StableDebtToken');
  const variableArtifact = aaveArtifact('protocol/tokenization/VariableDebtToken.sol/VariableDebtToken');
  const aTokenImpl = await d.deploy(aTokenArtifact, [pool], 'AToken implementation');
  await d.call(aTokenImpl, aTokenArtifact.abi, 'initialize', [pool, zeroAddress, zeroAddress, zeroAddress, 0, 'ATOKEN_IMPL', 'ATOKEN_IMPL', '0x'], 'AToken implementation: initialize');
  const stableImpl = await d.deploy(stableArtifact, [pool], 'StableDebtToken implementation');
  await d.call(stableImpl, stableArtifact.abi, 'initialize', [pool, zeroAddress, zeroAddress, 0, 'STABLE_DEBT_TOKEN_IMPL', 'STABLE_DEBT_TOKEN_IMPL', '0x'], 'StableDebtToken implementation: initialize');
  const variableImpl = await d.deploy(variableArtifact, [pool], 'VariableDebtToken implementation');
  await d.call(variableImpl, variableArtifact.abi, 'initialize', [pool, zeroAddress, zeroAddress, 0, 'VARIABLE_DEBT_TOKEN_IMPL', 'VARIABLE_DEBT_TOKEN_IMPL', '0x'], 'VariableDebtToken implementation: initialize');

  const strategyArtifact = aaveArtifact('protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy');
  const inputs = [];
  for (const r of P.RESERVES) {
    // Stable-rate borrowing stays disabled (as on Aave V3's markets since 2023); its curve parameters are zero.
    const strategy = await d.deploy(strategyArtifact, [provider, bpsToRay(r.optimalUsageBps), bpsToRay(r.baseRateBps), bpsToRay(r.slope1Bps), bpsToRay(r.slope2Bps), 0n, 0n, 0n, 0n, 0n], `${r.symbol} rate strategy`);
    inputs.push({
      aTokenImpl,
      stableDebtTokenImpl: stableImpl,
      variableDebtTokenImpl: variableImpl,
      underlyingAssetDecimals: ctx.decimals[r.symbol]!,
      interestRateStrategyAddress: strategy,
      underlyingAsset: ctx.tokens[r.symbol]!,
      treasury: ctx.timelock,
      incentivesController: zeroAddress,
      aTokenName: `Aave Synod ${r.symbol}`,
      aTokenSymbol: `aSyn${r.symbol}`,
      variableDebtTokenName: `Aave Synod Variable Debt ${r.symbol}`,
      variableDebtTokenSymbol: `variableDebtSyn${r.symbol}`,
      stableDebtTokenName: `Aave Synod Stable Debt ${r.symbol}`,
      stableDebtTokenSymbol: `stableDebtSyn${r.symbol}`,
      params: '0x10' as Hex,
    });
  }
  const cfg = configuratorArtifact.abi;
  await d.call(configurator, cfg, 'initReserves', [inputs], 'list reserves');
  for (const r of P.RESERVES) {
    const asset = ctx.tokens[r.symbol]!;
    await d.call(configurator, cfg, 'configureReserveAsCollateral', [asset, BigInt(r.ltvBps), BigInt(r.liquidationThresholdBps), BigInt(r.liquidationBonusBps)], `${r.symbol} collateral`);
    await d.call(configurator, cfg, 'setReserveFactor', [asset, BigInt(r.reserveFactorBps)], `${r.symbol} reserve factor`);
    if (r.borrowing) await d.call(configurator, cfg, 'setReserveBorrowing', [asset, true], `${r.symbol} borrowing`);
    if (r.supplyCap > 0n) await d.call(configurator, cfg, 'setSupplyCap', [asset, r.supplyCap], `${r.symbol} supply cap`);
    if (r.borrowCap > 0n) await d.call(configurator, cfg, 'setBorrowCap', [asset, r.borrowCap], `${r.symbol} borrow cap`);
    await d.call(configurator, cfg, 'setReserveFlashLoaning', [asset, true], `${r.symbol} flash loans`);
  }
  await d.call(configurator, cfg, 'updateFlashloanPremiumTotal', [P.AAVE_FLASHLOAN_PREMIUM_TOTAL_BPS], 'flash-loan premium');
  for (const r of P.RESERVES.filter((x) => x.seed > 0n)) {
    const asset = ctx.tokens[r.symbol]!;
    const seed = P.units(r.seed, ctx.decimals[r.symbol]!);
    await d.call(asset, ERC20, 'approve', [pool, seed], `approve ${r.symbol} to the pool`);
    await d.call(pool, poolArtifact.abi, 'supply', [asset, seed, ctx.timelock, 0], `seed ${r.symbol} reserve`);
  }

  // Handover: the timelock becomes every admin of the market; the deployer renounces its roles.
  const a = aclArtifact.abi;
  await d.call(acl, a, 'addPoolAdmin', [ctx.timelock], 'ACL: timelock pool admin');
  await d.call(acl, a, 'addRiskAdmin', [ctx.timelock], 'ACL: timelock risk admin');
  await d.call(acl, a, 'addEmergencyAdmin', [ctx.timelock], 'ACL: timelock emergency admin');
  await d.call(acl, a, 'addAssetListingAdmin', [ctx.timelock], 'ACL: timelock asset listing admin');
  await d.call(acl, a, 'grantRole', [DEFAULT_ADMIN_ROLE, ctx.timelock], 'ACL: timelock admin');
  await d.call(acl, a, 'removePoolAdmin', [me], 'ACL: deployer leaves pool admin');
  await d.call(acl, a, 'renounceRole', [DEFAULT_ADMIN_ROLE, me], 'ACL: deployer renounces admin');
  await d.call(provider, providerArtifact.abi, 'setACLAdmin', [ctx.timelock], 'provider: timelock ACL admin');
  await d.call(provider, providerArtifact.abi, 'transferOwnership', [ctx.timelock], 'provider: timelock owner');
  return { lendingPool: pool, poolAddressesProvider: provider, oracle, poolConfigurator: configurator, aclManager: acl, poolDataProvider: dataProvider };
}

interface SafeAddresses {
  readonly safeSingleton: Hex;
  readonly safeL2Singleton: Hex;
  readonly safeProxyFactory: Hex;
  readonly multiSend: Hex;
  readonly multiSendCallOnly: Hex;
  readonly fallbackHandler: Hex;
  readonly signMessageLib: Hex;
  readonly createCall: Hex;
  readonly simulateTxAccessor: Hex;
}

const SAFE_CONTRACTS: Readonly<Record<keyof SafeAddresses, string>> = {
  safeSingleton: 'Safe.sol/Safe',
  safeL2Singleton: 'SafeL2.sol/SafeL2',
  safeProxyFactory: 'proxies/SafeProxyFactory.sol/SafeProxyFactory',
  multiSend: 'libraries/MultiSend.sol/MultiSend',
  multiSendCallOnly: 'libraries/MultiSendCallOnly.sol/MultiSendCallOnly',
  fallbackHandler: 'handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler',
  signMessageLib: 'libraries/SignMessageLib.sol/SignMessageLib',
  createCall: 'libraries/CreateCall.sol/CreateCall',
  simulateTxAccessor: 'accessors/SimulateTxAccessor.sol/SimulateTxAccessor',
};

/**
 * Safe 1.5.0 as Safe deploys it: its singleton factory from Safe's presigned transaction for this chain
 * id, then every contract through it with salt 0, which lands each at its canonical address. On a chain
 * id Safe has signed no factory deployment for, the contracts are created by the deployer instead.
 */
async function deploySafe(d: Deployer, chainId: bigint): Promise<SafeAddresses> {
  const factory = safeSingletonFactoryFor(chainId);
  if (factory !== undefined) {
    await d.machine.setBalance(factory.signerAddress, BigInt(factory.gasPrice) * BigInt(factory.gasLimit));
    await d.machine.runRawTransaction(factory.transaction, 'Safe singleton factory (presigned)');
    if ((await d.machine.code(factory.address)) === '0x') throw new GenesisDeployError(`the presigned Safe singleton factory left no code at ${factory.address}`);
  }
  const out: Partial<Record<keyof SafeAddresses, Hex>> = {};
  for (const [key, path] of Object.entries(SAFE_CONTRACTS) as [keyof SafeAddresses, string][]) {
    const artifact = safeArtifact(path);
    if (factory === undefined) {
      out[key] = await d.deploy(artifact, [], artifact.name);
      continue;
    }
    const address = getContractAddress({ opcode: 'CREATE2', from: factory.address, salt: ZERO_SALT, bytecode: artifact.bytecode }).toLowerCase() as Hex;
    await d.machine.send(d.from, factory.address, concat([ZERO_SALT, artifact.bytecode]), `${artifact.name} through the Safe singleton factory`);
    if ((await d.machine.code(address)) === '0x') throw new GenesisDeployError(`${artifact.name} is not at ${address} after its CREATE2 deployment`);
    out[key] = address;
  }
  return out as SafeAddresses;
}
