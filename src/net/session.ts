// Sealed frames after the handshake: ChaCha20-Poly1305 (RFC 8439) from node:crypto, one key per
// direction derived by HKDF-SHA256 (RFC 5869) from the handshake's X25519 secret, salted with the
// hash of the handshake transcript. The nonce is the frame's number in its direction
// (u32 zero | u64 big-endian counter), never sent: both ends count, so a frame that is replayed,
// reordered, dropped from the middle or altered (length field included, as associated data)
// fails to open. ChaCha20-Poly1305 has no practical limit on frames per key (RFC 8446 §5.5), so
// a connection never needs rekeying; AES-GCM would need one every 2^24.5 frames.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { AEAD_TAG_BYTES, FRAME_HEADER_BYTES, FRAME_LENGTH_BYTES } from './frame.js';

const CIPHER = 'chacha20-poly1305';
export const SESSION_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const SESSION_INFO = Buffer.from('synod/net/session/v2');
/** Frames per direction before the counter would leave exact integers; reaching it closes the link. */
export const MAX_FRAMES_PER_DIRECTION = Number.MAX_SAFE_INTEGER;
/** A sealed body holds at least one inner frame header (length + channel) and the tag. */
export const MIN_SEALED_BODY_BYTES = FRAME_HEADER_BYTES + AEAD_TAG_BYTES;

export type SessionFailure = 'bad_mac' | 'short_frame' | 'counter_exhausted';

/** A sealed frame did not open, or a direction ran out of frame numbers; the link must close. */
export class SessionError extends Error {
  constructor(
    readonly reason: SessionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface SessionKeys {
  /** Seals what we send. */
  readonly send: Uint8Array;
  /** Opens what we receive. */
  readonly receive: Uint8Array;
}

/** Both directions' keys, as the side playing `role` uses them. */
export function deriveSessionKeys(sharedSecret: Uint8Array, transcriptHash: Uint8Array, role: 'initiator' | 'responder'): SessionKeys {
  const okm = new Uint8Array(hkdfSync('sha256', sharedSecret, transcriptHash, SESSION_INFO, 2 * SESSION_KEY_BYTES));
  const initiatorToResponder = okm.slice(0, SESSION_KEY_BYTES);
  const responderToInitiator = okm.slice(SESSION_KEY_BYTES);
  return role === 'initiator'
    ? { send: initiatorToResponder, receive: responderToInitiator }
    : { send: responderToInitiator, receive: initiatorToResponder };
}

/** One direction's key and frame counter. */
class Direction {
  private readonly key: KeyObject;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);
  /** Frames sealed (or opened) so far, which is the next frame's number. */
  count = 0;

  constructor(key: Uint8Array) {
    if (key.length !== SESSION_KEY_BYTES) throw new Error(`session key must be ${SESSION_KEY_BYTES} bytes`);
    this.key = createSecretKey(key);
  }

  protected keyObject(): KeyObject {
    return this.key;
  }

  /** The nonce of the next frame; advances the counter. */
  protected nextNonce(): Buffer {
    if (this.count >= MAX_FRAMES_PER_DIRECTION) throw new SessionError('counter_exhausted', 'frame counter exhausted: reconnect for fresh keys');
    this.nonce.writeUInt32BE(Math.floor(this.count / 2 ** 32), 4);
    this.nonce.writeUInt32BE(this.count % 2 ** 32, 8);
    this.count += 1;
    return this.nonce;
  }
}

/** The associated data of a sealed frame: its length field, so truncating or padding it is caught. */
function lengthField(bodyBytes: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_LENGTH_BYTES);
  header.writeUInt32BE(bodyBytes, 0);
  return header;
}

export class FrameSealer extends Direction {
  /** The wire frame for `plain` as parts to write in order: length field, ciphertext, tag. */
  seal(plain: Uint8Array): [Buffer, Buffer, Buffer] {
    const header = lengthField(plain.length + AEAD_TAG_BYTES);
    const cipher = createCipheriv(CIPHER, this.keyObject(), this.nextNonce(), { authTagLength: AEAD_TAG_BYTES });
    cipher.setAAD(header, { plaintextLength: plain.length });
    const ciphertext = cipher.update(plain);
    cipher.final();
    return [header, ciphertext, cipher.getAuthTag()];
  }
}

export class FrameOpener extends Direction {
  /** The plaintext of one sealed body (a wire frame without its length field). Throws SessionError. */
  open(body: Uint8Array): Buffer {
    if (body.length < MIN_SEALED_BODY_BYTES) {
      throw new SessionError('short_frame', `sealed frame of ${body.length} bytes is shorter than the minimum of ${MIN_SEALED_BODY_BYTES}`);
    }
    const split = body.length - AEAD_TAG_BYTES;
    const decipher = createDecipheriv(CIPHER, this.keyObject(), this.nextNonce(), { authTagLength: AEAD_TAG_BYTES });
    decipher.setAAD(lengthField(body.length), { plaintextLength: split });
    decipher.setAuthTag(body.subarray(split));
    const plain = decipher.update(body.subarray(0, split));
    try {
      decipher.final();
    } catch {
      throw new SessionError('bad_mac', `sealed frame #${this.count - 1} failed authentication (altered, replayed, reordered or not from this peer)`);
    }
    return plain;
  }
}
