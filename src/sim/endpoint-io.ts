// One simulated node's clock and peer link, as the node sees them (node/clock.ts Clock, node.ts
// NodeLink), over the simulator's shared virtual time and network. The simulator owns delivery:
// these only turn the node's calls into scheduled events and hand arriving frames to the node.
import type { CancelTimer, Clock } from '../node/clock.js';
import type { NodeLink } from '../node/node.js';
import { VIRTUAL_EPOCH_MS } from './virtual-clock.js';

/** What an endpoint's clock and link need of the simulator. */
export interface EndpointHost {
  nowMs(): number;
  /** Runs `run` at virtual time `atMs` if the endpoint's incarnation is still the current one. */
  schedule(atMs: number, run: () => void): void;
  /** A frame leaving this endpoint for one peer (by peer id) or every other member. */
  sendFrame(to: string | 'all', channel: number, payload: Uint8Array): void;
  connectedPeers(): string[];
}

/** A turn of the event loop, in virtual time: what `defer` waits (and what lets votes coalesce). */
export const DEFER_MS = 0.05;

export class EndpointClock implements Clock {
  constructor(
    private readonly host: EndpointHost,
    private readonly skewMs: number,
  ) {}

  now(): number {
    return VIRTUAL_EPOCH_MS + Math.floor(this.host.nowMs()) + this.skewMs;
  }

  setTimer(fn: () => void, delayMs: number): CancelTimer {
    const box = { cancelled: false };
    this.host.schedule(this.host.nowMs() + Math.max(0, delayMs), () => {
      if (!box.cancelled) fn();
    });
    return () => {
      box.cancelled = true;
    };
  }

  defer(fn: () => void): void {
    this.host.schedule(this.host.nowMs() + DEFER_MS, fn);
  }
}

type Handler = (peer: string, channel: number, payload: Uint8Array) => void;

export class EndpointLink implements NodeLink {
  private handler: Handler | undefined;
  private readonly upHandlers: ((peer: string) => void)[] = [];
  private readonly downHandlers: ((peer: string) => void)[] = [];
  /** Times the node asked to stop reading (backpressure), for the run's statistics. */
  pauses = 0;

  constructor(private readonly host: EndpointHost) {}

  send(peer: string, channel: number, payload: Uint8Array): boolean {
    this.host.sendFrame(peer, channel, payload);
    return true;
  }

  broadcast(channel: number, payload: Uint8Array): void {
    this.host.sendFrame('all', channel, payload);
  }

  onMessage(handler: Handler): void {
    this.handler = handler;
  }

  onPeerUp(handler: (peer: string) => void): void {
    this.upHandlers.push(handler);
  }

  onPeerDown(handler: (peer: string) => void): void {
    this.downHandlers.push(handler);
  }

  connectedPeers(): string[] {
    return this.host.connectedPeers();
  }

  pauseReading(): void {
    this.pauses++;
  }

  resumeReading(): void {}

  /** A frame from `peer` arrives. */
  deliver(peer: string, channel: number, payload: Uint8Array): void {
    this.handler?.(peer, channel, payload);
  }

  peerUp(peer: string): void {
    for (const h of this.upHandlers) h(peer);
  }

  peerDown(peer: string): void {
    for (const h of this.downHandlers) h(peer);
  }
}
