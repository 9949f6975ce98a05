// A block with its finality certificate, as sync sends it and an archive keeps it: read from a
// node's store, and checked before anything of it is executed. One home for both: sync serves and
// applies peers' blocks with these, and `synod export` / `synod import` (chain-archive.ts) too.
import { verifyCertificate, type SignatureCheck } from '../chain/certificate.js';
import type { BlockRecord, FinalityCertificate, TransactionRecord } from '../chain/types.js';
import { fromHex } from '../crypto/bytes.js';
import type { BlockResult, ExecutionEngine } from '../execution/engine.js';
import { ExecutionError } from '../execution/errors.js';
import type { Committee } from '../stake/committee.js';
import type { SyncedBlock } from './wire.js';

/** What reading a certified block needs from a store or an engine. */
export interface CertifiedBlockSource {
  getBlockByNumber(number: bigint): BlockRecord | undefined;
  getCertificate(height: bigint): FinalityCertificate | undefined;
  getTransaction(hash: BlockRecord['transactions'][number]): TransactionRecord | undefined;
}

/**
 * The block at `height` with its certificate and raw transactions; undefined when the block or its
 * certificate is not stored (yet); 'missing-body' when the store lacks a transaction of a block it
 * holds (serve nothing rather than a wrong block).
 */
export function certifiedBlockAt(source: CertifiedBlockSource, height: bigint): SyncedBlock | undefined | 'missing-body' {
  const block = source.getBlockByNumber(height);
  const certificate = source.getCertificate(height);
  if (block === undefined || certificate === undefined) return undefined;
  const transactions: Uint8Array[] = [];
  for (const hash of block.transactions) {
    const record = source.getTransaction(hash);
    if (record === undefined) return 'missing-body';
    transactions.push(fromHex(record.raw));
  }
  return { height, timestamp: block.timestamp, extraData: block.extraData, epoch: block.consensus.epoch, proposers: block.consensus.proposers, transactions, certificate };
}

/** Bytes a certified block takes on the wire, near enough to budget replies and archive chunks. */
export function certifiedBlockBytes(block: SyncedBlock): number {
  return block.transactions.reduce((sum, tx) => sum + tx.length + 8, 0) + 1024 + 100 * block.certificate.signatures.length;
}

export interface CertifiedBlockContext {
  readonly chainId: bigint;
  readonly committeeOfEpoch: (epoch: number) => Committee | undefined;
  /** The epoch a height belongs to (src/stake/epochs.ts epochOfHeight over the genesis's E). */
  readonly epochOfHeight: (height: bigint) => number;
  readonly verifySignature?: SignatureCheck;
}

export type CertifiedBlockProblem = { readonly fault: 'invalid-certificate' | 'forged'; readonly detail: string };

/**
 * Why `block` cannot be applied as certified, before executing anything of it: its certificate is
 * not a quorum of its epoch's committee for this chain and height, or it names proposers outside
 * that committee or out of order. The body itself is checked against the certificate by execution
 * (the engine commits nothing that does not match: ExecutionError CERTIFIED_MISMATCH).
 */
export function certifiedBlockProblem(block: SyncedBlock, context: CertifiedBlockContext): CertifiedBlockProblem | undefined {
  const cert = block.certificate;
  const invalid = (reason: string): CertifiedBlockProblem => ({ fault: 'invalid-certificate', detail: `block ${block.height}: ${reason}` });
  if (cert.chainId !== context.chainId) return invalid(`certificate for chain ${cert.chainId}, this is chain ${context.chainId}`);
  if (cert.height !== block.height) return invalid(`certificate for height ${cert.height}`);
  if (cert.epoch !== block.epoch) return invalid(`certificate of epoch ${cert.epoch} for a block of epoch ${block.epoch}`);
  const epoch = context.epochOfHeight(block.height);
  if (block.epoch !== epoch) return invalid(`height ${block.height} belongs to epoch ${epoch}, the block claims epoch ${block.epoch}`);
  const committee = context.committeeOfEpoch(cert.epoch);
  if (committee === undefined) return invalid(`certificate of unknown epoch ${cert.epoch}`);
  const check = verifyCertificate(cert, committee, context.verifySignature);
  if (!check.ok) return invalid(check.reason);
  if (block.proposers.some((p, i) => !Number.isInteger(p) || p < 0 || p >= committee.members.length || (i > 0 && p <= block.proposers[i - 1]!))) {
    return { fault: 'forged', detail: `block ${block.height} names proposers outside the committee or out of order` };
  }
  return undefined;
}

/**
 * Executes a checked certified block; the engine commits it only when it gives the certified
 * header and state root. A body that does not (or that no valid block could hold) answers
 * `{ forged }` with nothing stored; any other failure (disk, engine) is ours and is thrown.
 */
export async function executeCertifiedBlock(engine: Pick<ExecutionEngine, 'executeBlock'>, block: SyncedBlock): Promise<{ readonly result: BlockResult } | { readonly forged: string }> {
  try {
    const result = await engine.executeBlock({
      height: block.height,
      timestampMs: Number(block.timestamp) * 1000,
      transactions: block.transactions,
      extraData: block.extraData,
      consensus: { epoch: block.epoch, proposers: block.proposers },
      certificate: block.certificate,
    });
    return { result };
  } catch (error) {
    if (error instanceof ExecutionError && (error.code === 'CERTIFIED_MISMATCH' || error.code === 'INVALID_INPUT')) return { forged: error.message };
    throw error;
  }
}
