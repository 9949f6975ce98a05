// Byzantine behaviour at the node level. Every Byzantine member runs a real node (or none, when
// silent) and sees every frame it sends through an agent, which may rewrite, drop or add frames
// on any channel. The consensus-level behaviours of byzantine.ts act on the consensus channel;
// two more act on the node's own channels, as an attacker of a validator would:
//
// - 'liar': claims a far higher certified head in its status, answers sync requests with real
//   certificates around forged bodies, and sends malformed frames on every channel;
// - 'flood': sends signed envelopes padded with unsolicited batches, floods fetch and state
//   requests, votes for far-future heights, and gossip and certificate frames of junk.
//
// Agents sign only with their own member's key: the adversary controls its members, not the
// others' keys.
import { DEFAULT_LIMITS } from '../consensus/limits.js';
import { encodeSignedMessage, type ConsensusMessage } from '../consensus/messages.js';
import { CHANNEL, WireError, decodeStatus, decodeSyncResponse, encodeStatus, encodeSyncResponse, encodeTransactions } from '../node/wire.js';
import { createAgent, type ByzantineAgent, type ByzantineContext } from './byzantine.js';
import type { Behaviour } from './scenario.js';

/** A frame leaving a member: to one committee index, or to every other member. */
export interface Frame {
  readonly to: number | 'all';
  readonly channel: number;
  readonly bytes: Uint8Array;
}

export interface NodeAgent {
  readonly behaviour: Behaviour;
  /** False for 'silent': no node runs at all. */
  readonly runsNode: boolean;
  outgoing(frame: Frame, ctx: ByzantineContext): Frame[];
  incoming(frame: Frame): void;
  tick(ctx: ByzantineContext): Frame[];
}

/** How far ahead a liar claims to be. */
export const LIE_AHEAD_BLOCKS = 1_000_000n;
/** Frames of junk a liar or flooder sends per tick, at most. */
export const NODE_INJECTIONS_PER_TICK_MAX = 6;
/** Bytes of an unsolicited batch a flooder pads its envelopes with. */
export const FLOOD_BATCH_BYTES = 256 * 1024;

export function createNodeAgent(behaviour: Behaviour): NodeAgent {
  if (behaviour === 'liar') return new Liar();
  if (behaviour === 'flood') return new Flooder();
  return new ConsensusAgent(createAgent(behaviour));
}

/** The consensus-level behaviours of byzantine.ts, on the consensus channel only. */
class ConsensusAgent implements NodeAgent {
  readonly behaviour: Behaviour;
  readonly runsNode: boolean;

  constructor(private readonly agent: ByzantineAgent) {
    this.behaviour = agent.behaviour;
    this.runsNode = agent.runsCore;
  }

  outgoing(frame: Frame, ctx: ByzantineContext): Frame[] {
    if (frame.channel !== CHANNEL.consensus) return this.runsNode ? [frame] : [];
    return this.agent.outgoing({ to: frame.to, bytes: frame.bytes }, ctx).map((o) => ({ to: o.to, channel: CHANNEL.consensus, bytes: o.bytes }));
  }

  incoming(frame: Frame): void {
    if (frame.channel === CHANNEL.consensus) this.agent.incoming(frame.bytes);
  }

  tick(ctx: ByzantineContext): Frame[] {
    return this.agent.tick(ctx).map((o) => ({ to: o.to, channel: CHANNEL.consensus, bytes: o.bytes }));
  }
}

const ALL_CHANNELS = Object.values(CHANNEL);

function randomPeer(ctx: ByzantineContext): number | 'all' {
  if (ctx.rng.chance(0.3)) return 'all';
  const others = Array.from({ length: ctx.committeeSize }, (_, i) => i).filter((i) => i !== ctx.self);
  return others.length === 0 ? 'all' : ctx.rng.pick(others);
}

class Liar implements NodeAgent {
  readonly behaviour = 'liar' as const;
  readonly runsNode = true;

  outgoing(frame: Frame, ctx: ByzantineContext): Frame[] {
    try {
      if (frame.channel === CHANNEL.status) {
        const status = decodeStatus(frame.bytes);
        return [{ ...frame, bytes: encodeStatus({ head: status.head + LIE_AHEAD_BLOCKS, certified: status.certified + LIE_AHEAD_BLOCKS }) }];
      }
      if (frame.channel === CHANNEL.syncResponse) {
        // Real certificates, forged bodies: drop a transaction, or move the timestamp.
        const blocks = decodeSyncResponse(frame.bytes).map((b) =>
          b.transactions.length > 0 && ctx.rng.chance(0.5) ? { ...b, transactions: b.transactions.slice(1) } : { ...b, timestamp: b.timestamp + 1n },
        );
        return [{ ...frame, bytes: encodeSyncResponse(blocks) }];
      }
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
    }
    return [frame];
  }

  incoming(): void {}

  tick(ctx: ByzantineContext): Frame[] {
    const out: Frame[] = [];
    const count = ctx.rng.int(0, NODE_INJECTIONS_PER_TICK_MAX);
    for (let i = 0; i < count; i++) {
      const channel = ctx.rng.pick([...ALL_CHANNELS, 0, 99]);
      out.push({ to: randomPeer(ctx), channel, bytes: ctx.rng.bytes(ctx.rng.int(0, 96)) });
    }
    // A status claim far ahead now and then, even while its own node is quiet.
    if (ctx.rng.chance(0.5)) out.push({ to: 'all', channel: CHANNEL.status, bytes: encodeStatus({ head: BigInt(ctx.height) + LIE_AHEAD_BLOCKS, certified: BigInt(ctx.height) + LIE_AHEAD_BLOCKS }) });
    return out;
  }
}

class Flooder implements NodeAgent {
  readonly behaviour = 'flood' as const;
  readonly runsNode = true;
  private padding: Uint8Array | undefined;

  outgoing(frame: Frame): Frame[] {
    return [frame];
  }

  incoming(): void {}

  tick(ctx: ByzantineContext): Frame[] {
    const { rng } = ctx;
    this.padding ??= rng.bytes(FLOOD_BATCH_BYTES);
    const out: Frame[] = [];
    const sign = (height: number, items: ConsensusMessage[]): Uint8Array => encodeSignedMessage({ height, sender: ctx.self, items }, ctx.signer, ctx.binding);
    const instance = rng.int(0, ctx.committeeSize - 1);
    switch (rng.int(0, 4)) {
      case 0: // a fresh vote padded with an unsolicited batch nobody fetched
        out.push({ to: randomPeer(ctx), channel: CHANNEL.consensus, bytes: sign(ctx.height, [{ type: 'est', instance, round: rng.int(1, 8), value: rng.pick([0, 1] as const) }, { type: 'batch', instance, batch: { timestampMs: 1, transactions: [this.padding] } }]) });
        break;
      case 1: // fetch and state floods
        out.push({ to: randomPeer(ctx), channel: CHANNEL.consensus, bytes: sign(ctx.height, [...Array.from({ length: ctx.committeeSize }, (_, i) => ({ type: 'fetch' as const, instance: i, digest: rng.bytes(32) })), { type: 'stateRequest' }]) });
        break;
      case 2: // votes for heights far beyond any window, and just inside it
        out.push({ to: randomPeer(ctx), channel: CHANNEL.consensus, bytes: sign(ctx.height + rng.pick([DEFAULT_LIMITS.futureHeightWindow, 1_000_000]), [{ type: 'est', instance, round: 1, value: 1 }]) });
        break;
      case 3: // gossip of junk transactions
        out.push({ to: randomPeer(ctx), channel: CHANNEL.transactions, bytes: encodeTransactions(Array.from({ length: rng.int(1, 64) }, () => rng.bytes(rng.int(1, 200)))) });
        break;
      default: // junk certificate shares and sync requests
        out.push({ to: randomPeer(ctx), channel: rng.pick([CHANNEL.certificateShare, CHANNEL.syncRequest]), bytes: rng.bytes(rng.int(0, 160)) });
    }
    return out;
  }
}
