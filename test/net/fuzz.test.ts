// Fuzzing of every decoder in src/net: the handshake messages in each state, the frame decoder,
// the sequence inside a sealed frame, the sealed-frame opener, and a live transport fed junk
// before and after a genuine handshake. Random, truncated, oversized and mutated inputs must give
// a typed error (or a valid value), never another exception, a hang or unbounded allocation.
//   bounded (in npm test):  node scripts/run-tests.mjs test/net/fuzz.test.ts
//   longer:                 npm run fuzz:net    (SYNOD_NET_FUZZ_SCALE=N multiplies the runs;
//                           SYNOD_NET_FUZZ_SEED=S replays the seed a failure printed)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { bytesEqual } from '../../src/crypto/bytes.js';
import { keyPairFromSeed, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import { decodeFrameSequence, encodeFrame, FrameDecodeError, FrameDecoder, FRAME_LENGTH_BYTES } from '../../src/net/frame.js';
import {
  decodeChallenge,
  decodeHello,
  decodeInitiatorAuth,
  decodeResponderAuth,
  Handshake,
  HandshakeError,
  HANDSHAKE_MAX_MESSAGE_BYTES,
} from '../../src/net/handshake.js';
import { deriveSessionKeys, FrameOpener, FrameSealer, SessionError } from '../../src/net/session.js';
import type { Transport } from '../../src/net/transport.js';
import { authenticatedRawPeer, closedPromise, connectRaw, FAST_LIMITS, idOf, startMesh, validatorKey, waitFor } from './helpers.js';

const SCALE = Math.max(1, Number(process.env.SYNOD_NET_FUZZ_SCALE ?? 1));
const SEED = process.env.SYNOD_NET_FUZZ_SEED === undefined ? undefined : Number(process.env.SYNOD_NET_FUZZ_SEED);
const runs = (base: number) => ({ numRuns: Math.round(base * SCALE), ...(SEED === undefined ? {} : { seed: SEED }) });

/** Runs a property and prints how long it took, so a long run shows its progress. */
function fuzz<T>(name: string, base: number, property: fc.IProperty<T>): void {
  const started = performance.now();
  fc.assert(property, runs(base));
  if (SCALE > 1) console.log(`${name}: ${Math.round(base * SCALE)} runs in ${Math.round(performance.now() - started)} ms`);
}

async function fuzzAsync<T>(name: string, base: number, property: fc.IAsyncProperty<T>): Promise<void> {
  const started = performance.now();
  await fc.assert(property, runs(base));
  if (SCALE > 1) console.log(`${name}: ${Math.round(base * SCALE)} runs in ${Math.round(performance.now() - started)} ms`);
}

const CHAIN = 31337n;
const [alice, bob] = [1, 2].map((i) => keyPairFromSeed(new Uint8Array(32).fill(0x40 + i))) as [Ed25519KeyPair, Ed25519KeyPair];
const isMember = (key: Uint8Array) => bytesEqual(key, alice.publicKey) || bytesEqual(key, bob.publicKey);

/** Genuine transcripts to mutate: the four messages of one handshake between alice and bob. */
function genuineMessages(): Uint8Array[] {
  const a = new Handshake({ role: 'initiator', keyPair: alice, chainId: CHAIN, nonce: new Uint8Array(randomBytes(32)), expectedPeer: bob.publicKey, isKnownPeer: isMember });
  const b = new Handshake({ role: 'responder', keyPair: bob, chainId: CHAIN, nonce: new Uint8Array(randomBytes(32)), isKnownPeer: isMember });
  b.start();
  const hello = a.start()!;
  const challenge = b.receive(hello).send!;
  const authI = a.receive(challenge).send!;
  const authR = b.receive(authI).send!;
  return [hello, challenge, authI, authR];
}
const GENUINE = genuineMessages();

/** Random bytes, a genuine message truncated, extended, or with a few bytes altered. */
function messageLike(genuine: Uint8Array): fc.Arbitrary<Uint8Array> {
  const mutated = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const out = genuine.slice();
    for (const [at, mask] of edits) out[at % out.length]! ^= mask;
    return out;
  });
  return fc.oneof(
    fc.uint8Array({ maxLength: 2 * HANDSHAKE_MAX_MESSAGE_BYTES }),
    fc.nat({ max: genuine.length - 1 }).map((n) => genuine.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => new Uint8Array([...genuine, ...tail])),
    mutated,
  );
}

/** Drives one side to the state where it expects message `index`, then feeds it `input`. */
function feed(index: number, input: Uint8Array): void {
  const [hello, challenge] = GENUINE as [Uint8Array, Uint8Array];
  const responder = () => {
    const b = new Handshake({ role: 'responder', keyPair: bob, chainId: CHAIN, nonce: new Uint8Array(32).fill(7), isKnownPeer: isMember });
    b.start();
    return b;
  };
  const initiator = () => {
    const a = new Handshake({ role: 'initiator', keyPair: alice, chainId: CHAIN, nonce: new Uint8Array(32), expectedPeer: bob.publicKey, isKnownPeer: isMember });
    a.start();
    return a;
  };
  switch (index) {
    case 0:
      responder().receive(input);
      break;
    case 1:
      initiator().receive(input);
      break;
    case 2: {
      const b = responder();
      b.receive(hello);
      b.receive(input);
      break;
    }
    case 3: {
      const a = initiator();
      a.receive(challenge);
      a.receive(input);
      break;
    }
  }
}

test('handshake: any input in any state is accepted or refused with a HandshakeError', () => {
  for (const [index, genuine] of GENUINE.entries()) {
    fuzz(`handshake state ${index}`, 500, fc.property(messageLike(genuine), (input) => {
      try {
        feed(index, input);
      } catch (error) {
        assert.ok(error instanceof HandshakeError, `state ${index}: ${String(error)}`);
      }
    }));
  }
});

test('handshake decoders: a value only for the exact length and type, a HandshakeError otherwise', () => {
  const decoders = [decodeHello, decodeChallenge, decodeInitiatorAuth, decodeResponderAuth];
  fuzz('handshake decoders', 2_000, fc.property(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 300 }), (which, input) => {
    try {
      decoders[which]!(input);
      assert.equal(input.length, GENUINE[which]!.length, 'decoded a message of the wrong length');
    } catch (error) {
      assert.ok(error instanceof HandshakeError, String(error));
    }
  }));
});

test('frame decoder: random chunks give frames or one FrameDecodeError; memory never exceeds what was pushed', () => {
  // Headers with huge lengths are the interesting case: they must never be allocated for.
  const hostileHeader = fc.integer({ min: 0, max: 0xffff_ffff }).map((length) => {
    const header = Buffer.alloc(FRAME_LENGTH_BYTES);
    header.writeUInt32BE(length);
    return new Uint8Array(header);
  });
  const chunk = fc.oneof(fc.uint8Array({ maxLength: 300 }), hostileHeader);
  const before = process.memoryUsage().arrayBuffers;
  fuzz('frame decoder', 2_000, fc.property(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.array(chunk, { maxLength: 30 }), (maxBodyBytes, chunks) => {
    const decoder = new FrameDecoder(maxBodyBytes);
    let pushed = 0;
    let taken = 0;
    try {
      for (const c of chunks) {
        decoder.push(Buffer.from(c));
        pushed += c.length;
        for (let body = decoder.nextBody(); body !== undefined; body = decoder.nextBody()) {
          assert.ok(body.length >= 1 && body.length <= maxBodyBytes);
          taken += FRAME_LENGTH_BYTES + body.length;
        }
        assert.equal(decoder.buffered, pushed - taken, 'buffers exactly what it was given and not yet returned');
      }
    } catch (error) {
      assert.ok(error instanceof FrameDecodeError, String(error));
    }
  }));
  const grownMiB = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
  assert.ok(grownMiB < 64, `array buffers grew by ${grownMiB.toFixed(1)} MiB`);
});

test('frames inside a sealed frame: exactly the bytes, or a FrameDecodeError', () => {
  const genuineSequence = fc
    .array(fc.record({ channel: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 100 }) }), { minLength: 1, maxLength: 8 })
    .map((frames) => new Uint8Array(Buffer.concat(frames.map((f) => encodeFrame(f.channel, f.payload)))));
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    genuineSequence,
    fc.tuple(genuineSequence, fc.nat()).map(([bytes, cut]) => bytes.slice(0, cut % (bytes.length + 1))),
    fc.tuple(genuineSequence, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([bytes, at, mask]) => {
      bytes[at % bytes.length]! ^= mask;
      return bytes;
    }),
  );
  fuzz('frame sequence', 3_000, fc.property(input, fc.integer({ min: 1, max: 200 }), (bytes, maxFrameBytes) => {
    try {
      const frames = decodeFrameSequence(bytes, maxFrameBytes);
      assert.ok(frames.length >= 1);
      assert.equal(frames.reduce((sum, f) => sum + FRAME_LENGTH_BYTES + 1 + f.payload.length, 0), bytes.length);
      assert.ok(frames.every((f) => f.payload.length + 1 <= maxFrameBytes));
    } catch (error) {
      assert.ok(error instanceof FrameDecodeError, String(error));
    }
  }));
});

test('sealed-frame opener: anything but the genuine next frame is a SessionError', () => {
  const keys = deriveSessionKeys(new Uint8Array(randomBytes(32)), new Uint8Array(32), 'initiator');
  fuzz('opener', 2_000, fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }))), (payload, edit) => {
    const sealer = new FrameSealer(keys.send);
    const opener = new FrameOpener(keys.send);
    const [, ciphertext, tag] = sealer.seal(encodeFrame(1, payload));
    const body = new Uint8Array(Buffer.concat([ciphertext, tag]));
    if (edit !== null) body[edit[0] % body.length]! ^= edit[1];
    try {
      const plain = opener.open(edit === null ? body : body.subarray(0, body.length - (edit[0] % 3)));
      assert.equal(edit, null, 'an altered frame opened');
      assert.deepEqual(new Uint8Array(plain), new Uint8Array(encodeFrame(1, payload)));
    } catch (error) {
      assert.ok(error instanceof SessionError, String(error));
      assert.notEqual(edit, null, 'the genuine frame failed to open');
    }
  }));
  fuzz('opener on random bytes', 2_000, fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
    assert.throws(() => new FrameOpener(keys.receive).open(body), SessionError);
  }));
});

test('a live transport fed junk, before or after a genuine handshake, drops only that connection', async () => {
  const limits = { ...FAST_LIMITS, handshakeTimeoutMs: 300, maxFrameBytes: 4_096, maxQueueBytes: 65_536, maxInboundBytes: 65_536 };
  const mesh = await startMesh(2, limits, 250);
  const [a, b] = mesh.transports as [Transport, Transport];
  const stranger = validatorKey(259);
  a.setPeers([...mesh.keys, stranger].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
  const delivered: string[] = [];
  a.onMessage((peer) => delivered.push(peer));
  const junk = fc.array(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.uint8Array({ minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 6 });
  try {
    await fuzzAsync('live transport', 15, fc.asyncProperty(fc.boolean(), junk, async (authenticated, chunks) => {
      const socket = authenticated ? (await authenticatedRawPeer(stranger, mesh.keys[0]!, a.address().port)).socket : await connectRaw(a.address().port);
      socket.on('error', () => {});
      for (const c of chunks) socket.write(c);
      // Whatever it sent, the connection ends: dropped for a reason, or at the idle or handshake
      // timeout if the junk happened to be an incomplete frame.
      const closed = closedPromise(socket);
      const timer = setTimeout(() => socket.destroy(), limits.handshakeTimeoutMs);
      await closed;
      clearTimeout(timer);
    }));
    assert.ok(delivered.every((peer) => peer !== idOf(stranger)), 'junk never delivered as a message');
    await waitFor(() => a.stats().pendingHandshakes === 0, 'no pending handshakes left');
    // The genuine member is still served.
    const inbox: string[] = [];
    b.onMessage((_p, _c, payload) => inbox.push(Buffer.from(payload).toString()));
    assert.ok(a.send(idOf(mesh.keys[1]!), 1, Buffer.from('still serving')));
    await waitFor(() => inbox.includes('still serving'), 'genuine traffic after the junk');
  } finally {
    await mesh.close();
  }
});

test('ephemeral keys: generating and agreeing many under garbage-collection pressure never hangs', async () => {
  const count = 2_000 * SCALE;
  const timeoutMs = 30_000 + count; // about 0.1 ms a key pair on an idle core; generous for a loaded one
  const fixture = fileURLToPath(new URL('./fixtures/ephemeral-keys.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  clearTimeout(timer);
  assert.deepEqual(exit, { code: 0, signal: null }, `${count} key pairs did not finish within ${timeoutMs} ms (a deadlock?)`);
  assert.equal(output.trim(), 'done');
});
