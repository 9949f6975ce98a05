// Length-prefixed frames: u32 big-endian length L, then L bytes = u8 channel + payload.
// The decoder is incremental (TCP delivers arbitrary chunks) and never buffers more than one
// frame of the current size limit beyond what the socket handed it.
import { FRAME_HEADER_BYTES, FRAME_LENGTH_BYTES } from './limits.js';

/** Channel 0 carries the transport's own handshake; the node's channels are 1..255. */
export const CONTROL_CHANNEL = 0;
export const MAX_CHANNEL = 255;

export interface Frame {
  readonly channel: number;
  readonly payload: Uint8Array;
}

export type FrameErrorReason = 'oversized_frame' | 'empty_frame';

/** The byte stream is not a valid frame sequence; the connection must be dropped. */
export class FrameDecodeError extends Error {
  constructor(
    readonly reason: FrameErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'FrameDecodeError';
  }
}

/** Encodes one frame into a fresh buffer that owns a copy of the payload. */
export function encodeFrame(channel: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(1 + payload.length, 0);
  frame[FRAME_LENGTH_BYTES] = channel;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private bufferedBytes = 0;

  /** @param maxFrameBytes largest accepted length field; may be raised after the handshake. */
  constructor(public maxFrameBytes: number) {}

  get buffered(): number {
    return this.bufferedBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  /** The next complete frame, or undefined until more bytes arrive. Throws FrameDecodeError. */
  next(): Frame | undefined {
    if (this.bufferedBytes < FRAME_LENGTH_BYTES) return undefined;
    const length = this.peekLength();
    // Checked before the body arrives, so a hostile length never makes us buffer it.
    if (length === 0) throw new FrameDecodeError('empty_frame', 'frame with length 0 (no channel byte)');
    if (length > this.maxFrameBytes) {
      throw new FrameDecodeError('oversized_frame', `frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
    }
    if (this.bufferedBytes < FRAME_LENGTH_BYTES + length) return undefined;
    this.skip(FRAME_LENGTH_BYTES);
    const body = this.take(length);
    return { channel: body[0]!, payload: body.subarray(1) };
  }

  private peekLength(): number {
    const head = this.chunks[0]!;
    if (head.length - this.offset >= FRAME_LENGTH_BYTES) return head.readUInt32BE(this.offset);
    const bytes = Buffer.allocUnsafe(FRAME_LENGTH_BYTES);
    let filled = 0;
    let offset = this.offset;
    for (const chunk of this.chunks) {
      filled += chunk.copy(bytes, filled, offset, Math.min(chunk.length, offset + FRAME_LENGTH_BYTES - filled));
      offset = 0;
      if (filled === FRAME_LENGTH_BYTES) break;
    }
    return bytes.readUInt32BE(0);
  }

  private skip(count: number): void {
    this.consume(count, undefined);
  }

  /** Copies the next `count` bytes out, so a delivered payload never pins a large socket chunk. */
  private take(count: number): Uint8Array {
    const out = new Uint8Array(count);
    this.consume(count, out);
    return out;
  }

  private consume(count: number, out: Uint8Array | undefined): void {
    let done = 0;
    while (done < count) {
      const chunk = this.chunks[0]!;
      const n = Math.min(count - done, chunk.length - this.offset);
      if (out !== undefined) out.set(chunk.subarray(this.offset, this.offset + n), done);
      done += n;
      this.offset += n;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.bufferedBytes -= count;
  }
}
