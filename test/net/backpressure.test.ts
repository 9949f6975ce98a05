// Inbound backpressure: what a peer sends us and we have not delivered is bounded per peer; past
// the bound its socket is paused, so TCP pushes back on the sender, whose queue then refuses.
import test from 'node:test';
import assert from 'node:assert/strict';
import { SOCKET_READ_AHEAD_BYTES, type TransportLimits } from '../../src/net/limits.js';
import { createTransport, type Transport } from '../../src/net/transport.js';
import { CHAIN_ID, FAST_LIMITS, idOf, validatorKey, waitFor } from './helpers.js';

const KIB = 1024;

/**
 * Two transports over exactly one connection (only `a` dials), so no duplicate-connection swap,
 * which may reorder frames by design, muddles what these tests count.
 */
async function startPair(limits: Partial<TransportLimits>, firstKey: number): Promise<{ a: Transport; b: Transport; bId: string; close(): Promise<void> }> {
  const [keyA, keyB] = [validatorKey(firstKey), validatorKey(firstKey + 1)];
  const make = (keyPair: typeof keyA) => createTransport({ self: { keyPair }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits });
  const [a, b] = await Promise.all([make(keyA), make(keyB)]);
  b.setPeers([{ publicKey: keyA.publicKey, host: '127.0.0.1', port: 1 }]);
  a.setPeers([{ publicKey: keyB.publicKey, host: '127.0.0.1', port: b.address().port }]);
  await waitFor(() => a.connectedPeers().length === 1 && b.connectedPeers().length === 1, 'pair connected');
  return { a, b, bId: idOf(keyB), close: async () => void (await Promise.all([a.close(), b.close()])) };
}

/** Sends `count` numbered frames of `size` bytes, retrying on a full queue; counts the refusals. */
async function flood(sender: Transport, to: string, count: number, size: number): Promise<number> {
  let refused = 0;
  for (let n = 0; n < count; ) {
    const payload = new Uint8Array(size);
    new DataView(payload.buffer).setUint32(0, n);
    if (sender.send(to, 1, payload)) n++;
    else {
      refused++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  return refused;
}

test('a peer sending faster than we deliver is paused at its inbound budget, and loses nothing', async () => {
  // One frame delivered per event-loop turn, so arrivals outrun delivery and the backlog grows.
  const limits: Partial<TransportLimits> = { ...FAST_LIMITS, maxFrameBytes: 64 * KIB, maxQueueBytes: 1024 * KIB, maxInboundBytes: 256 * KIB, inboundTurnBytes: 1 };
  const pair = await startPair(limits, 220);
  try {
    const { a, b } = pair;
    const COUNT = 8_000;
    const seen: number[] = [];
    let maxInbound = 0;
    b.onMessage((_peer, _channel, payload) => {
      seen.push(new DataView(payload.buffer, payload.byteOffset).getUint32(0));
      maxInbound = Math.max(maxInbound, b.stats().inboundBytes);
    });
    await flood(a, pair.bId, COUNT, 1 * KIB);
    await waitFor(() => seen.length === COUNT, 'every frame delivered', 30_000);
    assert.deepEqual(seen, Array.from({ length: COUNT }, (_, n) => n), 'in order, none lost');
    assert.ok(b.stats().inboundPauses > 0, 'reading was paused at the budget');
    assert.ok(maxInbound <= limits.maxInboundBytes! + SOCKET_READ_AHEAD_BYTES, `held ${maxInbound} bytes`);
    assert.equal(b.stats().inboundBytes, 0);
    assert.equal(b.stats().dropped.conn_idle_timeout, undefined, 'a paused peer is not mistaken for a dead one');
    assert.equal(b.connectedPeers().length, 1);
  } finally {
    await pair.close();
  }
});

test('while the node pauses reading, inbound memory stays bounded and the sender\'s queue refuses; all arrives after resume', async () => {
  const limits: Partial<TransportLimits> = { ...FAST_LIMITS, maxFrameBytes: 64 * KIB, maxQueueBytes: 512 * KIB, maxInboundBytes: 256 * KIB };
  const pair = await startPair(limits, 230);
  try {
    const { a, b } = pair;
    const seen: number[] = [];
    b.onMessage((_peer, _channel, payload) => seen.push(new DataView(payload.buffer, payload.byteOffset).getUint32(0)));
    b.pauseReading();
    // 16 MiB offered; the kernel's socket buffers take a few MiB, our queues the rest of the bound.
    let accepted = 0;
    let refused = 0;
    let maxInbound = 0;
    for (let n = 0; n < 2_000; n++) {
      const payload = new Uint8Array(8 * KIB);
      new DataView(payload.buffer).setUint32(0, accepted);
      if (a.send(pair.bId, 1, payload)) accepted++;
      else refused++;
      maxInbound = Math.max(maxInbound, b.stats().inboundBytes);
      if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal(seen.length, 0, 'nothing delivered while paused');
    assert.ok(refused > 0, 'the sender felt the backpressure');
    assert.equal(a.stats().dropped.frame_queue_full, refused);
    assert.ok(maxInbound <= limits.maxInboundBytes! + SOCKET_READ_AHEAD_BYTES, `held ${maxInbound} bytes while paused`);
    b.resumeReading();
    await waitFor(() => seen.length === accepted, 'everything accepted is delivered after resume', 30_000);
    assert.deepEqual(seen, Array.from({ length: accepted }, (_, n) => n));
  } finally {
    await pair.close();
  }
});
