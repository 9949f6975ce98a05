// The simulated committee: weights, keys, and which members are Byzantine with which behaviour,
// all drawn from the run's seed. Byzantine members together hold just under 1/3 of the weight
// (the largest B with 3B < W) whenever there are any, so every run sits at the edge of safety.
import type { Committee, CommitteeMember, MessageSigner } from '../consensus/types.js';
import { maxFaultyWeight } from '../stake/quorum.js';
import { chainBinding } from '../consensus/messages.js';
import { sha256 } from '../crypto/hash.js';
import { utf8 } from '../crypto/bytes.js';
import { Rng } from './random.js';
import { endsEpoch, epochOfHeight, lastHeightOfEpoch } from '../stake/epochs.js';
import { CONSENSUS_BEHAVIOURS, type Behaviour, type Scenario } from './scenario.js';
import type { SignatureScheme } from './signatures.js';

/** The simulated chain: every run signs for this chain id and genesis. */
export const SIM_CHAIN_ID = 31337n;
export const SIM_CHAIN_BINDING = chainBinding(SIM_CHAIN_ID, sha256(utf8('synod/sim/genesis')));

export const HONEST_WEIGHT_MAX_UNITS = 1_000; // unequal stakes: honest weights drawn from 1..this
export const EQUAL_WEIGHT_UNITS = 100n;

export interface SimMember {
  readonly index: number;
  readonly weight: bigint;
  readonly signer: MessageSigner;
  /** null: honest. */
  readonly behaviour: Behaviour | null;
}

export interface SimCommittee {
  readonly committee: Committee;
  readonly members: readonly SimMember[];
  readonly byzantineWeight: bigint;
}

export function drawCommittee(scenario: Scenario, rng: Rng, scheme: SignatureScheme, behaviours: readonly Behaviour[] = CONSENSUS_BEHAVIOURS): SimCommittee {
  const n = scenario.validators;
  const byzantine = new Set(rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, scenario.byzantine));
  const weights = scenario.stakes === 'equal' ? Array.from({ length: n }, () => EQUAL_WEIGHT_UNITS) : unequalWeights(rng, n, byzantine);
  const members = weights.map((weight, index): SimMember => ({
    index,
    weight,
    signer: scheme.signerFor(scenario.seed, index),
    behaviour: byzantine.has(index) ? drawBehaviour(scenario, rng, behaviours) : null,
  }));
  const committee: Committee = {
    epoch: 0,
    totalWeight: weights.reduce((a, b) => a + b, 0n),
    members: members.map((m): CommitteeMember => ({ index: m.index, id: `v${m.index}`, publicKey: m.signer.publicKey, weight: m.weight })),
  };
  const byzantineWeight = members.filter((m) => m.behaviour !== null).reduce((a, m) => a + m.weight, 0n);
  if (byzantineWeight > maxFaultyWeight(committee.totalWeight)) throw new Error(`sim bug: Byzantine weight ${byzantineWeight} of ${committee.totalWeight} is not below 1/3`);
  return { committee, members, byzantineWeight };
}

function drawBehaviour(scenario: Scenario, rng: Rng, behaviours: readonly Behaviour[]): Behaviour {
  return scenario.strategy === 'adversary' ? rng.pick(behaviours) : scenario.strategy;
}

/** Honest weights drawn freely; Byzantine members split the largest B with 3B < W, unevenly. */
function unequalWeights(rng: Rng, n: number, byzantine: ReadonlySet<number>): bigint[] {
  const honest = Array.from({ length: n }, (_, i) => (byzantine.has(i) ? 0n : BigInt(rng.int(1, HONEST_WEIGHT_MAX_UNITS))));
  if (byzantine.size === 0) return honest;
  let honestTotal = honest.reduce((a, b) => a + b, 0n);
  // B + H = W and 3B < W  <=>  2B < H: the largest such B is (H - 1) / 2. Make room for one unit each.
  while ((honestTotal - 1n) / 2n < BigInt(byzantine.size)) {
    const i = rng.pick([...Array(n).keys()].filter((k) => !byzantine.has(k)));
    honest[i] = (honest[i] as bigint) + BigInt(HONEST_WEIGHT_MAX_UNITS);
    honestTotal += BigInt(HONEST_WEIGHT_MAX_UNITS);
  }
  const shares = splitUnevenly(rng, (honestTotal - 1n) / 2n, byzantine.size);
  const order = [...byzantine].sort((a, b) => a - b);
  order.forEach((index, k) => (honest[index] = shares[k] as bigint));
  return honest;
}

/** Splits `total` into `parts` positive integers with random, unequal sizes. */
function splitUnevenly(rng: Rng, total: bigint, parts: number): bigint[] {
  const raw = Array.from({ length: parts }, () => rng.int(1, 1_000));
  const rawSum = BigInt(raw.reduce((a, b) => a + b, 0));
  const spare = total - BigInt(parts);
  const shares = raw.map((r) => 1n + (spare * BigInt(r)) / rawSum);
  const rest = total - shares.reduce((a, b) => a + b, 0n);
  shares[0] = (shares[0] as bigint) + rest; // rounding remainder: keeps the sum exactly `total`
  return shares;
}

/** Tries of the per-epoch draw before it settles for the heaviest honest members. */
const EPOCH_DRAW_TRIES = 1_000;
/** Epoch streams per run (the seed of epoch e's stream is base * this + e; heights bound e far below). */
const EPOCH_STREAMS = 1_000_000;

/**
 * The committee of every epoch of a run with epochs: K members of the validator pool drawn
 * uniformly from the seed (a stream of its own per epoch), redrawn until the Byzantine members
 * drawn hold less than 1/3 of the drawn weight (the protocol's assumption, per committee). Members
 * are indexed in draw order; a pool member's index changes from epoch to epoch, and members left
 * out keep their keys (and Byzantine ones keep sending).
 */
export class EpochCommittees {
  private readonly drawn = new Map<number, { committee: Committee; pool: number[] }>();
  /** Each epoch's draw has its own stream from this base: the order draws are asked in never matters. */
  private readonly base: number;

  constructor(
    private readonly sim: SimCommittee,
    rng: Rng,
    readonly epochLength: number,
    readonly size: number,
  ) {
    this.base = rng.int(0, 2 ** 31);
  }

  epochOf(height: number): number {
    return epochOfHeight(height, this.epochLength);
  }

  /** True when `height` ends its epoch (the next committee is drawn after it). */
  endsEpoch(height: number): boolean {
    return endsEpoch(height, this.epochLength);
  }

  /** The last height of the epoch before `epoch`: once it is delivered, `epoch`'s committee is known. */
  boundaryBefore(epoch: number): number {
    return lastHeightOfEpoch(epoch - 1, this.epochLength)!;
  }

  committee(epoch: number): Committee {
    return this.draw(epoch).committee;
  }

  /** The pool index of committee member `index` of `epoch` (undefined when out of range). */
  poolIndex(epoch: number, index: number): number | undefined {
    return this.draw(epoch).pool[index];
  }

  /** The committee index of pool member `pool` in `epoch` (undefined when not drawn). */
  committeeIndex(epoch: number, pool: number): number | undefined {
    const i = this.draw(epoch).pool.indexOf(pool);
    return i < 0 ? undefined : i;
  }

  private draw(epoch: number): { committee: Committee; pool: number[] } {
    let entry = this.drawn.get(epoch);
    if (entry !== undefined) return entry;
    const members = this.sim.members;
    const rng = new Rng(this.base * EPOCH_STREAMS + epoch);
    let pool: number[] | undefined;
    for (let t = 0; t < EPOCH_DRAW_TRIES && pool === undefined; t++) {
      const pick = rng.shuffle(members.map((m) => m.index)).slice(0, this.size);
      const total = pick.reduce((s, i) => s + members[i]!.weight, 0n);
      const byzantine = pick.filter((i) => members[i]!.behaviour !== null).reduce((s, i) => s + members[i]!.weight, 0n);
      if (byzantine <= maxFaultyWeight(total)) pool = pick;
    }
    pool ??= members.filter((m) => m.behaviour === null).sort((a, b) => Number(b.weight - a.weight)).slice(0, this.size).map((m) => m.index);
    const committee: Committee = {
      epoch,
      totalWeight: pool.reduce((s, i) => s + members[i]!.weight, 0n),
      members: pool.map((p, index): CommitteeMember => ({ index, id: `v${p}`, publicKey: members[p]!.signer.publicKey, weight: members[p]!.weight })),
    };
    entry = { committee, pool };
    this.drawn.set(epoch, entry);
    return entry;
  }
}
