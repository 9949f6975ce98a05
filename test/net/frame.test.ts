import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrameSequence, encodeFrame, FrameDecodeError, FrameDecoder, type Frame } from '../../src/net/frame.js';

function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) out.push(frame);
  }
  return out;
}

/** Splits `bytes` at the given cut points (any values; reduced modulo the length). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

test('frames survive any split of the byte stream', () => {
  const frameArb = fc.record({ channel: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 300 }) });
  fc.assert(
    fc.property(fc.array(frameArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
      const stream = Buffer.concat(frames.map((f) => encodeFrame(f.channel, f.payload)));
      const decoder = new FrameDecoder(1024);
      const decoded = decodeAll(decoder, split(stream, cuts));
      assert.deepEqual(
        decoded.map((f) => ({ channel: f.channel, payload: Buffer.from(f.payload) })),
        frames.map((f) => ({ channel: f.channel, payload: Buffer.from(f.payload) })),
      );
      assert.equal(decoder.buffered, 0);
    }),
    { numRuns: 2_000 },
  );
});

test('an oversized length is refused from the header alone, before its body is buffered', () => {
  const decoder = new FrameDecoder(100);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(101);
  decoder.push(header.subarray(0, 2));
  assert.equal(decoder.next(), undefined);
  decoder.push(header.subarray(2));
  assert.throws(() => decoder.next(), (e: unknown) => e instanceof FrameDecodeError && e.reason === 'oversized_frame');
});

test('a frame exactly at the limit is accepted; the limit can be raised after the handshake', () => {
  const decoder = new FrameDecoder(10);
  decoder.push(encodeFrame(7, new Uint8Array(9)));
  assert.equal(decoder.next()?.payload.length, 9);
  decoder.push(encodeFrame(7, new Uint8Array(10)));
  assert.throws(() => decoder.next(), FrameDecodeError);
  decoder.maxBodyBytes = 11;
  assert.equal(decoder.next()?.payload.length, 10);
});

test('a zero length (no channel byte) is garbage', () => {
  const decoder = new FrameDecoder(100);
  decoder.push(Buffer.alloc(4));
  assert.throws(() => decoder.next(), (e: unknown) => e instanceof FrameDecodeError && e.reason === 'empty_frame');
});

test('delivered payloads are copies that do not alias the socket chunk', () => {
  const decoder = new FrameDecoder(100);
  const chunk = encodeFrame(1, Uint8Array.of(1, 2, 3));
  decoder.push(chunk);
  const frame = decoder.next()!;
  chunk.fill(0);
  assert.deepEqual([...frame.payload], [1, 2, 3]);
});

test('frames inside a sealed frame: a small payload is a copy, so keeping it never pins the batch', () => {
  const batch = Buffer.concat([encodeFrame(1, Uint8Array.of(1, 2, 3)), encodeFrame(2, new Uint8Array(100).fill(9))]);
  const [small, large] = decodeFrameSequence(batch, 1_000);
  batch.fill(0xee);
  assert.deepEqual([...small!.payload], [1, 2, 3]);
  assert.equal(small!.payload.buffer.byteLength, 3, 'owns exactly its bytes');
  assert.equal(large!.payload.length, 100, 'most of the batch: a view is kept, no copy');
});

test('frames inside a sealed frame: refused when truncated, oversized, empty or holding none', () => {
  const reason = (bytes: Uint8Array, max = 100) => {
    try {
      decodeFrameSequence(bytes, max);
      return 'ok';
    } catch (error) {
      return error instanceof FrameDecodeError ? error.reason : String(error);
    }
  };
  const frame = encodeFrame(1, Uint8Array.of(1, 2, 3));
  assert.equal(reason(frame), 'ok');
  assert.equal(reason(frame.subarray(0, frame.length - 1)), 'truncated_frame');
  assert.equal(reason(Buffer.concat([frame, Buffer.alloc(2)])), 'truncated_frame');
  assert.equal(reason(frame, 3), 'oversized_frame');
  assert.equal(reason(Buffer.alloc(4)), 'empty_frame');
  assert.equal(reason(new Uint8Array(0)), 'empty_frame');
});
