import test from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { utf8 } from '../../src/crypto/bytes.js';
import { sign } from '../../src/crypto/ed25519.js';
import { FRAME_HEADER_BYTES } from '../../src/net/frame.js';
import { decodeChallenge, encodeHello, encodeInitiatorAuth, handshakeTranscript, HANDSHAKE_VERSION } from '../../src/net/handshake.js';
import { sealedBodyMaxBytes } from '../../src/net/limits.js';
import { generateX25519KeyPair } from '../../src/net/x25519.js';
import { createTransport, type PeerId, type Transport } from '../../src/net/transport.js';
import { TransportError } from '../../src/net/errors.js';
import {
  authenticatedRawPeer,
  CHAIN_ID,
  closedPromise,
  connectRaw,
  FAST_LIMITS,
  idOf,
  RawPeer,
  startMesh,
  validatorKey,
  waitFor,
} from './helpers.js';

interface Received {
  from: PeerId;
  channel: number;
  text: string;
}

function record(transport: Transport): Received[] {
  const received: Received[] = [];
  transport.onMessage((from, channel, payload) => received.push({ from, channel, text: Buffer.from(payload).toString() }));
  return received;
}

test('a mesh of 4 exchanges messages on every channel, in order per sender and channel', async () => {
  const mesh = await startMesh(4, { ...FAST_LIMITS, dialYieldMs: 0 }); // yield 0: dials cross, duplicates get resolved
  try {
    const inboxes = mesh.transports.map(record);
    const downs: PeerId[] = [];
    mesh.transports.forEach((t) => t.onPeerDown((p) => downs.push(p)));
    const PER_CHANNEL = 50;
    for (let n = 0; n < PER_CHANNEL; n++) {
      mesh.transports.forEach((sender, i) => {
        for (const [j, key] of mesh.keys.entries()) {
          if (j !== i) for (const channel of [1, 2, 3, 4, 5]) assert.ok(sender.send(idOf(key), channel, utf8(`${i}->${j} c${channel} #${n}`)));
        }
        sender.broadcast(9, utf8(`${i} all #${n}`));
      });
    }
    const expected = PER_CHANNEL * 3 * 6;
    await waitFor(() => inboxes.every((inbox) => inbox.length === expected), 'all messages delivered');
    inboxes.forEach((inbox, j) => {
      for (const [i, key] of mesh.keys.entries()) {
        if (i === j) continue;
        for (const channel of [1, 2, 3, 4, 5]) {
          const got = inbox.filter((m) => m.from === idOf(key) && m.channel === channel).map((m) => m.text);
          assert.deepEqual(got, Array.from({ length: PER_CHANNEL }, (_, n) => `${i}->${j} c${channel} #${n}`));
        }
        assert.deepEqual(inbox.filter((m) => m.from === idOf(key) && m.channel === 9).map((m) => m.text), Array.from({ length: PER_CHANNEL }, (_, n) => `${i} all #${n}`));
      }
    });
    assert.deepEqual(downs, [], 'resolving duplicate dials never takes a peer down');
    const stats = mesh.transports[0]!.stats();
    assert.equal(stats.framesIn, expected);
    assert.equal(stats.connectedPeers, 3);
  } finally {
    await mesh.close();
  }
});

test('crossing dials settle on one connection per pair that both ends agree on', async () => {
  const limits = { ...FAST_LIMITS, dialYieldMs: 0, retireGraceMs: 50 };
  let duplicates = 0;
  for (let round = 0; round < 3; round++) {
    const mesh = await startMesh(3, limits, 140 + 3 * round);
    try {
      const downs: PeerId[] = [];
      mesh.transports.forEach((t) => t.onPeerDown((p) => downs.push(p)));
      // Past both grace periods a loser is closed; had the ends disagreed, an active one would go.
      await new Promise((resolve) => setTimeout(resolve, 4 * limits.retireGraceMs));
      assert.deepEqual(downs, []);
      assert.ok(mesh.transports.every((t) => t.connectedPeers().length === 2));
      duplicates += mesh.transports.reduce((sum, t) => sum + (t.stats().dropped.conn_duplicate ?? 0), 0);
      const inbox = record(mesh.transports[2]!);
      mesh.transports[0]!.broadcast(1, utf8('after settling'));
      mesh.transports[1]!.broadcast(1, utf8('after settling'));
      await waitFor(() => inbox.length === 2, 'traffic over the surviving connections');
    } finally {
      await mesh.close();
    }
  }
  console.log(`# duplicate connections resolved: ${duplicates}`);
});

test('send refuses bad channels and oversized payloads, and reports a down peer', async () => {
  const mesh = await startMesh(2, { ...FAST_LIMITS, maxFrameBytes: 1_000, maxQueueBytes: 10_000 }, 20);
  try {
    const [a] = mesh.transports as [Transport];
    const b = idOf(mesh.keys[1]!);
    assert.throws(() => a.send(b, 0, utf8('x')), (e: unknown) => e instanceof TransportError && e.code === 'INVALID_CHANNEL');
    assert.throws(() => a.send(b, 256, utf8('x')), (e: unknown) => e instanceof TransportError && e.code === 'INVALID_CHANNEL');
    assert.throws(() => a.send(b, 1, new Uint8Array(1_000)), (e: unknown) => e instanceof TransportError && e.code === 'FRAME_TOO_LARGE');
    assert.equal(a.send(b, 1, new Uint8Array(999)), true);
    assert.equal(a.send(idOf(validatorKey(99)), 1, utf8('x')), false);
    assert.equal(a.stats().dropped.frame_peer_down, 1);
  } finally {
    await mesh.close();
  }
});

test('a peer whose key is not in the peer set is rejected and logged', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 30);
  const stranger = validatorKey(39);
  const target = mesh.transports[0]!;
  const outsider = await createTransport({
    self: { keyPair: stranger },
    listen: { host: '127.0.0.1', port: 0 },
    peers: [{ publicKey: mesh.keys[0]!.publicKey, host: '127.0.0.1', port: target.address().port }],
    chainId: CHAIN_ID,
    limits: FAST_LIMITS,
  });
  try {
    await waitFor(() => (target.stats().dropped.conn_unknown_peer ?? 0) >= 2, 'two rejected attempts (it keeps redialling)');
    assert.deepEqual(outsider.connectedPeers(), []);
    assert.equal(target.connectedPeers().length, 1);
    const lines = mesh.loggers[0]!.warnings('conn_unknown_peer').length;
    assert.ok(lines >= 1 && lines <= (target.stats().dropped.conn_unknown_peer ?? 0), 'logged (at most once a second: it is unauthenticated)');
  } finally {
    await outsider.close();
    await mesh.close();
  }
});

test('a peer that announces a member key but signs with another key is rejected', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 40);
  try {
    const [a] = mesh.transports as [Transport];
    const claimed = mesh.keys[1]!; // a real member's key, whose secret the attacker lacks
    const raw = new RawPeer(await connectRaw(a.address().port));
    const initiatorEphemeral = generateX25519KeyPair().publicKey;
    raw.sendControl(encodeHello({ version: HANDSHAKE_VERSION, chainId: CHAIN_ID, initiatorKey: claimed.publicKey, initiatorEphemeral }));
    const challenge = decodeChallenge((await raw.nextFrame()).payload);
    const fields = { chainId: CHAIN_ID, initiatorKey: claimed.publicKey, initiatorEphemeral, responderKey: challenge.responderKey, responderNonce: challenge.responderNonce };
    raw.sendControl(encodeInitiatorAuth(sign(validatorKey(49), handshakeTranscript('initiator', fields))));
    await closedPromise(raw.socket);
    assert.equal(a.stats().dropped.conn_bad_signature, 1);
    assert.equal(mesh.loggers[0]!.warnings('conn_bad_signature').length, 1);
    assert.equal(a.connectedPeers().length, 1, 'the genuine connection to that member is untouched');
  } finally {
    await mesh.close();
  }
});

test('garbage and oversized frames drop that connection; the node keeps serving the others', async () => {
  const mesh = await startMesh(3, { ...FAST_LIMITS, maxFrameBytes: 4_096, maxQueueBytes: 65_536 }, 50);
  try {
    const [a, b] = mesh.transports as [Transport, Transport];
    const inboxB = record(b);
    // Garbage before any handshake.
    const junk = await connectRaw(a.address().port);
    junk.on('error', () => {});
    junk.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await closedPromise(junk);
    // A (fake) third member authenticates, then sends a frame above the limit.
    a.setPeers([...mesh.keys, validatorKey(60)].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 3 ? mesh.transports[i]!.address().port : 1 })));
    const raw = await authenticatedRawPeer(validatorKey(60), mesh.keys[0]!, a.address().port);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(sealedBodyMaxBytes({ maxFrameBytes: 4_096 }) + 1);
    raw.socket.write(header);
    await closedPromise(raw.socket);
    // "GET " read as a length is ~1.2 GB: over the 256-byte handshake limit, so also "oversized".
    assert.equal(a.stats().dropped.conn_oversized_frame, 2);
    assert.deepEqual(
      mesh.loggers[0]!.warnings('conn_oversized_frame').map((e) => e.fields.peer),
      ['unauthenticated', idOf(validatorKey(60))],
    );
    assert.ok(a.send(idOf(mesh.keys[1]!), 1, utf8('still here')));
    await waitFor(() => inboxB.some((m) => m.text === 'still here'), 'message after the attacks');
  } finally {
    await mesh.close();
  }
});

test('a member reconnecting in a loop keeps at most one active and one retiring connection', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 160);
  try {
    const [a] = mesh.transports as [Transport];
    const looper = validatorKey(169);
    a.setPeers([...mesh.keys, looper].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
    const raws: RawPeer[] = [];
    for (let i = 0; i < 5; i++) raws.push(await authenticatedRawPeer(looper, mesh.keys[0]!, a.address().port));
    await Promise.all(raws.slice(0, 3).map((r) => closedPromise(r.socket)));
    assert.deepEqual(raws.map((r) => r.socket.closed), [true, true, true, false, false]);
    assert.equal(a.connectedPeers().length, 2);
    // The newest connection is the active one.
    assert.ok(a.send(idOf(looper), 1, utf8('to the newest')));
    const frame = await raws[4]!.nextFrame();
    assert.equal(Buffer.from(frame.payload).toString(), 'to the newest');
    raws.forEach((r) => r.socket.destroy());
  } finally {
    await mesh.close();
  }
});

test('a silent connection is closed at the handshake timeout; pending handshakes are capped per IP', async () => {
  const limits = { ...FAST_LIMITS, handshakeTimeoutMs: 300, maxPendingHandshakesPerIp: 3, maxPendingHandshakes: 10 };
  const mesh = await startMesh(2, limits, 70);
  try {
    const [a] = mesh.transports as [Transport];
    const port = a.address().port;
    const idle = await Promise.all([1, 2, 3, 4].map(() => connectRaw(port)));
    idle.forEach((s) => s.on('error', () => {}));
    await Promise.all(idle.map(closedPromise));
    const dropped = a.stats().dropped;
    assert.equal(dropped.conn_per_ip_limit, 1);
    assert.equal(dropped.conn_handshake_timeout, 3);
    assert.equal(a.stats().pendingHandshakes, 0);
    assert.equal(a.connectedPeers().length, 1);
  } finally {
    await mesh.close();
  }
});

test('a peer that restarts is reconnected, and traffic resumes', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 80);
  const [a, b] = mesh.transports as [Transport, Transport];
  const [keyA, keyB] = mesh.keys as [(typeof mesh.keys)[0], (typeof mesh.keys)[0]];
  const events: string[] = [];
  a.onPeerDown((p) => events.push(`down ${p === idOf(keyB)}`));
  a.onPeerUp((p) => events.push(`up ${p === idOf(keyB)}`));
  const portB = b.address().port;
  await b.close();
  await waitFor(() => a.connectedPeers().length === 0, 'a sees b down');
  const restarted = await createTransport({
    self: { keyPair: keyB },
    listen: { host: '127.0.0.1', port: portB },
    peers: [{ publicKey: keyA.publicKey, host: '127.0.0.1', port: a.address().port }],
    chainId: CHAIN_ID,
    limits: FAST_LIMITS,
  });
  try {
    const inbox = record(restarted);
    await waitFor(() => a.connectedPeers().length === 1, 'a reconnects to the restarted b');
    assert.deepEqual(events, ['down true', 'up true']);
    assert.ok(a.send(idOf(keyB), 3, utf8('welcome back')));
    await waitFor(() => inbox.length === 1, 'message after restart');
    assert.deepEqual(inbox[0], { from: idOf(keyA), channel: 3, text: 'welcome back' });
  } finally {
    await restarted.close();
    await a.close();
  }
});

test('a peer that never reads costs at most the queue limit: further frames are dropped and counted', async () => {
  const limits = { ...FAST_LIMITS, maxFrameBytes: 65_536, maxQueueBytes: 1_048_576, maxQueueFrames: 1_000 };
  const mesh = await startMesh(2, limits, 90);
  try {
    const [a] = mesh.transports as [Transport];
    const sloth = validatorKey(99);
    a.setPeers([mesh.keys[0]!, mesh.keys[1]!, sloth].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
    const raw = await authenticatedRawPeer(sloth, mesh.keys[0]!, a.address().port);
    raw.socket.pause(); // never reads again: the kernel buffers fill, then ours
    await waitFor(() => a.connectedPeers().length === 2, 'sloth connected');
    const payload = new Uint8Array(65_000);
    let accepted = 0;
    let refused = 0;
    let maxQueueBytes = 0;
    // 64 MiB offered over many event-loop turns, so the socket really runs full.
    for (let round = 0; round < 1_000; round++) {
      if (a.send(idOf(sloth), 1, payload)) accepted++;
      else refused++;
      maxQueueBytes = Math.max(maxQueueBytes, a.stats().queueBytes);
      if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(refused > 0, 'some frames were refused');
    assert.equal(a.stats().dropped.frame_queue_full, refused);
    assert.ok(maxQueueBytes <= limits.maxQueueBytes, `queue reached ${maxQueueBytes}`);
    assert.ok(accepted * payload.length < 64 * 1_048_576, 'far less than offered was accepted');
    // The healthy peer is not held back by the slow one.
    const inboxB = record(mesh.transports[1]!);
    assert.ok(a.send(idOf(mesh.keys[1]!), 2, utf8('unaffected')));
    await waitFor(() => inboxB.length === 1, 'healthy peer still served');
    raw.socket.destroy();
  } finally {
    await mesh.close();
  }
});

test('heartbeats keep idle links up (also while paused); a silent peer is dropped at the idle timeout', async () => {
  // Idle timeout 10 heartbeats long, so a loaded CI host's late timers cannot fake a silent peer.
  // dialYieldMs 0 makes crossing dials (and so a retiring connection) likely: it must not count as idle.
  const limits = { ...FAST_LIMITS, heartbeatIntervalMs: 25, idleTimeoutMs: 250, dialYieldMs: 0 };
  const mesh = await startMesh(2, limits, 180);
  try {
    const [a, b] = mesh.transports as [Transport, Transport];
    const downs: PeerId[] = [];
    mesh.transports.forEach((t) => t.onPeerDown((p) => downs.push(p)));
    b.pauseReading();
    await new Promise((resolve) => setTimeout(resolve, 3 * limits.idleTimeoutMs));
    b.resumeReading();
    assert.deepEqual(downs, [], 'no idle link was dropped');
    assert.equal(a.stats().framesIn + b.stats().framesIn, 0, 'heartbeats are not delivered as messages');
    const silent = validatorKey(189);
    a.setPeers([...mesh.keys, silent].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
    const raw = await authenticatedRawPeer(silent, mesh.keys[0]!, a.address().port); // reads, never writes
    await closedPromise(raw.socket);
    assert.equal(a.stats().dropped.conn_idle_timeout, 1, JSON.stringify(a.stats().dropped));
    assert.equal(a.connectedPeers().length, 1);
  } finally {
    await mesh.close();
  }
});

test('pauseReading stops delivery until resumeReading', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 110);
  try {
    const [a, b] = mesh.transports as [Transport, Transport];
    const inbox = record(b);
    b.pauseReading();
    a.send(idOf(mesh.keys[1]!), 1, utf8('held'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(inbox.length, 0);
    b.resumeReading();
    await waitFor(() => inbox.length === 1, 'delivery after resume');
  } finally {
    await mesh.close();
  }
});

test('pauseReading also holds a retiring connection, which still delivers until it closes', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 240);
  try {
    const [a] = mesh.transports as [Transport];
    const member = validatorKey(249);
    a.setPeers([...mesh.keys, member].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
    const inbox = record(a);
    const first = await authenticatedRawPeer(member, mesh.keys[0]!, a.address().port);
    await authenticatedRawPeer(member, mesh.keys[0]!, a.address().port); // the newer one wins; the first retires
    a.pauseReading();
    first.sendSealed(1, utf8('late, on the retiring connection'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(inbox.length, 0, 'nothing delivered while paused');
    a.resumeReading();
    await waitFor(() => inbox.length === 1, 'delivered after resume');
    assert.equal(inbox[0]!.text, 'late, on the retiring connection');
  } finally {
    await mesh.close();
  }
});

test('listening on a port in use fails with LISTEN_FAILED naming the address', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 120);
  try {
    const port = mesh.transports[0]!.address().port;
    await assert.rejects(
      createTransport({ self: { keyPair: validatorKey(129) }, listen: { host: '127.0.0.1', port }, peers: [], chainId: CHAIN_ID }),
      (e: unknown) => e instanceof TransportError && e.code === 'LISTEN_FAILED' && e.message.includes(`127.0.0.1:${port}`),
    );
  } finally {
    await mesh.close();
  }
});

test('a pino logger plugs in as is and records rejections as structured lines', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const server = await createTransport({ self: { keyPair: validatorKey(150) }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, logger, limits: FAST_LIMITS });
  try {
    const junk = await connectRaw(server.address().port);
    junk.on('error', () => {});
    junk.write(Buffer.alloc(8, 0xff));
    await closedPromise(junk);
    await waitFor(() => lines.some((l) => l.reason === 'conn_oversized_frame'), 'pino line');
    const line = lines.find((l) => l.reason === 'conn_oversized_frame')!;
    assert.equal(line.msg, 'connection dropped');
    assert.equal(line.peer, 'unauthenticated');
    assert.match(String(line.remote), /^127\.0\.0\.1:\d+$/);
  } finally {
    await server.close();
  }
});
