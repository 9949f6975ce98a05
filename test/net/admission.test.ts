// Inbound admission under a slot-exhaustion attack: a few addresses hold every pending-handshake
// slot with idle sockets and renew each one the moment it is closed. Members must still get in.
import test from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { addressGroup, PendingAdmission } from '../../src/net/admission.js';
import { DEFAULT_TRANSPORT_LIMITS, UNAUTHENTICATED_DROP_LOG_INTERVAL_MS } from '../../src/net/limits.js';
import { createTransport, type Transport } from '../../src/net/transport.js';
import { CapturingLogger, CHAIN_ID, closedPromise, connectRaw, FAST_LIMITS, idOf, validatorKey, waitFor } from './helpers.js';

/** Keeps `perAddress` idle sockets open from each address, reopening each as soon as it closes. */
class IdleSocketFlood {
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  opened = 0;

  constructor(
    private readonly port: number,
    addresses: readonly string[],
    perAddress: number,
  ) {
    for (const address of addresses) for (let i = 0; i < perAddress; i++) this.open(address);
  }

  private open(localAddress: string): void {
    if (this.stopped) return;
    const socket = connect({ host: '127.0.0.1', port: this.port, localAddress });
    this.opened += 1;
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.resume(); // read (and ignore) whatever the server says; never answer
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.open(localAddress);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
  }
}

test('four addresses renewing idle sockets cannot lock a member out (default pending caps and timeout)', async () => {
  const { maxPendingHandshakes, maxPendingHandshakesPerIp, handshakeTimeoutMs } = DEFAULT_TRANSPORT_LIMITS;
  const addresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  assert.ok(addresses.length * maxPendingHandshakesPerIp >= maxPendingHandshakes, 'the flood can fill every slot');
  const limits = { ...FAST_LIMITS, handshakeTimeoutMs, maxPendingHandshakes, maxPendingHandshakesPerIp };
  const [serverKey, memberKey] = [validatorKey(201), validatorKey(202)];
  const server = await createTransport({ self: { keyPair: serverKey }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits });
  const flood = new IdleSocketFlood(server.address().port, addresses, maxPendingHandshakesPerIp);
  let member: Transport | undefined;
  try {
    await waitFor(() => server.stats().pendingHandshakes >= maxPendingHandshakes, 'the flood holds every pending slot');
    member = await createTransport({ self: { keyPair: memberKey }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits });
    const peers = [
      { publicKey: serverKey.publicKey, host: '127.0.0.1', port: server.address().port },
      { publicKey: memberKey.publicKey, host: '127.0.0.1', port: 1 }, // never dialled back: only the member's dial counts
    ];
    server.setPeers(peers);
    member.setPeers(peers);
    // Well over one renewal period of the flood: refused members would still be out after it.
    await waitFor(() => server.connectedPeers().includes(idOf(memberKey)), 'member connected despite the flood', 1.5 * handshakeTimeoutMs);
    assert.ok(server.stats().pendingHandshakes <= maxPendingHandshakes);
    assert.ok(flood.opened > maxPendingHandshakes, 'the flood kept renewing its sockets');
  } finally {
    flood.stop();
    await member?.close();
    await server.close();
  }
});

test('address groups: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
  assert.equal(addressGroup('10.1.2.3'), '10.1.2.3');
  assert.equal(addressGroup('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(addressGroup('2001:db8:0:1::5'), '2001:db8:0:1::/64');
  assert.equal(addressGroup('2001:db8:0:1:ffff:1:2:3'), '2001:db8:0:1::/64');
  assert.equal(addressGroup('2001:0db8:0000:0001:0:0:0:9'), '2001:db8:0:1::/64');
  assert.equal(addressGroup('::1'), '0:0:0:0::/64');
  assert.equal(addressGroup('fe80::'), 'fe80:0:0:0::/64');
});

test('pending admission: caps hold, and the victim is always the oldest of the fullest group', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('arrive' as const), group: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.array(op, { maxLength: 200 }), (perGroup, extra, ops) => {
      const total = perGroup + extra;
      const pending = new PendingAdmission<number>(total, perGroup);
      // The naive model: a list of [id, group] in arrival order.
      let model: [number, number][] = [];
      let next = 0;
      for (const o of ops) {
        if (o.kind === 'finish') {
          if (model.length === 0) continue;
          const [id] = model.splice(o.pick % model.length, 1)[0]!;
          assert.equal(pending.delete(id), true);
          continue;
        }
        const displaced = pending.displacementFor(String(o.group));
        const own = model.filter(([, g]) => g === o.group);
        let expected: number | undefined;
        if (own.length >= perGroup) expected = own[0]![0];
        else if (model.length >= total) {
          const sizes = new Map<number, number>();
          for (const [, g] of model) sizes.set(g, (sizes.get(g) ?? 0) + 1);
          const largest = Math.max(...sizes.values());
          expected = model.find(([, g]) => sizes.get(g) === largest)![0]; // oldest among the fullest groups
        }
        assert.equal(displaced?.victim, expected);
        if (displaced !== undefined) {
          pending.delete(displaced.victim);
          model = model.filter(([id]) => id !== displaced.victim);
        }
        pending.add(next, String(o.group));
        model.push([next++, o.group]);
        assert.ok(pending.size <= total && pending.size === model.length);
        assert.ok(model.filter(([, g]) => g === o.group).length <= perGroup);
      }
    }),
    { numRuns: 500 },
  );
});

test('a flood of junk connections is counted one by one but logged once per interval', async () => {
  const logger = new CapturingLogger();
  const server = await createTransport({ self: { keyPair: validatorKey(203) }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits: FAST_LIMITS, logger });
  try {
    const started = performance.now();
    const JUNK = 40;
    for (let i = 0; i < JUNK; i++) {
      const socket = await connectRaw(server.address().port);
      socket.on('error', () => {});
      socket.write(Buffer.alloc(8, 0xff)); // a length far over the handshake limit
      await closedPromise(socket);
    }
    const elapsedMs = performance.now() - started;
    assert.equal(server.stats().dropped.conn_oversized_frame, JUNK);
    const lines = logger.warnings('conn_oversized_frame');
    assert.ok(lines.length >= 1 && lines.length <= 1 + Math.ceil(elapsedMs / UNAUTHENTICATED_DROP_LOG_INTERVAL_MS), `${lines.length} lines in ${Math.round(elapsedMs)} ms`);
    const suppressed = lines.slice(1).reduce((sum, line) => sum + Number(line.fields.suppressed ?? 0), 0);
    assert.ok(suppressed <= JUNK - lines.length);
  } finally {
    await server.close();
  }
});
