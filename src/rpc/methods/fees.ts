// Gas price suggestions and eth_feeHistory, computed as geth's oracle computes them: base fees
// of the range plus the next block's, gas used ratios, and tip percentiles weighted by gas.
import type { BlockRecord, ReceiptRecord } from '../../chain/types.js';
import { parseBlockSelector, selectBlockNumber } from '../block-tags.js';
import { invalidParam, serverError } from '../errors.js';
import type { Json } from '../format.js';
import { describe, parseQuantity, quantity } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

/** Blocks in one eth_feeHistory answer (geth: 1024). */
export const MAX_FEE_HISTORY_BLOCKS = 1024n;
/** Percentiles in one request (geth: 100). */
export const MAX_REWARD_PERCENTILES = 100;

function parseBlockCount(value: unknown): bigint {
  // geth accepts a hex quantity or a plain JSON number here.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return parseQuantity(value, 0, 'block count');
}

function parsePercentiles(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_REWARD_PERCENTILES) {
    throw invalidParam(2, `reward percentiles must be an array of at most ${MAX_REWARD_PERCENTILES} numbers`);
  }
  value.forEach((p, i) => {
    if (typeof p !== 'number' || p < 0 || p > 100) throw invalidParam(2, `invalid reward percentile ${describe(p)}: must be 0..100`);
    if (i > 0 && p < (value[i - 1] as number)) throw invalidParam(2, 'reward percentiles must be ascending');
  });
  return value as number[];
}

/** Tips at the given percentiles, weighting each transaction by the gas it used. */
export function rewardPercentiles(block: BlockRecord, receipts: readonly ReceiptRecord[], percentiles: readonly number[]): bigint[] {
  if (receipts.length === 0 || block.gasUsed === 0n) return percentiles.map(() => 0n);
  const sorted = receipts
    .map((r) => ({ tip: r.effectiveGasPrice > block.baseFeePerGas ? r.effectiveGasPrice - block.baseFeePerGas : 0n, gas: r.gasUsed }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
  const out: bigint[] = [];
  let i = 0;
  let sumGas = sorted[0]!.gas;
  for (const p of percentiles) {
    const threshold = (Number(block.gasUsed) * p) / 100;
    while (sumGas < threshold && i < sorted.length - 1) sumGas += sorted[++i]!.gas;
    out.push(sorted[i]!.tip);
  }
  return out;
}

function feeHistory(ctx: MethodContext, params: readonly unknown[]): Json {
  let blocks = parseBlockCount(params[0]);
  if (blocks > MAX_FEE_HISTORY_BLOCKS) blocks = MAX_FEE_HISTORY_BLOCKS; // geth clamps, too
  const newest = selectBlockNumber(ctx.backend, parseBlockSelector(params[1], 1, false));
  if (newest === undefined) throw serverError('requested block is beyond the head block');
  const percentiles = parsePercentiles(params[2]);
  if (blocks > newest + 1n) blocks = newest + 1n;
  const oldest = newest - blocks + 1n;
  const baseFees: Json[] = [];
  const ratios: Json[] = [];
  const rewards: Json[] = [];
  for (let n = oldest; n <= newest; n++) {
    const block = ctx.backend.getBlockByNumber(n);
    if (block === undefined) throw serverError(`block ${n} is not available`);
    baseFees.push(quantity(block.baseFeePerGas));
    ratios.push(block.gasLimit === 0n ? 0 : Number(block.gasUsed) / Number(block.gasLimit));
    if (percentiles.length > 0) {
      const receipts = ctx.backend.getBlockReceipts(n) ?? [];
      rewards.push(rewardPercentiles(block, receipts, percentiles).map(quantity));
    }
  }
  const next = newest === ctx.backend.headNumber() ? ctx.backend.nextBaseFeePerGas() : ctx.backend.getBlockByNumber(newest + 1n)?.baseFeePerGas ?? 0n;
  baseFees.push(quantity(next));
  const result: Record<string, Json> = {
    oldestBlock: quantity(blocks === 0n ? newest : oldest),
    baseFeePerGas: blocks === 0n ? [] : baseFees,
    gasUsedRatio: ratios,
    // Synod carries no blobs: the blob fee stays at the EIP-4844 minimum and usage at 0.
    baseFeePerBlobGas: blocks === 0n ? [] : baseFees.map(() => '0x1'),
    blobGasUsedRatio: ratios.map(() => 0),
  };
  if (percentiles.length > 0) result.reward = rewards;
  return result;
}

export const feeMethods: Record<string, MethodSpec> = {
  eth_gasPrice: method(0, 0, (_p, ctx) => quantity(ctx.backend.gasPrice())),
  eth_maxPriorityFeePerGas: method(0, 0, (_p, ctx) => quantity(ctx.backend.maxPriorityFeePerGas())),
  eth_blobBaseFee: method(0, 0, () => '0x1'),
  eth_feeHistory: method(2, 3, (p, ctx) => feeHistory(ctx, p)),
};
