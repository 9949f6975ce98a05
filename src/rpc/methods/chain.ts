// Reads of finalized history: blocks, transactions, receipts, logs, and node facts.
import { keccak256 } from '../../crypto/hash.js';
import { fromHex, toHex } from '../../crypto/bytes.js';
import type { BlockRecord } from '../../chain/types.js';
import { parseBlockSelector, selectBlockNumber, type BlockSelector } from '../block-tags.js';
import { formatReceipt, type Json } from '../format.js';
import { queryLogs, resolveLogRange, parseLogFilter } from '../logs.js';
import { parseBool, parseData, parseHash, parseQuantity, quantity } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

function blockBySelector(ctx: MethodContext, selector: BlockSelector): BlockRecord | undefined {
  if (selector.kind === 'hash') return ctx.backend.getBlockByHash(selector.hash);
  const number = selectBlockNumber(ctx.backend, selector);
  return number === undefined ? undefined : ctx.backend.getBlockByNumber(number);
}

function blockByNumberParam(ctx: MethodContext, value: unknown): BlockRecord | undefined {
  return blockBySelector(ctx, parseBlockSelector(value, 0, false));
}

function blockByHashParam(ctx: MethodContext, value: unknown): BlockRecord | undefined {
  return ctx.backend.getBlockByHash(parseHash(value, 0, 'block hash'));
}

function transactionAt(ctx: MethodContext, block: BlockRecord | undefined, indexParam: unknown): Json {
  const index = parseQuantity(indexParam, 1, 'transaction index');
  if (block === undefined || index >= BigInt(block.transactions.length)) return null;
  return ctx.minedTransaction(block.transactions[Number(index)]!) ?? null;
}

function count(block: BlockRecord | undefined): Json {
  return block === undefined ? null : quantity(block.transactions.length);
}

export const chainMethods: Record<string, MethodSpec> = {
  web3_clientVersion: method(0, 0, (_p, ctx) => ctx.backend.clientVersion),
  web3_sha3: method(1, 1, (p) => `0x${toHex(keccak256(fromHex(parseData(p[0], 0))))}`),
  net_version: method(0, 0, (_p, ctx) => ctx.backend.chainId.toString(10)),
  net_listening: method(0, 0, () => true),
  net_peerCount: method(0, 0, (_p, ctx) => quantity(ctx.backend.consensusStatus().peers)),
  eth_chainId: method(0, 0, (_p, ctx) => quantity(ctx.backend.chainId)),
  eth_blockNumber: method(0, 0, (_p, ctx) => quantity(ctx.backend.headNumber())),
  eth_mining: method(0, 0, () => false),
  eth_hashrate: method(0, 0, () => '0x0'),
  eth_syncing: method(0, 0, (_p, ctx) => {
    const status = ctx.backend.syncing();
    if (status === false) return false;
    return {
      startingBlock: quantity(status.startingBlock),
      currentBlock: quantity(status.currentBlock),
      highestBlock: quantity(status.highestBlock),
    };
  }),

  eth_getBlockByNumber: method(1, 2, (p, ctx) =>
    ctx.block(blockByNumberParam(ctx, p[0]), parseBool(p[1] ?? false, 1, 'full transactions flag'))),
  eth_getBlockByHash: method(1, 2, (p, ctx) =>
    ctx.block(blockByHashParam(ctx, p[0]), parseBool(p[1] ?? false, 1, 'full transactions flag'))),
  eth_getBlockTransactionCountByNumber: method(1, 1, (p, ctx) => count(blockByNumberParam(ctx, p[0]))),
  eth_getBlockTransactionCountByHash: method(1, 1, (p, ctx) => count(blockByHashParam(ctx, p[0]))),
  eth_getUncleCountByBlockNumber: method(1, 1, (p, ctx) => (blockByNumberParam(ctx, p[0]) ? '0x0' : null)),
  eth_getUncleCountByBlockHash: method(1, 1, (p, ctx) => (blockByHashParam(ctx, p[0]) ? '0x0' : null)),
  eth_getUncleByBlockNumberAndIndex: method(2, 2, () => null),
  eth_getUncleByBlockHashAndIndex: method(2, 2, () => null),
  eth_getTransactionByBlockNumberAndIndex: method(2, 2, (p, ctx) => transactionAt(ctx, blockByNumberParam(ctx, p[0]), p[1])),
  eth_getTransactionByBlockHashAndIndex: method(2, 2, (p, ctx) => transactionAt(ctx, blockByHashParam(ctx, p[0]), p[1])),

  eth_getTransactionByHash: method(1, 1, (p, ctx) => {
    const hash = parseHash(p[0], 0, 'transaction hash');
    const mined = ctx.minedTransaction(hash);
    if (mined !== undefined) return mined;
    const pending = ctx.backend.getPendingTransaction?.(hash);
    return pending === undefined ? null : ctx.txFormatter.formatPending(pending);
  }),
  eth_getTransactionReceipt: method(1, 1, (p, ctx) => {
    const receipt = ctx.backend.getReceipt(parseHash(p[0], 0, 'transaction hash'));
    if (receipt === undefined) return null;
    return formatReceipt(receipt, ctx.backend.getBlockByNumber(receipt.blockNumber)?.timestamp);
  }),
  eth_getBlockReceipts: method(1, 1, (p, ctx) => {
    const block = blockBySelector(ctx, parseBlockSelector(p[0], 0, true));
    return block === undefined ? null : ctx.receipts(block.number);
  }),
  eth_getLogs: method(1, 1, async (p, ctx) => {
    const filter = parseLogFilter(p[0], 0);
    const range = resolveLogRange(ctx.backend, filter);
    return range === undefined ? [] : ctx.logs(await queryLogs(ctx.backend, filter, range.from, range.to));
  }),
};
