// Blocks, transactions, receipts and logs shaped exactly as geth returns them: hex quantities
// without leading zeros, lowercase data, and every field present, so viem's and ethers'
// formatters accept them unconfigured. Transaction fields are decoded from the signed bytes;
// the sender is taken from the record (recovered once at admission), never recovered again.
import type { Common } from '@ethereumjs/common';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import type { BlockRecord, Hex, LogRecord, ReceiptRecord, TransactionRecord } from '../chain/types.js';
import { fromHex } from '../crypto/bytes.js';
import { createChainCommon } from '../execution/engine.js';
import type { PendingTransaction } from './backend.js';
import { quantity } from './params.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const EMPTY_UNCLES: Json[] = [];

export function formatBlockHeader(b: BlockRecord): JsonObject {
  return {
    number: quantity(b.number),
    hash: b.hash,
    parentHash: b.parentHash,
    sha3Uncles: b.sha3Uncles,
    miner: b.miner,
    stateRoot: b.stateRoot,
    transactionsRoot: b.transactionsRoot,
    receiptsRoot: b.receiptsRoot,
    logsBloom: b.logsBloom,
    difficulty: quantity(b.difficulty),
    gasLimit: quantity(b.gasLimit),
    gasUsed: quantity(b.gasUsed),
    timestamp: quantity(b.timestamp),
    extraData: b.extraData,
    mixHash: b.mixHash,
    nonce: b.nonce,
    baseFeePerGas: quantity(b.baseFeePerGas),
    withdrawalsRoot: b.withdrawalsRoot,
    blobGasUsed: quantity(b.blobGasUsed),
    excessBlobGas: quantity(b.excessBlobGas),
    parentBeaconBlockRoot: b.parentBeaconBlockRoot,
    requestsHash: b.requestsHash,
  };
}

/** A full block; `transactions` are hashes or already formatted transaction objects. */
export function formatBlock(b: BlockRecord, transactions: readonly (Hex | JsonObject)[]): JsonObject {
  return {
    ...formatBlockHeader(b),
    // Proof of stake has no difficulty to total; geth dropped the field, Anvil keeps 0x0.
    totalDifficulty: '0x0',
    size: quantity(b.size),
    uncles: EMPTY_UNCLES,
    withdrawals: [],
    transactions: transactions as Json[],
  };
}

/** Decodes signed transactions for one chain id and formats them as geth's RPCTransaction. */
export class TransactionFormatter {
  private readonly common: Common;

  constructor(readonly chainId: bigint) {
    this.common = createChainCommon(chainId);
  }

  decode(raw: Hex): TypedTransaction {
    // The transaction was valid when admitted: do not re-apply limits that may have changed.
    return createTxFromRLP(fromHex(raw), { common: this.common, allowUnlimitedInitCodeSize: true });
  }

  /** A mined transaction; `baseFee` is its block's, for the effective gas price. */
  formatMined(record: TransactionRecord, baseFee: bigint): JsonObject {
    const tx = this.decode(record.raw);
    return {
      blockHash: record.blockHash,
      blockNumber: quantity(record.blockNumber),
      transactionIndex: quantity(record.transactionIndex),
      ...this.fields(tx, record.hash, record.from, effectiveGasPrice(tx, baseFee)),
    };
  }

  /** A transaction still in the mempool: geth reports its fee cap as the gas price. */
  formatPending(pending: PendingTransaction): JsonObject {
    const tx = this.decode(pending.raw);
    return {
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      ...this.fields(tx, pending.hash, pending.from, feeCap(tx)),
    };
  }

  private fields(tx: TypedTransaction, hash: Hex, from: Hex, gasPrice: bigint): JsonObject {
    const json = tx.toJSON() as Record<string, Json | undefined>;
    const out: JsonObject = {
      hash,
      from,
      to: tx.to === undefined ? null : (tx.to.toString() as Hex),
      gas: quantity(tx.gasLimit),
      gasPrice: quantity(gasPrice),
      input: json.data as Hex,
      nonce: quantity(tx.nonce),
      value: quantity(tx.value),
      type: quantity(tx.type),
      v: quantity(tx.v ?? 0n),
      r: quantity(tx.r ?? 0n),
      s: quantity(tx.s ?? 0n),
    };
    if (tx.type === 0) {
      // geth reports a chain id for a legacy transaction only when it is replay-protected.
      const v = tx.v ?? 0n;
      if (v !== 27n && v !== 28n) out.chainId = quantity(this.chainId);
      return out;
    }
    out.chainId = json.chainId as Hex;
    out.accessList = json.accessList as Json;
    out.yParity = quantity(tx.v ?? 0n);
    if (json.maxFeePerGas !== undefined) {
      out.maxFeePerGas = json.maxFeePerGas as Hex;
      out.maxPriorityFeePerGas = json.maxPriorityFeePerGas as Hex;
    }
    if (json.authorizationList !== undefined) out.authorizationList = json.authorizationList as Json;
    return out;
  }
}

function feeCap(tx: TypedTransaction): bigint {
  return 'maxFeePerGas' in tx ? tx.maxFeePerGas : tx.gasPrice;
}

/** EIP-1559: base fee plus the tip, capped by the fee cap; legacy pays its gas price. */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if (!('maxFeePerGas' in tx)) return tx.gasPrice;
  const withTip = baseFee + tx.maxPriorityFeePerGas;
  return withTip < tx.maxFeePerGas ? withTip : tx.maxFeePerGas;
}

export function formatLog(log: LogRecord, blockTimestamp?: bigint): JsonObject {
  const out: JsonObject = {
    address: log.address,
    topics: log.topics as Hex[],
    data: log.data,
    blockNumber: quantity(log.blockNumber),
    transactionHash: log.transactionHash,
    transactionIndex: quantity(log.transactionIndex),
    blockHash: log.blockHash,
    logIndex: quantity(log.logIndex),
    removed: false,
  };
  // geth 1.16 adds the block's timestamp to logs; clients ignore it when absent.
  if (blockTimestamp !== undefined) out.blockTimestamp = quantity(blockTimestamp);
  return out;
}

export function formatReceipt(r: ReceiptRecord, blockTimestamp?: bigint): JsonObject {
  return {
    transactionHash: r.transactionHash,
    transactionIndex: quantity(r.transactionIndex),
    blockHash: r.blockHash,
    blockNumber: quantity(r.blockNumber),
    from: r.from,
    to: r.to,
    cumulativeGasUsed: quantity(r.cumulativeGasUsed),
    gasUsed: quantity(r.gasUsed),
    contractAddress: r.contractAddress,
    logs: r.logs.map((log) => formatLog(log, blockTimestamp)),
    logsBloom: r.logsBloom,
    status: quantity(r.status),
    effectiveGasPrice: quantity(r.effectiveGasPrice),
    type: quantity(r.type),
  };
}
