// Epochs: which heights an epoch covers, and how its committee is drawn. Heights 1..E are epoch 0
// (genesis's committee), heights eE+1..(e+1)E epoch e. The committee of epoch e >= 1 is drawn
// with the sampler of `synod analyze` (sampler.ts) from the validators' weights in the state after
// block eE, the last block of epoch e-1, seeded by that block's consensus digest: both are fixed
// by the certificate of that block, which the outgoing committee signs, so the certificate proves
// the hand-over to anyone who holds the outgoing committee (docs/decisions/0027-epochs.md).
import { uintToBytes, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import type { Committee, CommitteeMember } from './committee.js';
import { StakeError } from './errors.js';
import { sampleCommittee } from './sampler.js';

/** No rotation: one epoch (0) for the whole chain. */
export const NO_EPOCHS = 0;
/** Fewest blocks in an epoch: its last block must leave room for at least one more. */
export const MIN_EPOCH_LENGTH_BLOCKS = 2;
/** Most blocks in an epoch (heights are exact doubles far beyond this). */
export const MAX_EPOCH_LENGTH_BLOCKS = 1_000_000_000;
export const EPOCH_SEED_DOMAIN = utf8('synod/epoch-committee/v1');

export interface EpochValidator {
  readonly id: string;
  /** ed25519 consensus key, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** V_i as an integer (weight.ts weightUnits); 0 is never drawn. */
  readonly weight: bigint;
}

/** The epoch of `height` (>= 1) for epochs of `epochLength` blocks (NO_EPOCHS: always 0). */
export function epochOfHeight(height: number | bigint, epochLength: number): number {
  const h = Number(height);
  if (epochLength === NO_EPOCHS || h <= 0) return 0;
  return Math.floor((h - 1) / epochLength);
}

/** The first height of `epoch` (1 for epoch 0, and always without epochs). */
export function firstHeightOfEpoch(epoch: number, epochLength: number): number {
  return epochLength === NO_EPOCHS ? 1 : epoch * epochLength + 1;
}

/** The last height of `epoch` (undefined without epochs: epoch 0 never ends). */
export function lastHeightOfEpoch(epoch: number, epochLength: number): number | undefined {
  if (epochLength === NO_EPOCHS) return undefined;
  return (epoch + 1) * epochLength;
}

/** True when `height` is the last block of its epoch: the next committee is drawn from its state. */
export function endsEpoch(height: number | bigint, epochLength: number): boolean {
  return epochLength !== NO_EPOCHS && Number(height) > 0 && Number(height) % epochLength === 0;
}

/** Seed of epoch `epoch`'s draw: SHA-256(domain || epoch (8 bytes BE) || digest of the block before). */
export function epochCommitteeSeed(epoch: number, boundaryDigest: Uint8Array): Uint8Array {
  return sha256(EPOCH_SEED_DOMAIN, uintToBytes(epoch, 8), boundaryDigest);
}

/**
 * A committee of `size` drawn by weight (fewer when fewer validators have a positive weight), in
 * draw order: a member's index is its position in the draw.
 */
export function drawCommittee(epoch: number, validators: readonly EpochValidator[], size: number, seed: Uint8Array): Committee {
  const positive = validators.filter((v) => v.weight > 0n).length;
  if (positive === 0) throw new StakeError('ALL_WEIGHTS_ZERO', 'validators', `epoch ${epoch}: no validator has a positive weight`);
  const k = Math.min(size, positive);
  const byId = new Map(validators.map((v) => [v.id, v]));
  const members: CommitteeMember[] = sampleCommittee(validators, k, seed).map((id, index) => {
    const v = byId.get(id)!;
    return { index, id, publicKey: v.publicKey, weight: v.weight };
  });
  return { epoch, members, totalWeight: members.reduce((s, m) => s + m.weight, 0n) };
}

/** From `firstEpoch` on, starting at block `firstHeight`, epochs are `length` blocks long. */
export interface EpochSegment {
  readonly firstEpoch: number;
  readonly firstHeight: number;
  readonly length: number;
}

/**
 * The chain's epochs when their length has changed (validator governance: SynodStaking's
 * `epochChangesList`): the genesis's E up to the first change, each change's length from its
 * first epoch on. With no change it is exactly the functions above over the genesis's E.
 */
export class EpochPlan {
  private readonly segments: readonly EpochSegment[];

  constructor(
    readonly genesisLength: number,
    changes: readonly EpochSegment[] = [],
  ) {
    const base: EpochSegment = { firstEpoch: 0, firstHeight: 1, length: genesisLength };
    this.segments = genesisLength === NO_EPOCHS ? [base] : [base, ...EpochPlan.checked(genesisLength, changes)];
  }

  /** The changes as the contract recorded them, refused unless each continues the one before. */
  private static checked(genesisLength: number, changes: readonly EpochSegment[]): EpochSegment[] {
    let previous: EpochSegment = { firstEpoch: 0, firstHeight: 1, length: genesisLength };
    const out: EpochSegment[] = [];
    for (const c of changes) {
      const expectedFirst = previous.firstHeight + (c.firstEpoch - previous.firstEpoch) * previous.length;
      if (!Number.isSafeInteger(c.firstEpoch) || c.firstEpoch <= previous.firstEpoch || c.firstHeight !== expectedFirst || !Number.isSafeInteger(c.length) || c.length < MIN_EPOCH_LENGTH_BLOCKS || c.length > MAX_EPOCH_LENGTH_BLOCKS) {
        throw new StakeError('INVALID_NUMBER', 'epochChanges', `epoch change ${JSON.stringify(c)} does not continue the epochs before it`);
      }
      out.push(c);
      previous = c;
    }
    return out;
  }

  /** The changes after genesis (what the contract lists). */
  get changes(): readonly EpochSegment[] {
    return this.segments.slice(1);
  }

  private segmentOfHeight(height: number): EpochSegment {
    for (let i = this.segments.length - 1; i > 0; i--) if (height >= this.segments[i]!.firstHeight) return this.segments[i]!;
    return this.segments[0]!;
  }

  private segmentOfEpoch(epoch: number): EpochSegment {
    for (let i = this.segments.length - 1; i > 0; i--) if (epoch >= this.segments[i]!.firstEpoch) return this.segments[i]!;
    return this.segments[0]!;
  }

  epochOf(height: number | bigint): number {
    const h = Number(height);
    if (this.genesisLength === NO_EPOCHS || h <= 0) return 0;
    const s = this.segmentOfHeight(h);
    return s.firstEpoch + Math.floor((h - s.firstHeight) / s.length);
  }

  /** Blocks in `epoch` (NO_EPOCHS on a chain without epochs). */
  lengthOf(epoch: number): number {
    return this.segmentOfEpoch(epoch).length;
  }

  firstHeight(epoch: number): number {
    if (this.genesisLength === NO_EPOCHS) return 1;
    const s = this.segmentOfEpoch(epoch);
    return s.firstHeight + (epoch - s.firstEpoch) * s.length;
  }

  /** undefined without epochs. */
  lastHeight(epoch: number): number | undefined {
    if (this.genesisLength === NO_EPOCHS) return undefined;
    return this.firstHeight(epoch) + this.lengthOf(epoch) - 1;
  }

  endsEpoch(height: number | bigint): boolean {
    const h = Number(height);
    if (this.genesisLength === NO_EPOCHS || h <= 0) return false;
    return this.lastHeight(this.epochOf(h)) === h;
  }
}
