// Receipts and logs as the chain records them, and the ordered-trie roots of a block
// (transactions and receipts keyed by rlp(index), as in Ethereum's yellow paper, section 4.3).
import { RLP } from '@ethereumjs/rlp';
import type { TypedTransaction } from '@ethereumjs/tx';
import { encodeReceipt, type RunTxResult } from '@ethereumjs/vm';
import { bytesToHex } from '@ethereumjs/util';
import type { Hex, LogRecord, ReceiptRecord } from '../chain/types.js';
import { EMPTY_TRIE_ROOT, applyTrieWrites, type TrieNodeStore } from './trie-batch.js';

/** What executing one included transaction produced, before the block hash is known. */
export interface ExecutedTransaction {
  readonly tx: TypedTransaction;
  readonly hash: Hex;
  readonly raw: Uint8Array;
  readonly from: Hex;
  readonly result: RunTxResult;
  readonly effectiveGasPrice: bigint;
}

export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx) {
    const tip = tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFee ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFee;
    return baseFee + tip;
  }
  return (tx as { gasPrice: bigint }).gasPrice;
}

export function toReceiptRecords(executed: readonly ExecutedTransaction[], blockNumber: bigint, blockHash: Hex): ReceiptRecord[] {
  let logIndex = 0;
  return executed.map((item, transactionIndex) => {
    const { tx, result } = item;
    const logs: LogRecord[] = result.receipt.logs.map(([address, topics, data]) => ({
      address: bytesToHex(address) as Hex,
      topics: topics.map((t) => bytesToHex(t) as Hex),
      data: bytesToHex(data) as Hex,
      blockNumber,
      blockHash,
      transactionHash: item.hash,
      transactionIndex,
      logIndex: logIndex++,
      removed: false,
    }));
    return {
      transactionHash: item.hash,
      transactionIndex,
      blockHash,
      blockNumber,
      from: item.from,
      to: tx.to === undefined ? null : (tx.to.toString() as Hex),
      contractAddress: result.createdAddress === undefined ? null : (result.createdAddress.toString() as Hex),
      cumulativeGasUsed: result.receipt.cumulativeBlockGasUsed,
      gasUsed: result.totalGasSpent,
      effectiveGasPrice: item.effectiveGasPrice,
      status: result.execResult.exceptionError === undefined ? 1 : 0,
      type: tx.type,
      logs,
      logsBloom: bytesToHex(result.bloom.bitvector) as Hex,
    };
  });
}

/** A block's throwaway tries keep no nodes: only their roots go into the header. */
const DISCARDED_NODES: TrieNodeStore = { get: async () => undefined, put: async () => undefined };

/**
 * Root of the trie mapping rlp(i) to values[i]: Ethereum's transactions and receipts roots,
 * built in one batch (every node hashed once, trie-batch.ts).
 */
export async function orderedTrieRoot(values: readonly Uint8Array[]): Promise<Uint8Array> {
  return applyTrieWrites(DISCARDED_NODES, EMPTY_TRIE_ROOT, values.map((value, i) => [RLP.encode(i), value] as const));
}

export function encodedReceipts(executed: readonly ExecutedTransaction[]): Uint8Array[] {
  return executed.map((item) => encodeReceipt(item.result.receipt, item.tx.type));
}
