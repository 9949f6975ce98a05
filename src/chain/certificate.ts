// Finality certificates: the bytes a validator signs for (chain id, height, block hash, state
// root), the check that a certificate carries more than 2/3 of the committee's weight in valid
// signatures, and the collector that aggregates signature shares into one.
import type { CertificateSignature, FinalityCertificate, Hex } from './types.js';
import { concatBytes, fromHex, toHex, uintToBytes, utf8 } from '../crypto/bytes.js';
import { verify } from '../crypto/ed25519.js';
import { WeightTally, isQuorum } from '../stake/quorum.js';
import type { Committee, CommitteeMember } from '../stake/committee.js';

export type { Committee, CommitteeMember } from '../stake/committee.js';

/** Domain separation: a finality signature can never be replayed as any other signed message. */
export const CERTIFICATE_DOMAIN = 'synod/finality/v1';
const CHAIN_ID_BYTES = 32;
const HEIGHT_BYTES = 8;
const HASH_BYTES = 32;

/** Certificates are checked against the members and weights of their epoch's committee. */
export type CertificateCommittee = Pick<Committee, 'members' | 'totalWeight'>;

/** Checks one ed25519 signature; the simulator injects a cheap deterministic twin. */
export type SignatureCheck = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export type CertificateCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function hash32(value: Hex, field: string): Uint8Array {
  const bytes = fromHex(value);
  if (bytes.length !== HASH_BYTES) throw new Error(`${field} must be 32 bytes, got ${bytes.length}`);
  return bytes;
}

/** domain || chainId (32 bytes BE) || height (8 bytes BE) || blockHash || stateRoot. */
export function certificateMessage(chainId: bigint, height: bigint, blockHash: Hex, stateRoot: Hex): Uint8Array {
  return concatBytes(utf8(CERTIFICATE_DOMAIN), uintToBytes(chainId, CHAIN_ID_BYTES), uintToBytes(height, HEIGHT_BYTES), hash32(blockHash, 'blockHash'), hash32(stateRoot, 'stateRoot'));
}

function signatureBytes(signature: Hex): Uint8Array | undefined {
  try {
    return fromHex(signature);
  } catch {
    return undefined;
  }
}

/**
 * Checks every signature, counts each validator once (a repeated signer makes the certificate
 * invalid), rejects unknown indices, and requires a weight quorum (more than 2/3 of the total).
 */
export function verifyCertificate(certificate: FinalityCertificate, committee: CertificateCommittee, verifySignature: SignatureCheck = verify): CertificateCheck {
  const members = new Map(committee.members.map((m) => [m.index, m]));
  let message: Uint8Array;
  try {
    message = certificateMessage(certificate.chainId, certificate.height, certificate.blockHash, certificate.stateRoot);
  } catch (error) {
    return { ok: false, reason: `malformed certificate: ${(error as Error).message}` };
  }
  const tally = new WeightTally<number>();
  for (const { validatorIndex, signature } of certificate.signatures) {
    const member = members.get(validatorIndex);
    if (member === undefined) return { ok: false, reason: `validator ${validatorIndex} is not in the committee` };
    if (tally.has(validatorIndex)) return { ok: false, reason: `validator ${validatorIndex} signed more than once` };
    const bytes = signatureBytes(signature);
    if (bytes === undefined || !verifySignature(member.publicKey, message, bytes)) {
      return { ok: false, reason: `invalid signature of validator ${validatorIndex}` };
    }
    tally.add(validatorIndex, member.weight);
  }
  if (!isQuorum(tally.weight, committee.totalWeight)) {
    return { ok: false, reason: `signatures hold weight ${tally.weight} of ${committee.totalWeight}: more than 2/3 is required` };
  }
  return { ok: true };
}

/** One validator's signature over (height, block hash, state root), as it arrives from the network. */
export interface SignatureShare {
  readonly validatorIndex: number;
  readonly blockHash: Hex;
  readonly stateRoot: Hex;
  readonly signature: Hex;
}

/** Two valid signatures by one validator over different (block hash, state root) at one height. */
export interface ConflictingShares {
  readonly validatorIndex: number;
  readonly height: bigint;
  readonly first: SignatureShare;
  readonly second: SignatureShare;
}

export type ShareOutcome = 'added' | 'complete' | 'duplicate' | 'not-member' | 'bad-signature' | 'conflict' | 'malformed';

interface Candidate {
  readonly blockHash: Hex;
  readonly stateRoot: Hex;
  readonly tally: WeightTally<number>;
  readonly signatures: CertificateSignature[];
}

/**
 * Aggregates the shares of one height into a certificate. Memory is bounded by the committee:
 * each member counts for the first (hash, root) it signs; a second, different one is kept only
 * as evidence (at most one per member).
 */
export class CertificateCollector {
  private readonly members: Map<number, CommitteeMember>;
  private readonly firstShare = new Map<number, SignatureShare>();
  private readonly candidates = new Map<string, Candidate>();
  private readonly conflicts = new Map<number, ConflictingShares>();
  private done: FinalityCertificate | undefined;

  constructor(
    readonly chainId: bigint,
    readonly height: bigint,
    readonly epoch: number,
    private readonly committee: CertificateCommittee,
    private readonly verifySignature: SignatureCheck = verify,
  ) {
    this.members = new Map(committee.members.map((m) => [m.index, m]));
  }

  add(share: SignatureShare): ShareOutcome {
    const member = this.members.get(share.validatorIndex);
    if (member === undefined) return 'not-member';
    const previous = this.firstShare.get(share.validatorIndex);
    const sameTarget = previous !== undefined && previous.blockHash === share.blockHash && previous.stateRoot === share.stateRoot;
    if (sameTarget || this.conflicts.has(share.validatorIndex)) return 'duplicate';
    let message: Uint8Array;
    try {
      message = certificateMessage(this.chainId, this.height, share.blockHash, share.stateRoot);
    } catch {
      return 'malformed';
    }
    const bytes = signatureBytes(share.signature);
    if (bytes === undefined || !this.verifySignature(member.publicKey, message, bytes)) return 'bad-signature';
    if (previous !== undefined) {
      this.conflicts.set(share.validatorIndex, { validatorIndex: share.validatorIndex, height: this.height, first: previous, second: share });
      return 'conflict';
    }
    this.firstShare.set(share.validatorIndex, share);
    return this.count(share, member) ? 'complete' : 'added';
  }

  private count(share: SignatureShare, member: CommitteeMember): boolean {
    const key = `${share.blockHash.toLowerCase()}/${share.stateRoot.toLowerCase()}`;
    let candidate = this.candidates.get(key);
    if (candidate === undefined) {
      candidate = { blockHash: share.blockHash, stateRoot: share.stateRoot, tally: new WeightTally<number>(), signatures: [] };
      this.candidates.set(key, candidate);
    }
    candidate.tally.add(member.index, member.weight);
    candidate.signatures.push({ validatorIndex: member.index, signature: `0x${toHex(fromHex(share.signature))}` as Hex });
    if (this.done === undefined && isQuorum(candidate.tally.weight, this.committee.totalWeight)) {
      this.done = {
        chainId: this.chainId,
        height: this.height,
        epoch: this.epoch,
        blockHash: candidate.blockHash,
        stateRoot: candidate.stateRoot,
        signatures: [...candidate.signatures].sort((a, b) => a.validatorIndex - b.validatorIndex),
      };
    }
    return this.done !== undefined;
  }

  /** The certificate once some (block hash, state root) holds a quorum of weight. */
  certificate(): FinalityCertificate | undefined {
    return this.done;
  }

  /** Validators caught signing two different results for this height. */
  evidence(): ConflictingShares[] {
    return [...this.conflicts.values()];
  }
}
