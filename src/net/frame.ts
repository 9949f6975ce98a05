// The wire format. Every unit on the wire is `u32 big-endian length L | L bytes of body`:
// - a frame: body = u8 channel | payload (handshake messages, and inside sealed frames);
// - a sealed frame, after the handshake: body = ciphertext | 16-byte tag, whose plaintext is a
//   sequence of one or more frames (one write batch; see session.ts).
// The decoder is incremental (TCP delivers arbitrary chunks) and never buffers more than one
// unit of the current size limit beyond what the socket handed it: a length is checked from the
// header before its body is buffered.

/** Length field of every unit on the wire. */
export const FRAME_LENGTH_BYTES = 4;
/** A frame's header: its length field and the channel byte. */
export const FRAME_HEADER_BYTES = FRAME_LENGTH_BYTES + 1;
/** Poly1305 tag closing every sealed frame. */
export const AEAD_TAG_BYTES = 16;
/** What sealing adds to a batch of frames: its own length field and the tag. */
export const SEAL_OVERHEAD_BYTES = FRAME_LENGTH_BYTES + AEAD_TAG_BYTES;

/** Channel 0 carries the transport's own handshake and heartbeats; the node's channels are 1..255. */
export const CONTROL_CHANNEL = 0;
export const MAX_CHANNEL = 255;

export interface Frame {
  readonly channel: number;
  readonly payload: Uint8Array;
}

export type FrameErrorReason = 'oversized_frame' | 'empty_frame' | 'truncated_frame';

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

/**
 * The frames that make up exactly `bytes` (an opened sealed frame), each length at most
 * `maxFrameBytes`. A payload is a view of `bytes` when it is most of it, otherwise a copy, so a
 * small message kept by its receiver never pins a large batch.
 */
export function decodeFrameSequence(input: Uint8Array, maxFrameBytes: number): Frame[] {
  // A plain Uint8Array view: its subarray and slice are cheaper than a Buffer's, and slice copies.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const frames: Frame[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < FRAME_LENGTH_BYTES) throw new FrameDecodeError('truncated_frame', `sealed frame ends inside a length field at byte ${at}`);
    const length = view.getUint32(at);
    checkLength(length, maxFrameBytes);
    const start = at + FRAME_HEADER_BYTES;
    const end = at + FRAME_LENGTH_BYTES + length;
    if (end > bytes.length) throw new FrameDecodeError('truncated_frame', `frame of ${length} bytes at byte ${at} overruns its sealed frame of ${bytes.length}`);
    const payload = bytes.subarray(start, end);
    frames.push({ channel: bytes[at + FRAME_LENGTH_BYTES]!, payload: 2 * payload.length >= bytes.length ? payload : payload.slice() });
    at = end;
  }
  if (frames.length === 0) throw new FrameDecodeError('empty_frame', 'sealed frame holds no frame');
  return frames;
}

function checkLength(length: number, maxBytes: number): void {
  if (length === 0) throw new FrameDecodeError('empty_frame', 'frame with length 0 (no channel byte)');
  if (length > maxBytes) throw new FrameDecodeError('oversized_frame', `frame of ${length} bytes exceeds the limit of ${maxBytes}`);
}

export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private bufferedBytes = 0;

  /** @param maxBodyBytes largest accepted length field; raised after the handshake. */
  constructor(public maxBodyBytes: number) {}

  /** Bytes received and not yet taken out. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  /** The next complete frame, as an owned copy, or undefined until more bytes arrive. Throws FrameDecodeError. */
  next(): Frame | undefined {
    const body = this.nextBody();
    if (body === undefined) return undefined;
    const owned = new Uint8Array(body); // a copy (Buffer#slice would be a view)
    return { channel: owned[0]!, payload: owned.subarray(1) };
  }

  /**
   * The next complete body (a sealed frame's, or a frame's channel + payload), or undefined until
   * more bytes arrive. It may be a view of a received chunk: use it before the next call, or copy.
   */
  nextBody(): Uint8Array | undefined {
    if (this.bufferedBytes < FRAME_LENGTH_BYTES) return undefined;
    const length = this.peekLength();
    checkLength(length, this.maxBodyBytes); // before the body arrives: a hostile length is never buffered
    if (this.bufferedBytes < FRAME_LENGTH_BYTES + length) return undefined;
    this.consume(FRAME_LENGTH_BYTES, undefined);
    return this.take(length);
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

  /** The next `count` bytes: a view when they lie in one chunk, else a fresh copy. */
  private take(count: number): Uint8Array {
    const head = this.chunks[0]!;
    if (head.length - this.offset >= count) {
      const view = head.subarray(this.offset, this.offset + count);
      this.consume(count, undefined);
      return view;
    }
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
