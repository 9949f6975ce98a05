// Transaction gossip: a lone transaction leaves at once (its owner may be a peer, and a lone
// transaction's latency is a developer's round trip); under a stream they gather for
// GOSSIP_FLUSH_MS into one frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOSSIP_FLUSH_MS, TransactionGossip } from '../../src/node/gossip.js';
import { createMetrics } from '../../src/node/metrics.js';
import { decodeTransactions } from '../../src/node/wire.js';
import type { Clock } from '../../src/node/clock.js';

/** A manual clock: deferred work runs on `turn()`, timers on `advance(ms)`. */
function manualClock() {
  let nowMs = 1_000;
  let deferred: (() => void)[] = [];
  const timers: { atMs: number; fn: () => void; live: boolean }[] = [];
  const clock: Clock = {
    now: () => nowMs,
    setTimer(fn, delayMs) {
      const t = { atMs: nowMs + delayMs, fn, live: true };
      timers.push(t);
      return () => (t.live = false);
    },
    defer(fn) {
      deferred.push(fn);
    },
  };
  return {
    clock,
    turn() {
      const run = deferred;
      deferred = [];
      for (const fn of run) fn();
    },
    advance(ms: number) {
      nowMs += ms;
      for (const t of timers) {
        if (!t.live || t.atMs > nowMs) continue;
        t.live = false;
        t.fn();
      }
    },
  };
}

function setup() {
  const c = manualClock();
  const frames: Uint8Array[][] = [];
  const gossip = new TransactionGossip({
    clock: c.clock,
    link: { broadcast: (_channel: number, payload: Uint8Array) => frames.push(decodeTransactions(payload)) } as never,
    mempool: { add: () => Promise.resolve() } as never,
    metrics: createMetrics('gossip-test', { processMetrics: false }),
  });
  return { c, frames, gossip };
}

const tx = (i: number) => Uint8Array.of(0xf8, i);

test('a lone transaction is gossiped after the current task, not after the gathering window', () => {
  const { c, frames, gossip } = setup();
  gossip.gossip(tx(1));
  gossip.gossip(tx(2)); // the same task (one JSON-RPC batch): the same frame
  assert.equal(frames.length, 0);
  c.turn();
  assert.deepEqual(frames.map((f) => f.length), [2]);
});

test('transactions right after a flush gather for the window into one frame', () => {
  const { c, frames, gossip } = setup();
  gossip.gossip(tx(1));
  c.turn();
  for (let i = 0; i < 5; i++) {
    gossip.gossip(tx(10 + i));
    c.turn();
  }
  assert.equal(frames.length, 1, 'within the window nothing more leaves');
  c.advance(GOSSIP_FLUSH_MS);
  assert.deepEqual(frames.map((f) => f.length), [1, 5]);
  // quiet again: the next one leaves at once
  c.advance(10 * GOSSIP_FLUSH_MS);
  gossip.gossip(tx(99));
  c.turn();
  assert.deepEqual(frames.map((f) => f.length), [1, 5, 1]);
});

test('nothing leaves after stop', () => {
  const { c, frames, gossip } = setup();
  gossip.gossip(tx(1));
  gossip.stop();
  c.turn();
  c.advance(GOSSIP_FLUSH_MS);
  assert.equal(frames.length, 0);
});
