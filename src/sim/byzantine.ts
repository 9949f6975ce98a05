// Byzantine behaviours. Each wraps (or replaces) a member's real consensus core: what the core
// would send passes through `outgoing`, what it receives through `incoming`, and `tick` injects
// traffic of its own. They sign with the member's own key only: the adversary controls its members,
// not the others' keys. 'crash' and 'twins' need the simulator's help (restarts, a second
// endpoint) and otherwise send what an honest core sends.
import { DEFAULT_LIMITS } from '../consensus/limits.js';
import { decodeSignedMessage, encodeSignedMessage, MessageDecodeError, DIGEST_BYTES, type ConsensusMessage, type SignedEnvelope } from '../consensus/messages.js';
import type { Bit, MessageSigner } from '../consensus/types.js';
import type { Rng } from './random.js';
import type { Behaviour } from './scenario.js';

export const REPLAY_BUFFER_MESSAGES = 512; // what a replayer remembers (a ring: the oldest go first)
export const BYZANTINE_TICK_MS = 150; // how often garbage and replay members inject traffic
export const INJECTIONS_PER_TICK_MAX = 4;
/** Share of an equivocator's twisted messages also sent in the original to the same peer, so the peer holds proof. */
export const BOTH_VERSIONS_RATE = 0.2;

/** A message leaving a member: to one committee index, or to every other member. */
export interface Outgoing {
  readonly to: number | 'all';
  readonly bytes: Uint8Array;
}

export interface ByzantineContext {
  readonly rng: Rng;
  readonly self: number;
  readonly committeeSize: number;
  readonly signer: MessageSigner;
  /** The simulated chain's binding (every signature commits to it). */
  readonly binding: Uint8Array;
  /** The height the member's core is working on (for crafted traffic). */
  readonly height: number;
}

export interface ByzantineAgent {
  readonly behaviour: Behaviour;
  /** False for 'silent': no core runs at all. */
  readonly runsCore: boolean;
  outgoing(message: Outgoing, ctx: ByzantineContext): Outgoing[];
  incoming(bytes: Uint8Array): void;
  tick(ctx: ByzantineContext): Outgoing[];
}

const passThrough = {
  runsCore: true,
  outgoing: (message: Outgoing): Outgoing[] => [message],
  incoming: (): void => undefined,
  tick: (): Outgoing[] => [],
};

export function createAgent(behaviour: Behaviour): ByzantineAgent {
  switch (behaviour) {
    case 'silent':
      return { ...passThrough, behaviour, runsCore: false, outgoing: () => [] };
    case 'crash':
    case 'twins':
    case 'liar': // node-level behaviours (node-adversary.ts): honest at the consensus level
    case 'flood':
      return { ...passThrough, behaviour };
    case 'equivocate':
      return new Equivocator();
    case 'garbage':
      return new GarbageSender();
    case 'replay':
      return new Replayer();
    case 'split':
      return new Splitter();
  }
}

/**
 * Tries to split the honest estimates of every round (decision 0010): wherever its core votes
 * in an agreement round it also sends EST for both values (so both can enter bin_values) and
 * AUX({0,1}) instead of its own AUX. With the scheduler delivering Byzantine votes first, a rule
 * that takes the first quorum of AUX within bin_values leaves honest members with {0,1} where
 * the coordinator's value was {v}.
 */
class Splitter implements ByzantineAgent {
  readonly behaviour = 'split' as const;
  readonly runsCore = true;

  outgoing(message: Outgoing, ctx: ByzantineContext): Outgoing[] {
    const envelope = tryDecode(message.bytes);
    if (envelope === undefined) return [message];
    const items: ConsensusMessage[] = [];
    for (const item of envelope.items) {
      if (item.type === 'aux') {
        items.push({ type: 'est', instance: item.instance, round: item.round, value: 0 }, { type: 'est', instance: item.instance, round: item.round, value: 1 });
        items.push({ ...item, values: [0, 1] });
      } else items.push(item);
    }
    return [{ to: message.to, bytes: encodeSignedMessage({ height: envelope.height, sender: envelope.sender, items }, ctx.signer, ctx.binding) }];
  }

  incoming(): void {}

  tick(): Outgoing[] {
    return [];
  }
}

function tryDecode(bytes: Uint8Array): SignedEnvelope | undefined {
  try {
    return decodeSignedMessage(bytes, DEFAULT_LIMITS);
  } catch (error) {
    if (error instanceof MessageDecodeError) return undefined;
    throw error;
  }
}

function others(ctx: ByzantineContext): number[] {
  return Array.from({ length: ctx.committeeSize }, (_, i) => i).filter((i) => i !== ctx.self);
}

/**
 * Sends different signed messages to different peers: a different batch to each half of the
 * committee (split anew per height), and flipped votes (echo, ready, est, coord, aux, decided).
 * Every conflicting pair it sends is evidence an honest member may catch.
 */
class Equivocator implements ByzantineAgent {
  readonly behaviour = 'equivocate' as const;
  readonly runsCore = true;
  private readonly splits = new Map<number, Set<number>>(); // height -> peers that get the other version

  outgoing(message: Outgoing, ctx: ByzantineContext): Outgoing[] {
    const envelope = tryDecode(message.bytes);
    if (envelope === undefined) return [message];
    const twisted = encodeSignedMessage({ height: envelope.height, sender: envelope.sender, items: envelope.items.map((item) => twist(item, ctx.rng)) }, ctx.signer, ctx.binding);
    const split = this.splitFor(envelope.height, ctx);
    const targets = message.to === 'all' ? others(ctx) : [message.to];
    const out: Outgoing[] = [];
    for (const to of targets) {
      if (!split.has(to)) out.push({ to, bytes: message.bytes });
      else if (ctx.rng.chance(BOTH_VERSIONS_RATE)) out.push({ to, bytes: twisted }, { to, bytes: message.bytes }); // provable
      else out.push({ to, bytes: twisted });
    }
    return out;
  }

  incoming(): void {}

  tick(): Outgoing[] {
    return [];
  }

  private splitFor(height: number, ctx: ByzantineContext): Set<number> {
    let split = this.splits.get(height);
    if (split === undefined) {
      split = new Set(others(ctx).filter(() => ctx.rng.chance(0.5)));
      this.splits.set(height, split);
      this.splits.delete(height - 8); // bounded: only recent heights matter
    }
    return split;
  }
}

/** The conflicting twin of one item: same slot, different content. */
function twist(item: ConsensusMessage, rng: Rng): ConsensusMessage {
  const flip = (v: Bit): Bit => (v === 0 ? 1 : 0);
  switch (item.type) {
    case 'propose':
      return { type: 'propose', batch: { timestampMs: item.batch.timestampMs + rng.int(1, 10_000), transactions: [...item.batch.transactions, rng.bytes(24)] } };
    case 'batch':
      return { ...item, batch: { timestampMs: item.batch.timestampMs, transactions: [rng.bytes(24)] } };
    case 'echo':
    case 'ready':
      return { ...item, digest: rng.bytes(DIGEST_BYTES) };
    case 'est':
    case 'coord':
    case 'decided':
      return { ...item, value: flip(item.value) };
    case 'aux':
      return { ...item, values: item.values.length === 2 ? [rng.pick([0, 1] as const)] : [flip(item.values[0] as Bit)] };
    case 'fetch':
    case 'stateRequest':
      return item;
  }
}

/**
 * Corrupts a share of its own messages (flipped bytes, truncation, random bytes) and injects
 * crafted junk: random bytes, well-formed envelopes with a wrong signature or claiming another
 * sender, and envelopes for far-future heights.
 */
class GarbageSender implements ByzantineAgent {
  readonly behaviour = 'garbage' as const;
  readonly runsCore = true;

  outgoing(message: Outgoing, ctx: ByzantineContext): Outgoing[] {
    if (!ctx.rng.chance(0.3)) return [message];
    const corrupted = corrupt(message.bytes, ctx.rng);
    return ctx.rng.chance(0.5) ? [{ to: message.to, bytes: corrupted }, message] : [{ to: message.to, bytes: corrupted }];
  }

  incoming(): void {}

  tick(ctx: ByzantineContext): Outgoing[] {
    const count = ctx.rng.int(0, INJECTIONS_PER_TICK_MAX);
    return Array.from({ length: count }, () => ({ to: ctx.rng.chance(0.5) ? 'all' : ctx.rng.pick(others(ctx)), bytes: craftJunk(ctx) }));
  }
}

function corrupt(bytes: Uint8Array, rng: Rng): Uint8Array {
  switch (rng.int(0, 2)) {
    case 0: {
      const out = bytes.slice();
      const at = rng.int(0, out.length - 1);
      out[at] = (out[at] as number) ^ (1 << rng.int(0, 7));
      return out;
    }
    case 1:
      return bytes.slice(0, rng.int(0, Math.max(0, bytes.length - 1)));
    default:
      return rng.bytes(rng.int(0, 200));
  }
}

function craftJunk(ctx: ByzantineContext): Uint8Array {
  const { rng } = ctx;
  const vote: ConsensusMessage = { type: 'est', instance: rng.int(0, ctx.committeeSize - 1), round: rng.int(1, 3), value: rng.pick([0, 1] as const) };
  switch (rng.int(0, 3)) {
    case 0:
      return rng.bytes(rng.int(0, 300));
    case 1: {
      // A well-formed envelope whose signature does not match.
      const bytes = encodeSignedMessage({ height: ctx.height, sender: ctx.self, items: [vote] }, ctx.signer, ctx.binding);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
      return bytes;
    }
    case 2:
      // Claims to come from another member, signed with this member's key.
      return encodeSignedMessage({ height: ctx.height, sender: rng.pick(others(ctx)), items: [vote] }, ctx.signer, ctx.binding);
    default:
      // Correctly signed, for a height far beyond any buffer window.
      return encodeSignedMessage({ height: ctx.height + rng.int(1_000, 1_000_000), sender: ctx.self, items: [vote] }, ctx.signer, ctx.binding);
  }
}

/** Remembers what it hears and sends it again later to random peers: stale votes, stale batches. */
class Replayer implements ByzantineAgent {
  readonly behaviour = 'replay' as const;
  readonly runsCore = true;
  private readonly heard: Uint8Array[] = [];
  private next = 0;

  outgoing(message: Outgoing): Outgoing[] {
    this.remember(message.bytes);
    return [message];
  }

  incoming(bytes: Uint8Array): void {
    this.remember(bytes);
  }

  tick(ctx: ByzantineContext): Outgoing[] {
    if (this.heard.length === 0) return [];
    const count = ctx.rng.int(0, INJECTIONS_PER_TICK_MAX);
    return Array.from({ length: count }, () => ({ to: ctx.rng.chance(0.3) ? 'all' : ctx.rng.pick(others(ctx)), bytes: ctx.rng.pick(this.heard) }));
  }

  private remember(bytes: Uint8Array): void {
    if (this.heard.length < REPLAY_BUFFER_MESSAGES) this.heard.push(bytes);
    else this.heard[this.next] = bytes;
    this.next = (this.next + 1) % REPLAY_BUFFER_MESSAGES;
  }
}
