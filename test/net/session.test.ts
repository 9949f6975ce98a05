import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeFrameSequence, encodeFrame, FrameDecodeError, FrameDecoder } from '../../src/net/frame.js';
import { deriveSessionKeys, FrameOpener, FrameSealer, MAX_FRAMES_PER_DIRECTION, SessionError, type SessionFailure } from '../../src/net/session.js';

function link() {
  const secret = new Uint8Array(randomBytes(32));
  const salt = new Uint8Array(randomBytes(32));
  const initiator = deriveSessionKeys(secret, salt, 'initiator');
  const responder = deriveSessionKeys(secret, salt, 'responder');
  return { sealer: new FrameSealer(initiator.send), opener: new FrameOpener(responder.receive), back: new FrameSealer(responder.send) };
}

/** The body (what follows the length field) of each wire frame in `wire`. */
function bodies(wire: Buffer): Uint8Array[] {
  const decoder = new FrameDecoder(2 ** 32 - 1);
  decoder.push(wire);
  const out: Uint8Array[] = [];
  for (let b = decoder.nextBody(); b !== undefined; b = decoder.nextBody()) out.push(new Uint8Array(b));
  return out;
}

const sealed = (sealer: FrameSealer, text: string) => Buffer.concat(sealer.seal(encodeFrame(1, Buffer.from(text))));
const openText = (opener: FrameOpener, body: Uint8Array) => Buffer.from(decodeFrameSequence(opener.open(body), 1024)[0]!.payload).toString();

function fails(action: () => unknown, reason: SessionFailure): void {
  assert.throws(action, (e: unknown) => e instanceof SessionError && e.reason === reason);
}

test('sealed frames open in order, and their bytes reveal nothing of the plaintext', () => {
  const { sealer, opener } = link();
  const wire = Buffer.concat(['one', 'two', 'three'].map((t) => sealed(sealer, t)));
  assert.equal(wire.includes(Buffer.from('three')), false);
  assert.deepEqual(bodies(wire).map((b) => openText(opener, b)), ['one', 'two', 'three']);
});

test('a replayed, reordered, dropped or cross-direction frame fails to open', () => {
  {
    const { sealer, opener } = link();
    const [first] = bodies(sealed(sealer, 'a'));
    openText(opener, first!);
    fails(() => opener.open(first!), 'bad_mac'); // replay
  }
  {
    const { sealer, opener } = link();
    const [, second] = bodies(Buffer.concat([sealed(sealer, 'a'), sealed(sealer, 'b')]));
    fails(() => opener.open(second!), 'bad_mac'); // reordered, or the first one dropped
  }
  {
    const { back, opener } = link();
    fails(() => opener.open(bodies(sealed(back, 'reflected'))[0]!), 'bad_mac'); // our own direction's frame, reflected
  }
});

test('altering any byte of a sealed frame, its length field included, is detected', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, position, mask) => {
      const { sealer, opener } = link();
      const wire = Buffer.concat(sealer.seal(encodeFrame(7, payload)));
      const at = position % wire.length;
      wire[at]! ^= mask;
      // A different length field either cuts the stream elsewhere or is refused outright.
      const decoder = new FrameDecoder(wire.length);
      decoder.push(wire);
      try {
        const body = decoder.nextBody();
        if (body === undefined) return; // the altered length now waits for bytes that never come
        opener.open(body);
        assert.fail(`altering byte ${at} went unnoticed`);
      } catch (error) {
        assert.ok(error instanceof SessionError || error instanceof FrameDecodeError, String(error));
      }
    }),
    { numRuns: 1_000 },
  );
});

test('a truncated or too short sealed frame is refused', () => {
  const { sealer, opener } = link();
  const [body] = bodies(sealed(sealer, 'hello'));
  fails(() => opener.open(body!.subarray(0, body!.length - 1)), 'bad_mac');
  fails(() => opener.open(new Uint8Array(20)), 'short_frame');
});

test('a direction that has used every frame number refuses to seal or open more', () => {
  const { sealer, opener } = link();
  sealer.count = MAX_FRAMES_PER_DIRECTION;
  fails(() => sealer.seal(encodeFrame(1, Buffer.from('x'))), 'counter_exhausted');
  opener.count = MAX_FRAMES_PER_DIRECTION;
  fails(() => opener.open(new Uint8Array(40)), 'counter_exhausted');
});

test('the counter is a 64-bit nonce: frame 2^32 does not reuse the nonce of frame 0', () => {
  const key = new Uint8Array(randomBytes(32));
  const [early, late] = [new FrameSealer(key), new FrameSealer(key)];
  late.count = 2 ** 32; // would collide with frame 0 if only the low 32 bits counted
  const plain = encodeFrame(1, Buffer.from('same plaintext'));
  assert.notDeepEqual(early.seal(plain)[1], late.seal(plain)[1]);
  const opener = new FrameOpener(key);
  opener.count = 2 ** 32 + 1;
  const next = late.seal(plain);
  assert.deepEqual(opener.open(Buffer.concat([next[1], next[2]])), Buffer.from(plain));
});
