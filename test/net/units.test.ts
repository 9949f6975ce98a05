import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { reconnectDelayMs } from '../../src/net/backoff.js';
import { TransportError } from '../../src/net/errors.js';
import { HANDSHAKE_MAX_MESSAGE_BYTES } from '../../src/net/handshake.js';
import {
  DEFAULT_TRANSPORT_LIMITS,
  perPeerBufferBoundBytes,
  resolveLimits,
  sealedBodyMaxBytes,
  SOCKET_READ_AHEAD_BYTES,
  writeBatchMaxBytes,
} from '../../src/net/limits.js';
import { OutboundQueue } from '../../src/net/outbound-queue.js';
import { keepCandidate } from '../../src/net/transport.js';

test('reconnect delay: between half and all of min(max, initial * 2^attempt)', () => {
  const policy = { reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 5_000 };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const nominal = Math.min(5_000, 100 * 2 ** Math.min(attempt, 30));
      const delay = reconnectDelayMs(attempt, policy, () => r);
      assert.ok(delay >= nominal / 2 - 0.5 && delay <= nominal, `${attempt}: ${delay}`);
    }),
  );
  assert.equal(reconnectDelayMs(0, policy, () => 0), 50);
  assert.equal(reconnectDelayMs(3, policy, () => 0.999_999), 800);
  assert.equal(reconnectDelayMs(1_000, policy, () => 0), 2_500);
});

test('outbound queue: batches keep order and exact byte counts, never exceed the batch size', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 200 }), fc.integer({ min: 1, max: 120 }), (sizes, batchBytes) => {
      const queue = new OutboundQueue();
      sizes.forEach((size, i) => queue.push(Buffer.alloc(size, i % 256)));
      assert.equal(queue.bytes, sizes.reduce((a, b) => a + b, 0));
      const out: Buffer[] = [];
      for (let batch = queue.takeBatch(batchBytes); batch !== undefined; batch = queue.takeBatch(batchBytes)) {
        assert.ok(batch.frames === 1 || batch.data.length <= batchBytes);
        out.push(batch.data);
      }
      assert.equal(queue.bytes, 0);
      assert.equal(queue.length, 0);
      assert.deepEqual(Buffer.concat(out), Buffer.concat(sizes.map((size, i) => Buffer.alloc(size, i % 256))));
    }),
  );
});

test('limits: defaults resolve; broken relations are refused with the field named', () => {
  assert.deepEqual(resolveLimits(), DEFAULT_TRANSPORT_LIMITS);
  const refuses = (overrides: object, field: string) =>
    assert.throws(() => resolveLimits(overrides), (e: unknown) => e instanceof TransportError && e.code === 'INVALID_CONFIG' && e.message.includes(field));
  refuses({ maxQueueBytes: 1024 }, 'maxQueueBytes');
  refuses({ maxFrameBytes: 2 ** 32 }, 'maxFrameBytes');
  refuses({ reconnectMaxDelayMs: 10 }, 'reconnectMaxDelayMs');
  refuses({ handshakeTimeoutMs: -1 }, 'handshakeTimeoutMs');
  refuses({ maxPendingHandshakesPerIp: 1_000 }, 'maxPendingHandshakesPerIp');
  refuses({ writeBatchBytes: 1.5 }, 'writeBatchBytes');
  refuses({ heartbeatIntervalMs: 1_000, idleTimeoutMs: 2_000 }, 'idleTimeoutMs');
  // A largest frame, sealed (+24 bytes: its length field, the sealed frame's, the tag), must fit
  // the outbound queue and the inbound budget, and its length field.
  refuses({ maxFrameBytes: 1_000, maxQueueBytes: 1_023 }, 'maxQueueBytes');
  refuses({ maxFrameBytes: 1_000, maxInboundBytes: 1_023 }, 'maxInboundBytes');
  assert.equal(resolveLimits({ maxFrameBytes: 1_000, maxQueueBytes: 1_024, maxInboundBytes: 1_024 }).maxInboundBytes, 1_024);
  refuses({ maxFrameBytes: 2 ** 32 - 20 }, 'maxFrameBytes');
  refuses({ inboundTurnBytes: 0 }, 'inboundTurnBytes');
  refuses({ maxHandshakeFrameBytes: HANDSHAKE_MAX_MESSAGE_BYTES }, 'maxHandshakeFrameBytes');
});

test('derived sizes: sealed body, write batch, per-peer bound', () => {
  const limits = resolveLimits({ maxFrameBytes: 1_000, writeBatchBytes: 10_000, maxQueueBytes: 5_000, maxInboundBytes: 6_000 });
  assert.equal(sealedBodyMaxBytes(limits), 1_000 + 4 + 16);
  assert.equal(writeBatchMaxBytes(limits), 1_004, 'a batch never outgrows what one sealed frame may hold');
  assert.equal(writeBatchMaxBytes(DEFAULT_TRANSPORT_LIMITS), DEFAULT_TRANSPORT_LIMITS.writeBatchBytes);
  assert.equal(perPeerBufferBoundBytes(limits), 6_000 + SOCKET_READ_AHEAD_BYTES + 5_000);
});

test('duplicate rule: both ends keep the same connection whatever order they saw them in', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
      fc.pre(Buffer.compare(a, b) !== 0);
      // Connection 1 initiated by a, connection 2 by b. Each end may have seen either first.
      const winnerWhenFirstSeen = (first: Uint8Array, second: Uint8Array) => (keepCandidate(first, second) ? second : first);
      const winner = winnerWhenFirstSeen(a, b);
      assert.equal(winnerWhenFirstSeen(b, a), winner);
      assert.equal(winner, Buffer.compare(a, b) < 0 ? a : b, 'the lower key\'s dial survives');
      assert.equal(keepCandidate(a, a), true, 'same initiator: the newer replaces a stale one');
    }),
  );
});
