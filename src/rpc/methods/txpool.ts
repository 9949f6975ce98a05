// geth's txpool namespace over the node's mempool: txpool_status, txpool_content,
// txpool_contentFrom and txpool_inspect, pending (proposable now) versus queued (behind a nonce
// gap) as geth splits them. Opt-in as in geth (--http.api txpool); `synod devnet` enables it.
// Answers are bounded by the pool itself (50,000 transactions) and by the response size cap.
import { getAddress } from 'viem';
import type { Hex, PoolEntry } from '../backend.js';
import { methodNotFound } from '../errors.js';
import type { Json, JsonObject } from '../format.js';
import { parseAddress, quantity } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

/** sender (checksummed) -> nonce (decimal, as geth keys it) -> value. */
function bySender(entries: readonly PoolEntry[], value: (entry: PoolEntry) => Json): JsonObject {
  const out: Record<string, Record<string, Json>> = {};
  for (const entry of entries) {
    const sender = getAddress(entry.from);
    (out[sender] ??= {})[entry.nonce.toString(10)] = value(entry);
  }
  return out;
}

function byNonce(entries: readonly PoolEntry[], value: (entry: PoolEntry) => Json): JsonObject {
  return Object.fromEntries(entries.map((entry) => [entry.nonce.toString(10), value(entry)]));
}

/** geth's inspect line: "0xTo: 1 wei + 21000 gas × 2000000000 wei" (the fee cap as the price). */
function summary(ctx: MethodContext, entry: PoolEntry): string {
  const tx = ctx.txFormatter.decode(entry.raw);
  const to = tx.to === undefined ? 'contract creation' : getAddress(tx.to.toString());
  const price = 'maxFeePerGas' in tx ? tx.maxFeePerGas : tx.gasPrice;
  return `${to}: ${tx.value} wei + ${tx.gasLimit} gas × ${price} wei`;
}

function content(ctx: MethodContext, name: string, sender?: Hex) {
  if (ctx.backend.txpoolContent === undefined) throw methodNotFound(name);
  return ctx.backend.txpoolContent(sender);
}

export const txpoolMethods: Record<string, MethodSpec> = {
  txpool_status: method(0, 0, (_p, ctx): Json => {
    const status = ctx.backend.txpoolStatus?.();
    if (status !== undefined) return { pending: quantity(status.pending), queued: quantity(status.queued) };
    const { pending, queued } = content(ctx, 'txpool_status');
    return { pending: quantity(pending.length), queued: quantity(queued.length) };
  }),
  txpool_content: method(0, 0, (_p, ctx): Json => {
    const { pending, queued } = content(ctx, 'txpool_content');
    const format = (entry: PoolEntry) => ctx.txFormatter.formatPending(entry);
    return { pending: bySender(pending, format), queued: bySender(queued, format) };
  }),
  txpool_contentFrom: method(1, 1, (p, ctx): Json => {
    const { pending, queued } = content(ctx, 'txpool_contentFrom', parseAddress(p[0], 0));
    const format = (entry: PoolEntry) => ctx.txFormatter.formatPending(entry);
    return { pending: byNonce(pending, format), queued: byNonce(queued, format) };
  }),
  txpool_inspect: method(0, 0, (_p, ctx): Json => {
    const { pending, queued } = content(ctx, 'txpool_inspect');
    return { pending: bySender(pending, (e) => summary(ctx, e)), queued: bySender(queued, (e) => summary(ctx, e)) };
  }),
};
