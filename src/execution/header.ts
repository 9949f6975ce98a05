// Ethereum-shaped (Prague) headers through @ethereumjs/block, so a block hash is
// keccak(rlp(header)) exactly as geth computes it, and the BlockRecord built from one.
import { createBlockHeader, type BlockHeader } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY, bytesToHex, hexToBytes } from '@ethereumjs/util';
import type { BlockRecord, Hex } from '../chain/types.js';
import { sha256 } from '../crypto/hash.js';
import { keccak256 } from '../crypto/hash.js';
import { concatBytes, uintToBytes } from '../crypto/bytes.js';

const ZERO_ADDRESS: Hex = '0x0000000000000000000000000000000000000000';
const ZERO_HASH = new Uint8Array(32);
/** EIP-7685: the requests hash of a block with no execution-layer requests is sha256 of nothing. */
const EMPTY_REQUESTS_HASH = sha256();

export interface HeaderFields {
  readonly number: bigint;
  readonly parentHash: Hex;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly baseFeePerGas: bigint;
  readonly extraData: Hex;
  readonly stateRoot?: Uint8Array;
  readonly transactionsRoot?: Uint8Array;
  readonly receiptsRoot?: Uint8Array;
  readonly logsBloom?: Uint8Array;
  readonly gasUsed?: bigint;
  /** Only queries with block overrides set these: blocks of the chain have neither. */
  readonly coinbase?: Hex;
  readonly mixHash?: Uint8Array;
}

/**
 * PREVRANDAO has no beacon randomness here; it is derived from the parent hash and height so
 * every validator computes the same value. Contracts must not use it as a secret.
 */
export function mixHashFor(parentHash: Hex, number: bigint): Uint8Array {
  return keccak256(concatBytes(hexToBytes(parentHash), uintToBytes(number, 8)));
}

export function buildHeader(fields: HeaderFields, common: Common): BlockHeader {
  return createBlockHeader(
    {
      parentHash: hexToBytes(fields.parentHash),
      uncleHash: KECCAK256_RLP_ARRAY,
      coinbase: fields.coinbase ?? ZERO_ADDRESS,
      stateRoot: fields.stateRoot ?? ZERO_HASH,
      transactionsTrie: fields.transactionsRoot ?? KECCAK256_RLP,
      receiptTrie: fields.receiptsRoot ?? KECCAK256_RLP,
      logsBloom: fields.logsBloom ?? new Uint8Array(256),
      difficulty: 0n,
      number: fields.number,
      gasLimit: fields.gasLimit,
      gasUsed: fields.gasUsed ?? 0n,
      timestamp: fields.timestamp,
      extraData: hexToBytes(fields.extraData),
      mixHash: fields.mixHash ?? mixHashFor(fields.parentHash, fields.number),
      nonce: new Uint8Array(8),
      baseFeePerGas: fields.baseFeePerGas,
      withdrawalsRoot: KECCAK256_RLP,
      blobGasUsed: 0n,
      excessBlobGas: 0n,
      parentBeaconBlockRoot: ZERO_HASH,
      requestsHash: EMPTY_REQUESTS_HASH,
    },
    { common, skipConsensusFormatValidation: true },
  );
}

/** Size in bytes of the RLP block [header, transactions, uncles, withdrawals], as eth_getBlock reports it. */
export function blockSize(header: BlockHeader, bodyTransactions: readonly (Uint8Array | Uint8Array[])[]): bigint {
  return BigInt(RLP.encode([header.raw(), bodyTransactions as Uint8Array[], [], []]).length);
}

export function headerToRecord(
  header: BlockHeader,
  body: { size: bigint; transactions: readonly Hex[]; consensus: BlockRecord['consensus'] },
): BlockRecord {
  return {
    number: header.number,
    hash: bytesToHex(header.hash()) as Hex,
    parentHash: bytesToHex(header.parentHash) as Hex,
    sha3Uncles: bytesToHex(header.uncleHash) as Hex,
    miner: header.coinbase.toString() as Hex,
    stateRoot: bytesToHex(header.stateRoot) as Hex,
    transactionsRoot: bytesToHex(header.transactionsTrie) as Hex,
    receiptsRoot: bytesToHex(header.receiptTrie) as Hex,
    logsBloom: bytesToHex(header.logsBloom) as Hex,
    difficulty: header.difficulty,
    gasLimit: header.gasLimit,
    gasUsed: header.gasUsed,
    timestamp: header.timestamp,
    extraData: bytesToHex(header.extraData) as Hex,
    mixHash: bytesToHex(header.mixHash) as Hex,
    nonce: bytesToHex(header.nonce) as Hex,
    baseFeePerGas: header.baseFeePerGas ?? 0n,
    withdrawalsRoot: bytesToHex(header.withdrawalsRoot ?? KECCAK256_RLP) as Hex,
    blobGasUsed: header.blobGasUsed ?? 0n,
    excessBlobGas: header.excessBlobGas ?? 0n,
    parentBeaconBlockRoot: bytesToHex(header.parentBeaconBlockRoot ?? ZERO_HASH) as Hex,
    requestsHash: bytesToHex(header.requestsHash ?? EMPTY_REQUESTS_HASH) as Hex,
    size: body.size,
    transactions: body.transactions,
    consensus: { epoch: body.consensus.epoch, proposers: [...body.consensus.proposers] },
  };
}

/** Rebuilds the ethereumjs header of a stored block (for the EVM's block context and BLOCKHASH). */
export function recordToHeader(block: BlockRecord, common: Common): BlockHeader {
  return buildHeader(
    {
      number: block.number,
      parentHash: block.parentHash,
      timestamp: block.timestamp,
      gasLimit: block.gasLimit,
      baseFeePerGas: block.baseFeePerGas,
      extraData: block.extraData,
      stateRoot: hexToBytes(block.stateRoot),
      transactionsRoot: hexToBytes(block.transactionsRoot),
      receiptsRoot: hexToBytes(block.receiptsRoot),
      logsBloom: hexToBytes(block.logsBloom),
      gasUsed: block.gasUsed,
    },
    common,
  );
}
