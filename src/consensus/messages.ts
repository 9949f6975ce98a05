// Wire codec of consensus messages. One signed envelope carries the items one member sends for
// one height at once (decision 0003): one ed25519 signature per envelope instead of per vote. The
// signature covers a Merkle root over the items' commitments (commitment.ts), so each item stays
// provable on its own: evidence and slashing need single votes, not envelopes.
//
// Layout (big-endian):
//   envelope = version u8 | height u64 | sender u16 | itemCount u16 | item* | signature[64]
//   signed   = commitment.ts signingPayload(chain binding, header, merkle root of item leaves)
//   item     = type u8 | body (per type, below)
import { sha256 } from '../crypto/hash.js';
import { utf8 } from '../crypto/bytes.js';
import { CHAIN_BINDING_BYTES, DIGEST_BYTES, leafHash, merkleRoot, signEnvelope } from './commitment.js';
import { MAX_ITEMS_PER_MESSAGE, MAX_ROUND, MAX_TRANSACTION_BYTES } from './limits.js';
import type { Bit, Height, MessageSigner, ValidatorIndex } from './types.js';

export { CHAIN_BINDING_BYTES, DIGEST_BYTES } from './commitment.js';
export const WIRE_VERSION = 2;
export const SIGNATURE_BYTES = 64;
const HEADER_BYTES = 1 + 8 + 2 + 2;
const CHAIN_BINDING_DOMAIN = utf8('synod/chain/v1\0');
const BATCH_DOMAIN = utf8('synod/batch/v1\0');

export interface Batch {
  readonly timestampMs: number;
  readonly transactions: readonly Uint8Array[];
}

export type ConsensusMessage =
  | { readonly type: 'propose'; readonly batch: Batch } // the sender's own batch (RBC PROPOSE)
  | { readonly type: 'echo'; readonly instance: ValidatorIndex; readonly digest: Uint8Array }
  | { readonly type: 'ready'; readonly instance: ValidatorIndex; readonly digest: Uint8Array }
  | { readonly type: 'est'; readonly instance: ValidatorIndex; readonly round: number; readonly value: Bit }
  | { readonly type: 'coord'; readonly instance: ValidatorIndex; readonly round: number; readonly value: Bit }
  | { readonly type: 'aux'; readonly instance: ValidatorIndex; readonly round: number; readonly values: readonly Bit[] }
  | { readonly type: 'decided'; readonly instance: ValidatorIndex; readonly round: number; readonly value: Bit }
  | { readonly type: 'fetch'; readonly instance: ValidatorIndex; readonly digest: Uint8Array } // "send me this batch"
  | { readonly type: 'batch'; readonly instance: ValidatorIndex; readonly batch: Batch } // answer to fetch
  | { readonly type: 'stateRequest' }; // "re-send me what you sent for this height"

export type MessageType = ConsensusMessage['type'];

const TYPE_CODES: Readonly<Record<MessageType, number>> = {
  propose: 1,
  echo: 2,
  ready: 3,
  est: 4,
  coord: 5,
  aux: 6,
  decided: 7,
  fetch: 8,
  batch: 9,
  stateRequest: 10,
};
const TYPE_BY_CODE = new Map<number, MessageType>(Object.entries(TYPE_CODES).map(([t, c]) => [c, t as MessageType]));

export interface Envelope {
  readonly height: Height;
  readonly sender: ValidatorIndex;
  readonly items: readonly ConsensusMessage[];
}

export interface SignedEnvelope extends Envelope {
  /** Each item's commitment (what its Merkle leaf hashes; see commitment.ts). */
  readonly commitments: readonly Uint8Array[];
  /** Each item's Merkle leaf. */
  readonly leaves: readonly Uint8Array[];
  /** The Merkle root the signature covers. */
  readonly root: Uint8Array;
  /** The batch digest of each propose or batch item (null for votes), computed once at decode. */
  readonly batchDigests: readonly (Uint8Array | null)[];
  readonly signature: Uint8Array;
  /** The whole wire message: header, items, then signature. */
  readonly bytes: Uint8Array;
}

/** Bytes that fail to decode. `detail` says which field was wrong. */
export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
  constructor(
    message: string,
    /** 'oversize' when a size limit was exceeded, 'malformed' for anything else. */
    readonly reason: 'malformed' | 'oversize' = 'malformed',
  ) {
    super(message);
  }
}

export interface DecodeLimits {
  readonly maxMessageBytes: number;
  readonly maxBatchBytes: number;
  readonly maxBatchTransactions: number;
}

// ---------------------------------------------------------------- encoding

class Writer {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  u8(v: number): void {
    this.push(Uint8Array.of(v));
  }
  u16(v: number): void {
    this.push(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }
  u32(v: number): void {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, v);
    this.push(out);
  }
  u64(v: number): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(v));
    this.push(out);
  }
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeBatch(w: Writer, batch: Batch): void {
  w.u64(batch.timestampMs);
  w.u32(batch.transactions.length);
  for (const tx of batch.transactions) {
    w.u32(tx.length);
    w.push(tx);
  }
}

function writeItem(w: Writer, item: ConsensusMessage): void {
  w.u8(TYPE_CODES[item.type]);
  switch (item.type) {
    case 'propose':
      return writeBatch(w, item.batch);
    case 'echo':
    case 'ready':
    case 'fetch':
      w.u16(item.instance);
      return w.push(item.digest);
    case 'est':
    case 'coord':
    case 'decided':
      w.u16(item.instance);
      w.u16(item.round);
      return w.u8(item.value);
    case 'aux':
      w.u16(item.instance);
      w.u16(item.round);
      return w.u8(auxMask(item.values));
    case 'batch':
      w.u16(item.instance);
      return writeBatch(w, item.batch);
    case 'stateRequest':
      return;
  }
}

function auxMask(values: readonly Bit[]): number {
  let mask = 0;
  for (const v of values) mask |= v === 0 ? 1 : 2;
  return mask;
}

/** The encoding of one item (type and body), as it appears on the wire. */
export function encodeItem(item: ConsensusMessage): Uint8Array {
  const w = new Writer();
  writeItem(w, item);
  return w.finish();
}

/** An item's commitment: its encoding, or for a batch-carrying item type | instance | batch digest. */
export function itemCommitment(height: Height, sender: ValidatorIndex, item: ConsensusMessage, encoded?: Uint8Array, digest?: Uint8Array | null): Uint8Array {
  if (item.type !== 'propose' && item.type !== 'batch') return encoded ?? encodeItem(item);
  const proposer = item.type === 'propose' ? sender : item.instance;
  const out = new Uint8Array(3 + DIGEST_BYTES);
  out[0] = TYPE_CODES[item.type];
  out[1] = (proposer >>> 8) & 0xff;
  out[2] = proposer & 0xff;
  out.set(digest ?? batchDigest(height, proposer, item.batch), 3);
  return out;
}

/** The unsigned header and items of an envelope. Throws on values the format cannot carry. */
export function encodeEnvelopeBody(envelope: Envelope): Uint8Array {
  checkEnvelope(envelope);
  const w = new Writer();
  w.u8(WIRE_VERSION);
  w.u64(envelope.height);
  w.u16(envelope.sender);
  w.u16(envelope.items.length);
  for (const item of envelope.items) writeItem(w, item);
  return w.finish();
}

function checkEnvelope(envelope: Envelope): void {
  if (!Number.isSafeInteger(envelope.height) || envelope.height < 1) throw new RangeError(`height must be a positive integer, got ${envelope.height}`);
  if (envelope.items.length === 0 || envelope.items.length > MAX_ITEMS_PER_MESSAGE) throw new RangeError(`an envelope carries 1 to ${MAX_ITEMS_PER_MESSAGE} items`);
}

/**
 * The 32 bytes every consensus signature commits to besides its message: the chain id and the
 * genesis hash, so a key used on two networks cannot have its votes replayed from one to the other.
 */
export function chainBinding(chainId: bigint, genesisHash: Uint8Array): Uint8Array {
  const w = new Writer();
  w.push(CHAIN_BINDING_DOMAIN);
  const id = new Uint8Array(32);
  new DataView(id.buffer).setBigUint64(24, chainId & 0xffffffffffffffffn);
  new DataView(id.buffer).setBigUint64(16, (chainId >> 64n) & 0xffffffffffffffffn);
  w.push(id);
  w.push(genesisHash);
  return sha256(w.finish());
}

/** Signs and encodes an envelope: the wire bytes a member broadcasts or sends. */
export function encodeSignedMessage(envelope: Envelope, signer: MessageSigner, binding: Uint8Array): Uint8Array {
  if (binding.length !== CHAIN_BINDING_BYTES) throw new RangeError(`chain binding must be ${CHAIN_BINDING_BYTES} bytes`);
  checkEnvelope(envelope);
  const w = new Writer();
  w.u8(WIRE_VERSION);
  w.u64(envelope.height);
  w.u16(envelope.sender);
  w.u16(envelope.items.length);
  const leaves: Uint8Array[] = [];
  for (const item of envelope.items) {
    const encoded = encodeItem(item);
    w.push(encoded);
    leaves.push(leafHash(itemCommitment(envelope.height, envelope.sender, item, encoded)));
  }
  w.push(signEnvelope(signer, binding, { height: envelope.height, sender: envelope.sender, itemCount: envelope.items.length }, leaves));
  return w.finish();
}

// ---------------------------------------------------------------- decoding

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  private need(n: number, field: string): void {
    if (this.remaining < n) throw new MessageDecodeError(`truncated message: ${field} needs ${n} bytes, ${this.remaining} left`);
  }
  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  u64(field: string): number {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MessageDecodeError(`${field} exceeds 2^53-1`);
    return Number(v);
  }
  get position(): number {
    return this.offset;
  }
  slice(from: number, to: number): Uint8Array {
    return this.bytes.slice(from, to);
  }
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

function readBit(r: Reader, field: string): Bit {
  const v = r.u8(field);
  if (v !== 0 && v !== 1) throw new MessageDecodeError(`${field} must be 0 or 1, got ${v}`);
  return v;
}

function readRound(r: Reader): number {
  const round = r.u16('round');
  if (round < 1 || round > MAX_ROUND) throw new MessageDecodeError(`round must be in 1..${MAX_ROUND}, got ${round}`);
  return round;
}

function readBatch(r: Reader, limits: DecodeLimits): Batch {
  const timestampMs = r.u64('timestampMs');
  const count = r.u32('transaction count');
  if (count > limits.maxBatchTransactions) throw new MessageDecodeError(`batch has ${count} transactions, limit ${limits.maxBatchTransactions}`, 'oversize');
  const transactions: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const length = r.u32('transaction length');
    if (length > MAX_TRANSACTION_BYTES) throw new MessageDecodeError(`transaction ${i} has ${length} bytes, limit ${MAX_TRANSACTION_BYTES}`, 'oversize');
    total += length;
    if (total > limits.maxBatchBytes) throw new MessageDecodeError(`batch exceeds ${limits.maxBatchBytes} bytes`, 'oversize');
    transactions.push(r.take(length, 'transaction'));
  }
  return { timestampMs, transactions };
}

function readItem(r: Reader, limits: DecodeLimits): ConsensusMessage {
  const code = r.u8('item type');
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) throw new MessageDecodeError(`unknown item type ${code}`);
  switch (type) {
    case 'propose':
      return { type, batch: readBatch(r, limits) };
    case 'echo':
    case 'ready':
    case 'fetch':
      return { type, instance: r.u16('instance'), digest: r.take(DIGEST_BYTES, 'digest') };
    case 'est':
    case 'coord':
    case 'decided':
      return { type, instance: r.u16('instance'), round: readRound(r), value: readBit(r, 'value') };
    case 'aux': {
      const instance = r.u16('instance');
      const round = readRound(r);
      const mask = r.u8('aux values');
      if (mask < 1 || mask > 3) throw new MessageDecodeError(`aux values mask must be 1, 2 or 3, got ${mask}`);
      const values: Bit[] = [];
      if (mask & 1) values.push(0);
      if (mask & 2) values.push(1);
      return { type, instance, round, values };
    }
    case 'batch':
      return { type, instance: r.u16('instance'), batch: readBatch(r, limits) };
    case 'stateRequest':
      return { type };
  }
}

/**
 * Decodes wire bytes into a signed envelope WITHOUT checking the signature (the core checks it
 * against the committee of the envelope's height). Throws MessageDecodeError on anything malformed.
 */
export function decodeSignedMessage(bytes: Uint8Array, limits: DecodeLimits): SignedEnvelope {
  if (bytes.length > limits.maxMessageBytes) throw new MessageDecodeError(`message of ${bytes.length} bytes exceeds ${limits.maxMessageBytes}`, 'oversize');
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) throw new MessageDecodeError(`message of ${bytes.length} bytes is shorter than a header and signature`);
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const r = new Reader(body);
  const version = r.u8('version');
  if (version !== WIRE_VERSION) throw new MessageDecodeError(`wire version ${version} unsupported (expected ${WIRE_VERSION})`);
  const height = r.u64('height');
  if (height < 1) throw new MessageDecodeError('height must be >= 1');
  const sender = r.u16('sender');
  const count = r.u16('item count');
  if (count === 0) throw new MessageDecodeError('message carries no items');
  // The encoder's bound: no honest member sends more, so more is refused before any is read.
  if (count > MAX_ITEMS_PER_MESSAGE) throw new MessageDecodeError(`message carries ${count} items, limit ${MAX_ITEMS_PER_MESSAGE}`, 'oversize');
  const items: ConsensusMessage[] = [];
  const commitments: Uint8Array[] = [];
  const leaves: Uint8Array[] = [];
  const batchDigests: (Uint8Array | null)[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.position;
    const item = readItem(r, limits);
    const digest = item.type === 'propose' ? batchDigest(height, sender, item.batch) : item.type === 'batch' ? batchDigest(height, item.instance, item.batch) : null;
    const commitment = itemCommitment(height, sender, item, digest === null ? r.slice(start, r.position) : undefined, digest);
    items.push(item);
    commitments.push(commitment);
    leaves.push(leafHash(commitment));
    batchDigests.push(digest);
  }
  if (r.remaining !== 0) throw new MessageDecodeError(`${r.remaining} trailing bytes after ${count} items`);
  return { height, sender, items, commitments, leaves, root: merkleRoot(leaves), batchDigests, signature: bytes.slice(bytes.length - SIGNATURE_BYTES), bytes };
}

// ---------------------------------------------------------------- digests

/** The digest echoed and readied for a batch: binds height, proposer, timestamp and transactions. */
export function batchDigest(height: Height, proposer: ValidatorIndex, batch: Batch): Uint8Array {
  const w = new Writer();
  w.push(BATCH_DOMAIN);
  w.u64(height);
  w.u16(proposer);
  writeBatch(w, batch);
  return sha256(w.finish());
}

/** Upper bound of an item's encoded size, to split a step's items into messages under the limit. */
export function itemEncodedBytes(item: ConsensusMessage): number {
  if (item.type === 'propose' || item.type === 'batch') return 16 + 4 * item.batch.transactions.length + batchBytes(item.batch);
  return 3 + 2 + DIGEST_BYTES;
}

export { RETAINED_BYTES_PER_ITEM } from './limits.js';

/** Bytes of a batch's transactions (what maxBatchBytes bounds). */
export function batchBytes(batch: Batch): number {
  let total = 0;
  for (const tx of batch.transactions) total += tx.length;
  return total;
}
