// Stateless admission of one signed Ethereum transaction (EIP-2718 envelope or legacy RLP):
// decoded once with @ethereumjs/tx, its sender recovered once with native secp256k1, and every
// check that needs no account state done here so the pool never decodes the bytes again.
// Supported: legacy (EIP-155 protected), EIP-2930, EIP-1559 and EIP-7702 set-code (with at most
// MAX_AUTHORIZATIONS_PER_TRANSACTION authorizations). Blob (EIP-4844) transactions need a sidecar
// network the chain does not have: refused. An authorization bumps its authority's nonce; the
// node reports the authorities of every applied set-code transaction and the pool re-reads them.
import { authorizationListProblem, UNSUPPORTED_TRANSACTION_TYPES, type SupportedTransactionType } from '../chain/transactions.js';
import { RLP } from '@ethereumjs/rlp';
import {
  create1559FeeMarketTxFromBytesArray,
  createAccessList2930TxFromBytesArray,
  createEOACode7702TxFromBytesArray,
  createLegacyTxFromBytesArray,
  getMinimumGasLimit,
  TransactionType,
} from '@ethereumjs/tx';
import type { Common } from '@ethereumjs/common';
import { createTxCommon } from '../execution/tx-common.js';
import type { AccessList2930Tx, EOACode7702Tx, FeeMarket1559Tx, LegacyTx } from '@ethereumjs/tx';
import { bytesEqual, bytesToBigInt, toHex } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/hash.js';
import { transactionShapeViolation } from '../chain/rlp.js';
import type { Hex } from '../chain/types.js';
import { MempoolError, MempoolErrorCode as Code } from './errors.js';

/** secp256k1 group order n; EIP-2 requires s <= n/2 so a signature has one valid form. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP256K1_HALF_N = SECP256K1_N >> 1n;
/** EIP-3860: largest init code of a contract creation, in bytes (2 * 24,576). */
const MAX_INITCODE_BYTES = 49_152;
/** First byte of an RLP list: a legacy transaction starts with one, a typed one with its type. */
const RLP_LIST_PREFIX = 0xc0;
/** Field counts of signed transactions (EIP-155 legacy, EIP-2930, EIP-1559, EIP-7702). */
const SIGNED_FIELDS: Readonly<Record<number, number>> = { 0: 9, 1: 11, 2: 12, 4: 13 };
/** Position of `to` in each type's fields; `value` and `data` follow it (EIP-7702 lays them out as EIP-1559). */
const TO_FIELD: Readonly<Record<SupportedTransactionType, number>> = { 0: 3, 1: 4, 2: 5, 4: 5 };
/** Position of EIP-7702's authorization list. */
const AUTHORIZATION_LIST_FIELD = 9;
const UNSUPPORTED_TYPE_NAMES = UNSUPPORTED_TRANSACTION_TYPES;

export type SupportedTxType = SupportedTransactionType;

/** Everything the pool needs about a transaction, computed once at admission. */
export interface DecodedTransaction {
  readonly hash: Hex;
  readonly sender: Hex;
  readonly nonce: bigint;
  readonly type: SupportedTxType;
  readonly to: Hex | null;
  readonly value: bigint;
  readonly gasLimit: bigint;
  /** The fee cap: maxFeePerGas, or gasPrice for legacy and EIP-2930. */
  readonly maxFeePerGas: bigint;
  /** The tip cap: maxPriorityFeePerGas, or gasPrice for legacy and EIP-2930. */
  readonly maxPriorityFeePerGas: bigint;
  /** The most the sender can be charged: gasLimit * maxFeePerGas + value. */
  readonly cost: bigint;
  readonly raw: Uint8Array;
}

export interface DecodeContext {
  readonly chainId: bigint;
  readonly common: Common;
  readonly maxTxBytes: number;
  readonly blockGasLimit: bigint;
  /** Accept legacy transactions signed without a chain id (geth's --rpc.allow-unprotected-txs). */
  readonly allowUnprotected: boolean;
}

/** The shared transaction Common (execution/tx-common.ts): parameters merged once, native recovery. */
export { createTxCommon };

type SignedTx = LegacyTx | AccessList2930Tx | FeeMarket1559Tx | EOACode7702Tx;

/** A signed transaction's hash: keccak-256 of its envelope bytes. */
export function transactionHash(raw: Uint8Array): Hex {
  return `0x${toHex(keccak256(raw))}`;
}

/** Decodes and checks `raw`; throws MempoolError with the reason when it is not admissible. */
export function decodeTransaction(raw: Uint8Array, context: DecodeContext): DecodedTransaction {
  if (raw.length > context.maxTxBytes) {
    throw new MempoolError(Code.OversizedData, `transaction size ${raw.length}, limit ${context.maxTxBytes}`);
  }
  const type = envelopeType(raw);
  const fields = decodeFields(raw, type);
  checkChainId(type, fields, context);
  checkFeeCaps(type, fields);
  checkSignatureValues(type, fields);
  checkInitCode(type, fields);
  checkAuthorizations(type, fields);
  const tx = construct(type, fields, context.common);
  if (!bytesEqual(tx.serialize(), raw)) {
    throw new MempoolError(Code.InvalidEncoding, 'not in canonical form (re-encoding differs); encode it with a standard library');
  }
  return describe(tx, type, raw, context);
}

function envelopeType(raw: Uint8Array): SupportedTxType {
  if (raw.length === 0) throw new MempoolError(Code.InvalidEncoding, 'empty input');
  const first = raw[0]!;
  if (first >= RLP_LIST_PREFIX) return 0;
  if (first === TransactionType.AccessListEIP2930 || first === TransactionType.FeeMarketEIP1559 || first === TransactionType.EOACodeEIP7702) return first;
  const name = UNSUPPORTED_TYPE_NAMES[first];
  const detail = name === undefined ? `type 0x${first.toString(16).padStart(2, '0')} is unknown` : `type ${first} (${name}) is not accepted by this chain`;
  throw new MempoolError(Code.TxTypeNotSupported, `${detail}; send a legacy, EIP-2930, EIP-1559 or EIP-7702 transaction`);
}

function decodeFields(raw: Uint8Array, type: SupportedTxType): Uint8Array[] {
  // Deeper nesting than a transaction has costs the decoder seconds (chain/rlp.ts).
  const violation = transactionShapeViolation(raw);
  if (violation !== undefined) throw new MempoolError(Code.InvalidEncoding, `bad RLP: ${violation}`);
  let decoded: unknown;
  try {
    decoded = RLP.decode(type === 0 ? raw : raw.subarray(1));
  } catch (error) {
    throw new MempoolError(Code.InvalidEncoding, `bad RLP: ${(error as Error).message}`);
  }
  if (!Array.isArray(decoded)) throw new MempoolError(Code.InvalidEncoding, 'the payload is not an RLP list');
  const expected = SIGNED_FIELDS[type]!;
  if (decoded.length !== expected) {
    const why = decoded.length === expected - 3 ? 'the transaction is not signed' : `expected ${expected} fields, got ${decoded.length}`;
    throw new MempoolError(Code.InvalidEncoding, why);
  }
  return decoded as Uint8Array[];
}

/** The signature triple sits in the last three fields of every supported type. */
function signatureFields(fields: Uint8Array[]): { v: bigint; r: bigint; s: bigint } {
  const n = fields.length;
  return { v: fieldToBigInt(fields[n - 3]), r: fieldToBigInt(fields[n - 2]), s: fieldToBigInt(fields[n - 1]) };
}

function fieldToBigInt(field: unknown): bigint {
  if (!(field instanceof Uint8Array)) throw new MempoolError(Code.InvalidEncoding, 'a scalar field holds a list');
  return bytesToBigInt(field);
}

function checkChainId(type: SupportedTxType, fields: Uint8Array[], context: DecodeContext): void {
  let chainId: bigint;
  if (type === 0) {
    const { v } = signatureFields(fields);
    if (v === 27n || v === 28n) {
      if (context.allowUnprotected) return;
      throw new MempoolError(Code.UnprotectedTx, `sign with chain id ${context.chainId} (EIP-155)`);
    }
    if (v < 35n) throw new MempoolError(Code.InvalidSignature, `legacy v must be 27, 28 or chainId * 2 + 35/36, got ${v}`);
    chainId = (v - 35n) / 2n;
  } else {
    chainId = fieldToBigInt(fields[0]);
  }
  if (chainId !== context.chainId) {
    throw new MempoolError(Code.InvalidChainId, `have ${chainId} want ${context.chainId}`);
  }
}

function checkFeeCaps(type: SupportedTxType, fields: Uint8Array[]): void {
  if (type !== 2 && type !== 4) return;
  const tip = fieldToBigInt(fields[2]);
  const cap = fieldToBigInt(fields[3]);
  if (tip > cap) throw new MempoolError(Code.TipAboveFeeCap, `maxPriorityFeePerGas: ${tip}, maxFeePerGas: ${cap}`);
}

function checkSignatureValues(type: SupportedTxType, fields: Uint8Array[]): void {
  const { v, r, s } = signatureFields(fields);
  if (type !== 0 && v !== 0n && v !== 1n) {
    throw new MempoolError(Code.InvalidSignature, `y parity must be 0 or 1, got ${v}`);
  }
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) {
    throw new MempoolError(Code.InvalidSignature, 'r and s must lie in [1, n - 1] of secp256k1');
  }
  if (s > SECP256K1_HALF_N) {
    throw new MempoolError(Code.InvalidSignature, 's is greater than secp256k1n/2 (EIP-2); normalize the signature to low s');
  }
}

function construct(type: SupportedTxType, fields: Uint8Array[], common: Common): SignedTx {
  const values = fields as never;
  const options = { common };
  try {
    if (type === 0) return createLegacyTxFromBytesArray(values, options);
    if (type === 1) return createAccessList2930TxFromBytesArray(values, options);
    if (type === 4) return createEOACode7702TxFromBytesArray(values, options);
    return create1559FeeMarketTxFromBytesArray(values, options);
  } catch (error) {
    throw new MempoolError(Code.InvalidEncoding, stripContext((error as Error).message));
  }
}

/** EIP-3860 caps init code; an empty `to` is a contract creation (EIP-7702 forbids one: ethereumjs refuses it). */
function checkInitCode(type: SupportedTxType, fields: Uint8Array[]): void {
  const to = fields[TO_FIELD[type]]!;
  const data = fields[TO_FIELD[type] + 2]!;
  if (to.length === 0 && data.length > MAX_INITCODE_BYTES) {
    throw new MempoolError(Code.MaxInitCodeSizeExceeded, `code size ${data.length}, limit ${MAX_INITCODE_BYTES}`);
  }
}

/** The chain's bound on EIP-7702 authorizations, checked before any of them is decoded. */
function checkAuthorizations(type: SupportedTxType, fields: Uint8Array[]): void {
  if (type !== 4) return;
  const list = fields[AUTHORIZATION_LIST_FIELD] as unknown;
  if (!Array.isArray(list)) throw new MempoolError(Code.InvalidEncoding, 'the authorization list is not an RLP list');
  const problem = authorizationListProblem(list.length);
  if (problem !== undefined) throw new MempoolError(Code.InvalidEncoding, problem);
}

/** @ethereumjs appends a dump of the transaction in parentheses; the caller already has it. */
function stripContext(message: string): string {
  const cut = message.indexOf(' (tx type=');
  return cut === -1 ? message : message.slice(0, cut);
}

function describe(tx: SignedTx, type: SupportedTxType, raw: Uint8Array, context: DecodeContext): DecodedTransaction {
  let senderAddress;
  try {
    senderAddress = tx.getSenderAddress();
  } catch {
    throw new MempoolError(Code.InvalidSender, 'the signature does not recover to a public key');
  }
  const minimumGas = getMinimumGasLimit(tx, senderAddress);
  if (tx.gasLimit < minimumGas) {
    throw new MempoolError(Code.IntrinsicGasTooLow, `gas ${tx.gasLimit}, minimum needed ${minimumGas}`);
  }
  if (tx.gasLimit > context.blockGasLimit) {
    throw new MempoolError(Code.GasLimitExceeded, `gas ${tx.gasLimit}, block gas limit ${context.blockGasLimit}`);
  }
  const maxFeePerGas = 'gasPrice' in tx ? tx.gasPrice : tx.maxFeePerGas;
  const maxPriorityFeePerGas = 'gasPrice' in tx ? tx.gasPrice : tx.maxPriorityFeePerGas;
  return {
    hash: transactionHash(raw),
    sender: `0x${toHex(senderAddress.bytes)}`,
    nonce: tx.nonce,
    type,
    to: tx.to === undefined ? null : `0x${toHex(tx.to.bytes)}`,
    value: tx.value,
    gasLimit: tx.gasLimit,
    maxFeePerGas,
    maxPriorityFeePerGas,
    cost: tx.gasLimit * maxFeePerGas + tx.value,
    raw,
  };
}
