// Node-to-node messages other than consensus votes, each on its own transport channel and RLP
// encoded: certificate shares, transaction gossip, head status, and block sync.
import { RLP } from '@ethereumjs/rlp';
import { bytesToBigInt, fromHex, toHex, uintToBytes } from '../crypto/bytes.js';
import { rlpShapeViolation } from '../chain/rlp.js';
import type { FinalityCertificate, Hex } from '../chain/types.js';

export const CHANNEL = {
  consensus: 1,
  certificateShare: 2,
  transactions: 3,
  syncRequest: 4,
  syncResponse: 5,
  status: 6,
} as const;

export const MAX_SYNC_BLOCKS_PER_REQUEST = 64;
export const MAX_SYNC_RESPONSE_BYTES = 8 * 1024 * 1024;
export const MAX_GOSSIP_TRANSACTIONS_PER_FRAME = 4096;
/**
 * Bounds on a message's RLP, checked before it is decoded (chain/rlp.ts says why): nesting (the
 * deepest channel, a sync response, nests 5 lists: blocks, block, certificate, signatures, one
 * signature) and items. A small message (share, status, sync request) has a handful of fields.
 * A sync response of MAX_SYNC_BLOCKS_PER_REQUEST blocks carries a few thousand transactions per
 * block at most (a 60M-gas block holds at most 2,857), so 8,192 items per block.
 */
export const MAX_WIRE_RLP_DEPTH = 8;
export const MAX_SMALL_MESSAGE_RLP_ITEMS = 64;
export const MAX_SYNC_RESPONSE_RLP_ITEMS = MAX_SYNC_BLOCKS_PER_REQUEST * 8_192;

export class WireError extends Error {
  override readonly name = 'WireError';
}

const hexBytes = (hex: Hex): Uint8Array => fromHex(hex);
const asHex = (bytes: Uint8Array): Hex => `0x${toHex(bytes)}`;
/** Minimal big-endian bytes of a non-negative integer (RLP's integer encoding). */
export const uint = (value: bigint | number): Uint8Array => {
  const v = BigInt(value);
  if (v === 0n) return new Uint8Array();
  let width = 0;
  for (let x = v; x > 0n; x >>= 8n) width++;
  return uintToBytes(v, width);
};

function asList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new WireError(`${what}: expected a list`);
  return value;
}
function asBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new WireError(`${what}: expected bytes`);
  return value;
}
function asUint(value: unknown, what: string, maxBytes = 8): bigint {
  const bytes = asBytes(value, what);
  if (bytes.length > maxBytes) throw new WireError(`${what}: integer too large`);
  if (bytes.length <= 6) {
    // up to 48 bits is exact in a double: no hex string per field (heights, epochs, indexes)
    let n = 0;
    for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i]!;
    return BigInt(n);
  }
  return bytesToBigInt(bytes);
}
function decodeList(bytes: Uint8Array, what: string, maxItems = MAX_SMALL_MESSAGE_RLP_ITEMS): unknown[] {
  const violation = rlpShapeViolation(bytes, { maxDepth: MAX_WIRE_RLP_DEPTH, maxItems });
  if (violation !== undefined) throw new WireError(`${what}: ${violation}`);
  try {
    return asList(RLP.decode(bytes), what);
  } catch (error) {
    if (error instanceof WireError) throw error;
    throw new WireError(`${what}: malformed RLP`);
  }
}

// ---------------------------------------------------------------- certificate shares

export interface CertificateShare {
  readonly height: bigint;
  readonly blockHash: Hex;
  readonly stateRoot: Hex;
  readonly validatorIndex: number;
  readonly signature: Hex;
}

export function encodeCertificateShare(share: CertificateShare): Uint8Array {
  return RLP.encode([uint(share.height), hexBytes(share.blockHash), hexBytes(share.stateRoot), uint(share.validatorIndex), hexBytes(share.signature)]);
}

export function decodeCertificateShare(bytes: Uint8Array): CertificateShare {
  const [height, blockHash, stateRoot, index, signature] = decodeList(bytes, 'certificate share');
  const share = {
    height: asUint(height, 'height'),
    blockHash: asHex(asBytes(blockHash, 'blockHash')),
    stateRoot: asHex(asBytes(stateRoot, 'stateRoot')),
    validatorIndex: Number(asUint(index, 'validatorIndex', 2)),
    signature: asHex(asBytes(signature, 'signature')),
  };
  if (share.blockHash.length !== 66 || share.stateRoot.length !== 66 || share.signature.length !== 130) {
    throw new WireError('certificate share: wrong field length');
  }
  return share;
}

// ---------------------------------------------------------------- transaction gossip

export function encodeTransactions(transactions: readonly Uint8Array[]): Uint8Array {
  return RLP.encode(transactions as Uint8Array[]);
}

export function decodeTransactions(bytes: Uint8Array): Uint8Array[] {
  const list = decodeList(bytes, 'transactions', 1 + MAX_GOSSIP_TRANSACTIONS_PER_FRAME);
  if (list.length > MAX_GOSSIP_TRANSACTIONS_PER_FRAME) throw new WireError('transactions: too many in one frame');
  return list.map((tx, i) => asBytes(tx, `transactions[${i}]`));
}

// ---------------------------------------------------------------- status

export interface HeadStatus {
  readonly head: bigint;
  readonly certified: bigint;
}

export function encodeStatus(status: HeadStatus): Uint8Array {
  return RLP.encode([uint(status.head), uint(status.certified)]);
}

export function decodeStatus(bytes: Uint8Array): HeadStatus {
  const [head, certified] = decodeList(bytes, 'status');
  return { head: asUint(head, 'head'), certified: asUint(certified, 'certified') };
}

// ---------------------------------------------------------------- sync

export interface SyncRequest {
  readonly from: bigint;
  readonly count: number;
}

export function encodeSyncRequest(request: SyncRequest): Uint8Array {
  return RLP.encode([uint(request.from), uint(request.count)]);
}

export function decodeSyncRequest(bytes: Uint8Array): SyncRequest {
  const [from, count] = decodeList(bytes, 'sync request');
  const request = { from: asUint(from, 'from'), count: Number(asUint(count, 'count', 4)) };
  if (request.from < 1n || request.count < 1 || request.count > MAX_SYNC_BLOCKS_PER_REQUEST) throw new WireError('sync request: out of range');
  return request;
}

/** What a node needs to re-execute a finalized block and check it against its certificate. */
export interface SyncedBlock {
  readonly height: bigint;
  readonly timestamp: bigint;
  readonly extraData: Hex;
  readonly epoch: number;
  readonly proposers: readonly number[];
  readonly transactions: readonly Uint8Array[];
  readonly certificate: FinalityCertificate;
}

export function encodeSyncResponse(blocks: readonly SyncedBlock[]): Uint8Array {
  return RLP.encode(
    blocks.map((b) => [
      uint(b.height),
      uint(b.timestamp),
      hexBytes(b.extraData),
      uint(b.epoch),
      b.proposers.map(uint),
      b.transactions as Uint8Array[],
      [
        uint(b.certificate.chainId),
        uint(b.certificate.epoch),
        hexBytes(b.certificate.blockHash),
        hexBytes(b.certificate.stateRoot),
        b.certificate.signatures.map((s) => [uint(s.validatorIndex), hexBytes(s.signature)]),
      ],
    ]),
  );
}

export function decodeSyncResponse(bytes: Uint8Array): SyncedBlock[] {
  const list = decodeList(bytes, 'sync response', MAX_SYNC_RESPONSE_RLP_ITEMS);
  if (list.length > MAX_SYNC_BLOCKS_PER_REQUEST) throw new WireError('sync response: too many blocks');
  return list.map((item, i) => {
    const [height, timestamp, extraData, epoch, proposers, transactions, cert] = asList(item, `block ${i}`);
    const [chainId, certEpoch, blockHash, stateRoot, signatures] = asList(cert, `block ${i} certificate`);
    const h = asUint(height, 'height');
    return {
      height: h,
      timestamp: asUint(timestamp, 'timestamp'),
      extraData: asHex(asBytes(extraData, 'extraData')),
      epoch: Number(asUint(epoch, 'epoch', 4)),
      proposers: asList(proposers, 'proposers').map((p) => Number(asUint(p, 'proposer', 2))),
      transactions: asList(transactions, 'transactions').map((t, j) => asBytes(t, `transactions[${j}]`)),
      certificate: {
        chainId: asUint(chainId, 'chainId'),
        height: h,
        epoch: Number(asUint(certEpoch, 'epoch', 4)),
        blockHash: asHex(asBytes(blockHash, 'blockHash')),
        stateRoot: asHex(asBytes(stateRoot, 'stateRoot')),
        signatures: asList(signatures, 'signatures').map((s) => {
          const [index, signature] = asList(s, 'signature');
          return { validatorIndex: Number(asUint(index, 'validatorIndex', 2)), signature: asHex(asBytes(signature, 'signature')) };
        }),
      },
    };
  });
}

/** The height of a consensus wire message, read without decoding it (version u8, height u64 BE). */
export function peekConsensusHeight(bytes: Uint8Array): number | undefined {
  if (bytes.length < 9) return undefined;
  // u64 big-endian as two words (no BigInt per frame): above 2^53 - 1 is no height we hold
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(1);
  if (high >= 2 ** 21) return undefined;
  return high * 2 ** 32 + view.getUint32(5);
}
