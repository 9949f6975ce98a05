// Uniswap V2 swaps: setup deploys the genesis's own contracts on the target (Uniswap V2's published
// UniswapV2Factory and UniswapV2Router02, WETH9, and two of the chain's DevToken ERC-20s), seeds one
// pair with deep liquidity, gives every sender both tokens and has it approve the router; then
// sender i swaps a small amount through Router02.swapExactTokensForTokens, alternating direction
// so the price stays put. The same setup runs on every target (Synod, Hardhat, the bound's EVM),
// so each measures the same bytecode doing the same work.
import { encodeDeployData, encodeFunctionData, maxUint256, type Abi } from 'viem';
import { synodArtifact, uniswapArtifact } from '../../src/defi/artifacts.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { contractAddress, signLegacyTx } from '../tx/sign.js';
import type { Account, Hex } from '../tx/accounts.js';
import { roundRobin, type WorkloadContext, type Workload } from './types.js';

const DEPLOY_GAS = 6_000_000n;
const CALL_GAS = 500_000n;
/** A swap through Router02 takes about 110,000 gas; the limit leaves room. */
const SWAP_GAS = 200_000n;
const DECIMALS = 18;
const UNIT = 10n ** BigInt(DECIMALS);
const POOL_LIQUIDITY = 100_000_000n * UNIT;
const PER_SENDER = 1_000_000n * UNIT;
const SWAP_AMOUNT = UNIT;
const KEY = { router: 'swap.router', tokenA: 'swap.tokenA', tokenB: 'swap.tokenB' } as const;

const hex = (bytes: Uint8Array): Hex => `0x${toHex(bytes)}` as Hex;
const call = (abi: Abi, functionName: string, args: readonly unknown[]): Uint8Array => fromHex(encodeFunctionData({ abi, functionName, args } as never));

function setupSigner(ctx: WorkloadContext): { account: Account; next: () => bigint } {
  if (ctx.deployer) return { account: ctx.deployer, next: () => (ctx.deployerNonce = (ctx.deployerNonce ?? 0n) + 1n) - 1n };
  return { account: ctx.senders[0], next: () => ctx.nonces[0]++ };
}

export const swapWorkload: Workload = {
  name: 'swap',
  description: 'Uniswap V2 Router02 swapExactTokensForTokens between two ERC-20s (published Uniswap bytecode), alternating direction',
  async setup(ctx) {
    const { account, next } = setupSigner(ctx);
    const sign = (to: Uint8Array | undefined, data: Uint8Array, gasLimit: bigint, nonce = next()): Hex =>
      signLegacyTx({ nonce, gasPriceWei: ctx.gasPriceWei, gasLimit, to, valueWei: 0n, data, chainId: ctx.chainId }, account).raw;
    const deploy = (abi: Abi, bytecode: Hex, args: readonly unknown[]): { address: Uint8Array; raw: Hex } => {
      const nonce = next();
      return { address: contractAddress(account.address, nonce), raw: sign(undefined, fromHex(encodeDeployData({ abi, bytecode, args } as never)), DEPLOY_GAS, nonce) };
    };
    const token = synodArtifact('DevToken');
    const supply = POOL_LIQUIDITY + PER_SENDER * BigInt(ctx.senders.length);
    const a = deploy(token.abi, token.bytecode, ['Bench A', 'BA', DECIMALS, hex(account.address), supply]);
    const b = deploy(token.abi, token.bytecode, ['Bench B', 'BB', DECIMALS, hex(account.address), supply]);
    const weth = uniswapArtifact('@uniswap/v2-periphery', 'WETH9');
    const w = deploy(weth.abi, weth.bytecode, []);
    const factory = uniswapArtifact('@uniswap/v2-core', 'UniswapV2Factory');
    const f = deploy(factory.abi, factory.bytecode, [hex(account.address)]);
    const router = uniswapArtifact('@uniswap/v2-periphery', 'UniswapV2Router02');
    const r = deploy(router.abi, router.bytecode, [hex(f.address), hex(w.address)]);
    await ctx.chain.submitAndConfirm([a.raw, b.raw, w.raw, f.raw, r.raw]);
    const erc20 = token.abi;
    await ctx.chain.submitAndConfirm([
      sign(a.address, call(erc20, 'approve', [hex(r.address), maxUint256]), CALL_GAS),
      sign(b.address, call(erc20, 'approve', [hex(r.address), maxUint256]), CALL_GAS),
    ]);
    await ctx.chain.submitAndConfirm([
      sign(r.address, call(router.abi, 'addLiquidity', [hex(a.address), hex(b.address), POOL_LIQUIDITY, POOL_LIQUIDITY, 0n, 0n, hex(account.address), maxUint256]), DEPLOY_GAS),
    ]);
    const funding: Hex[] = [];
    for (const s of ctx.senders) {
      funding.push(sign(a.address, call(erc20, 'transfer', [hex(s.address), PER_SENDER]), CALL_GAS));
      funding.push(sign(b.address, call(erc20, 'transfer', [hex(s.address), PER_SENDER]), CALL_GAS));
    }
    await ctx.chain.submitAndConfirm(funding);
    const approvals: Hex[] = [];
    ctx.senders.forEach((s, i) => {
      for (const t of [a.address, b.address]) {
        approvals.push(signLegacyTx({ nonce: ctx.nonces[i]++, gasPriceWei: ctx.gasPriceWei, gasLimit: CALL_GAS, to: t, valueWei: 0n, data: call(erc20, 'approve', [hex(r.address), maxUint256]), chainId: ctx.chainId }, s).raw);
      }
    });
    await ctx.chain.submitAndConfirm(approvals);
    ctx.state.set(KEY.router, hex(r.address));
    ctx.state.set(KEY.tokenA, hex(a.address));
    ctx.state.set(KEY.tokenB, hex(b.address));
  },
  async buildTransactions(ctx, count) {
    const [router, tokenA, tokenB] = [ctx.state.get(KEY.router), ctx.state.get(KEY.tokenA), ctx.state.get(KEY.tokenB)];
    if (!router || !tokenA || !tokenB) throw new Error('swap workload: setup() must run before buildTransactions()');
    const abi = uniswapArtifact('@uniswap/v2-periphery', 'UniswapV2Router02').abi;
    const to = fromHex(router);
    return roundRobin(ctx, count, (s, nonce) => {
      const path = nonce % 2n === 0n ? [tokenA, tokenB] : [tokenB, tokenA];
      const data = call(abi, 'swapExactTokensForTokens', [SWAP_AMOUNT, 0n, path, hex(ctx.senders[s].address), maxUint256]);
      return signLegacyTx({ nonce, gasPriceWei: ctx.gasPriceWei, gasLimit: SWAP_GAS, to, valueWei: 0n, data, chainId: ctx.chainId }, ctx.senders[s]).raw;
    });
  },
};
