// The authenticated key agreement of a validator link, as a pure state machine (no socket, no
// clock; randomness is an input). The initiator proves its key first: the responder answers a
// HELLO with a fresh challenge only, and signs, and spends a key agreement, only once the
// initiator's signature over that challenge has verified.
//
//   I -> R  HELLO     = 1 | version | chainId(u256) | initiatorKey(32) | initiatorEphemeral(32)    98 B
//   R -> I  CHALLENGE = 2 | version | responderKey(32) | responderNonce(32)                       66 B
//   I -> R  AUTH_I    = 3 | ed25519 signature over transcript('I')                                65 B
//   R -> I  AUTH_R    = 4 | responderEphemeral(32) | ed25519 signature over transcript('R')        97 B
//
//   transcript('I') = "synod/net/handshake/v2" | 'I' | chainId | initiatorKey | initiatorEphemeral
//                                                    | responderKey | responderNonce
//   transcript('R') = the same with 'R', then | responderEphemeral
//
// Each side signs both static keys, both fresh values and the chain id, with its own role byte: a
// signature verifies on no other connection, chain or direction, and cannot be reflected to its
// signer. Session keys come from X25519 over the two ephemeral keys (forward secret: they are
// discarded after the handshake), salted with the hash of the whole transcript, so both ends hold
// them only if they saw the same handshake. See docs/decisions/0013-encrypted-validator-links.md.
import { bytesEqual, concatBytes, uintToBytes, utf8 } from '../crypto/bytes.js';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, sign, verify, type Ed25519KeyPair } from '../crypto/ed25519.js';
import { sha256 } from '../crypto/hash.js';
import { deriveSessionKeys, type SessionKeys } from './session.js';
import { generateX25519KeyPair, X25519_PUBLIC_KEY_BYTES, x25519SharedSecret, type X25519KeyPair } from './x25519.js';

export const HANDSHAKE_VERSION = 2;
export const HANDSHAKE_NONCE_BYTES = 32;
const CHAIN_ID_BYTES = 32;
const MAX_CHAIN_ID = (1n << 256n) - 1n;
const TRANSCRIPT_DOMAIN = utf8('synod/net/handshake/v2');

const HELLO_TYPE = 1;
const CHALLENGE_TYPE = 2;
const AUTH_I_TYPE = 3;
const AUTH_R_TYPE = 4;
export const HELLO_BYTES = 2 + CHAIN_ID_BYTES + ED25519_PUBLIC_KEY_BYTES + X25519_PUBLIC_KEY_BYTES;
export const CHALLENGE_BYTES = 2 + ED25519_PUBLIC_KEY_BYTES + HANDSHAKE_NONCE_BYTES;
export const AUTH_I_BYTES = 1 + ED25519_SIGNATURE_BYTES;
export const AUTH_R_BYTES = 1 + X25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES;
export const HANDSHAKE_MAX_MESSAGE_BYTES = Math.max(HELLO_BYTES, CHALLENGE_BYTES, AUTH_I_BYTES, AUTH_R_BYTES);

export type HandshakeRole = 'initiator' | 'responder';

export type HandshakeFailure =
  | 'malformed_handshake'
  | 'version_mismatch'
  | 'chain_mismatch'
  | 'unknown_peer'
  | 'wrong_peer'
  | 'self_connection'
  | 'bad_signature';

export class HandshakeError extends Error {
  constructor(
    readonly reason: HandshakeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HandshakeError';
  }
}

export function isValidChainId(chainId: bigint): boolean {
  return chainId >= 0n && chainId <= MAX_CHAIN_ID;
}

// ---- messages --------------------------------------------------------------------------------

export interface Hello {
  readonly version: number;
  readonly chainId: bigint;
  readonly initiatorKey: Uint8Array;
  readonly initiatorEphemeral: Uint8Array;
}

export interface Challenge {
  readonly version: number;
  readonly responderKey: Uint8Array;
  readonly responderNonce: Uint8Array;
}

export interface ResponderAuth {
  readonly responderEphemeral: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeHello(hello: Hello): Uint8Array {
  return concatBytes(Uint8Array.of(HELLO_TYPE, hello.version), uintToBytes(hello.chainId, CHAIN_ID_BYTES), hello.initiatorKey, hello.initiatorEphemeral);
}

export function decodeHello(bytes: Uint8Array): Hello {
  expectMessage(bytes, HELLO_TYPE, HELLO_BYTES, 'HELLO');
  const read = reader(bytes, 2);
  const chainId = BigInt('0x' + Buffer.from(read(CHAIN_ID_BYTES)).toString('hex'));
  return { version: bytes[1]!, chainId, initiatorKey: read(ED25519_PUBLIC_KEY_BYTES), initiatorEphemeral: read(X25519_PUBLIC_KEY_BYTES) };
}

export function encodeChallenge(challenge: Challenge): Uint8Array {
  return concatBytes(Uint8Array.of(CHALLENGE_TYPE, challenge.version), challenge.responderKey, challenge.responderNonce);
}

export function decodeChallenge(bytes: Uint8Array): Challenge {
  // A responder of another version may open with its own first message: name the version.
  if (bytes.length >= 2 && bytes[0] === HELLO_TYPE && bytes[1] !== HANDSHAKE_VERSION) {
    throw new HandshakeError('version_mismatch', `peer speaks handshake version ${bytes[1]}, we speak ${HANDSHAKE_VERSION}`);
  }
  expectMessage(bytes, CHALLENGE_TYPE, CHALLENGE_BYTES, 'CHALLENGE');
  const read = reader(bytes, 2);
  return { version: bytes[1]!, responderKey: read(ED25519_PUBLIC_KEY_BYTES), responderNonce: read(HANDSHAKE_NONCE_BYTES) };
}

export function encodeInitiatorAuth(signature: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(AUTH_I_TYPE), signature);
}

export function decodeInitiatorAuth(bytes: Uint8Array): Uint8Array {
  expectMessage(bytes, AUTH_I_TYPE, AUTH_I_BYTES, 'AUTH_I');
  return new Uint8Array(bytes.subarray(1));
}

export function encodeResponderAuth(auth: ResponderAuth): Uint8Array {
  return concatBytes(Uint8Array.of(AUTH_R_TYPE), auth.responderEphemeral, auth.signature);
}

export function decodeResponderAuth(bytes: Uint8Array): ResponderAuth {
  expectMessage(bytes, AUTH_R_TYPE, AUTH_R_BYTES, 'AUTH_R');
  const read = reader(bytes, 1);
  return { responderEphemeral: read(X25519_PUBLIC_KEY_BYTES), signature: read(ED25519_SIGNATURE_BYTES) };
}

function expectMessage(bytes: Uint8Array, type: number, length: number, name: string): void {
  if (bytes.length !== length || bytes[0] !== type) {
    throw new HandshakeError('malformed_handshake', `expected a ${length}-byte ${name}, got ${bytes.length} bytes of type ${bytes[0] ?? 'none'}`);
  }
}

function reader(bytes: Uint8Array, start: number): (n: number) => Uint8Array {
  let at = start;
  return (n) => new Uint8Array(bytes.subarray(at, (at += n))); // copies, also when given a Buffer
}

// ---- transcript ------------------------------------------------------------------------------

/** Everything both sides must agree on; the responder's ephemeral key is known only at the end. */
export interface TranscriptFields {
  readonly chainId: bigint;
  readonly initiatorKey: Uint8Array;
  readonly initiatorEphemeral: Uint8Array;
  readonly responderKey: Uint8Array;
  readonly responderNonce: Uint8Array;
}

/** The bytes the side playing `signer` signs (the responder's include its ephemeral key). */
export function handshakeTranscript(signer: HandshakeRole, fields: TranscriptFields, responderEphemeral?: Uint8Array): Uint8Array {
  if ((signer === 'responder') !== (responderEphemeral !== undefined)) throw new Error('the responder, and only it, signs its ephemeral key');
  return concatBytes(
    TRANSCRIPT_DOMAIN,
    Uint8Array.of(signer === 'initiator' ? 0x49 : 0x52), // 'I' | 'R'
    uintToBytes(fields.chainId, CHAIN_ID_BYTES),
    fields.initiatorKey,
    fields.initiatorEphemeral,
    fields.responderKey,
    fields.responderNonce,
    responderEphemeral ?? new Uint8Array(0),
  );
}

/** The salt of the session keys: the hash of the complete handshake, without role bytes. */
function transcriptHash(fields: TranscriptFields, responderEphemeral: Uint8Array): Uint8Array {
  return sha256(
    TRANSCRIPT_DOMAIN,
    uintToBytes(fields.chainId, CHAIN_ID_BYTES),
    fields.initiatorKey,
    fields.initiatorEphemeral,
    fields.responderKey,
    fields.responderNonce,
    responderEphemeral,
  );
}

// ---- state machine ---------------------------------------------------------------------------

export interface HandshakeOptions {
  readonly role: HandshakeRole;
  readonly keyPair: Ed25519KeyPair;
  readonly chainId: bigint;
  /** The responder's challenge: fresh random bytes, never reused (unused by the initiator). */
  readonly nonce: Uint8Array;
  /** The initiator knows whom it dialled (required); the responder learns it from the HELLO. */
  readonly expectedPeer?: Uint8Array;
  readonly isKnownPeer: (publicKey: Uint8Array) => boolean;
  /** Fresh ephemeral keys; injectable for tests. Called once, by the responder only after the proof. */
  readonly ephemeral?: () => X25519KeyPair;
}

/** The authenticated peer and the keys of the session with it. */
export interface Established {
  readonly peer: Uint8Array;
  readonly keys: SessionKeys;
}

/** What a received message leads to: a reply to send, the end of the handshake, or both. */
export interface HandshakeStep {
  readonly send?: Uint8Array;
  readonly established?: Established;
}

type Expecting = 'start' | 'hello' | 'challenge' | 'initiator_auth' | 'responder_auth' | 'done';

/** One side of the handshake: start() first, then receive() each handshake message in order. */
export class Handshake {
  private expecting: Expecting = 'start';
  private ephemeral: X25519KeyPair | undefined;
  private fields: TranscriptFields | undefined;

  constructor(private readonly options: HandshakeOptions) {
    if (options.nonce.length !== HANDSHAKE_NONCE_BYTES) throw new Error(`handshake nonce must be ${HANDSHAKE_NONCE_BYTES} bytes`);
    if (options.role === 'initiator' && options.expectedPeer === undefined) throw new Error('the initiator must know the key of the peer it dials');
  }

  get finished(): boolean {
    return this.expecting === 'done';
  }

  /** The initiator's HELLO; the responder sends nothing first (undefined). */
  start(): Uint8Array | undefined {
    if (this.expecting !== 'start') throw new Error('handshake already started');
    if (this.options.role === 'responder') {
      this.expecting = 'hello';
      return undefined;
    }
    this.ephemeral = this.newEphemeral();
    this.expecting = 'challenge';
    const { keyPair, chainId } = this.options;
    return encodeHello({ version: HANDSHAKE_VERSION, chainId, initiatorKey: keyPair.publicKey, initiatorEphemeral: this.ephemeral.publicKey });
  }

  /** Takes the next handshake message from the peer. Throws HandshakeError on anything wrong. */
  receive(message: Uint8Array): HandshakeStep {
    switch (this.expecting) {
      case 'hello':
        return this.onHello(decodeHello(message));
      case 'challenge':
        return this.onChallenge(decodeChallenge(message));
      case 'initiator_auth':
        return this.onInitiatorAuth(decodeInitiatorAuth(message));
      case 'responder_auth':
        return this.onResponderAuth(decodeResponderAuth(message));
      case 'start':
        throw new Error('handshake not started: call start() first');
      case 'done':
        throw new HandshakeError('malformed_handshake', 'handshake message after the handshake finished');
    }
  }

  // Responder: HELLO -> CHALLENGE. Nothing here proves anything or costs more than a lookup.
  private onHello(hello: Hello): HandshakeStep {
    const { chainId, keyPair, isKnownPeer, nonce } = this.options;
    if (hello.version !== HANDSHAKE_VERSION) {
      throw new HandshakeError('version_mismatch', `peer speaks handshake version ${hello.version}, we speak ${HANDSHAKE_VERSION}`);
    }
    if (hello.chainId !== chainId) throw new HandshakeError('chain_mismatch', `peer is on chain ${hello.chainId}, we are on chain ${chainId}`);
    if (bytesEqual(hello.initiatorKey, keyPair.publicKey)) throw new HandshakeError('self_connection', 'peer announced our own key');
    if (!isKnownPeer(hello.initiatorKey)) throw new HandshakeError('unknown_peer', 'peer key is not in the configured peer set');
    this.fields = { chainId, initiatorKey: hello.initiatorKey, initiatorEphemeral: hello.initiatorEphemeral, responderKey: keyPair.publicKey, responderNonce: nonce };
    this.expecting = 'initiator_auth';
    return { send: encodeChallenge({ version: HANDSHAKE_VERSION, responderKey: keyPair.publicKey, responderNonce: nonce }) };
  }

  // Initiator: CHALLENGE -> AUTH_I (the first signature of the handshake).
  private onChallenge(challenge: Challenge): HandshakeStep {
    const { chainId, keyPair, expectedPeer } = this.options;
    if (challenge.version !== HANDSHAKE_VERSION) {
      throw new HandshakeError('version_mismatch', `peer speaks handshake version ${challenge.version}, we speak ${HANDSHAKE_VERSION}`);
    }
    if (!bytesEqual(challenge.responderKey, expectedPeer!)) {
      throw new HandshakeError('wrong_peer', 'the address we dialled answered with a different validator key');
    }
    this.fields = {
      chainId,
      initiatorKey: keyPair.publicKey,
      initiatorEphemeral: this.ephemeral!.publicKey,
      responderKey: challenge.responderKey,
      responderNonce: challenge.responderNonce,
    };
    this.expecting = 'responder_auth';
    return { send: encodeInitiatorAuth(sign(keyPair, handshakeTranscript('initiator', this.fields))) };
  }

  // Responder: AUTH_I verified -> AUTH_R, and the session is established on this side.
  private onInitiatorAuth(signature: Uint8Array): HandshakeStep {
    const fields = this.fields!;
    if (!verify(fields.initiatorKey, handshakeTranscript('initiator', fields), signature)) {
      throw new HandshakeError('bad_signature', 'AUTH_I signature does not verify under the key the peer announced');
    }
    // Only now, with the initiator proven, do we spend a key agreement and a signature.
    this.ephemeral = this.newEphemeral();
    const keys = this.sessionKeys(fields.initiatorEphemeral, this.ephemeral.publicKey);
    const responderEphemeral = this.ephemeral.publicKey;
    const auth = encodeResponderAuth({ responderEphemeral, signature: sign(this.options.keyPair, handshakeTranscript('responder', fields, responderEphemeral)) });
    this.finish();
    return { send: auth, established: { peer: fields.initiatorKey, keys } };
  }

  // Initiator: AUTH_R verified -> established.
  private onResponderAuth(auth: ResponderAuth): HandshakeStep {
    const fields = this.fields!;
    if (!verify(fields.responderKey, handshakeTranscript('responder', fields, auth.responderEphemeral), auth.signature)) {
      throw new HandshakeError('bad_signature', 'AUTH_R signature does not verify under the key of the peer we dialled');
    }
    const keys = this.sessionKeys(auth.responderEphemeral, auth.responderEphemeral);
    this.finish();
    return { established: { peer: fields.responderKey, keys } };
  }

  /** @param peerEphemeral the other side's ephemeral key; @param responderEphemeral for the salt. */
  private sessionKeys(peerEphemeral: Uint8Array, responderEphemeral: Uint8Array): SessionKeys {
    const secret = x25519SharedSecret(this.ephemeral!, peerEphemeral);
    if (secret === undefined) throw new HandshakeError('malformed_handshake', 'peer ephemeral key is invalid or of small order');
    return deriveSessionKeys(secret, transcriptHash(this.fields!, responderEphemeral), this.options.role);
  }

  private finish(): void {
    this.expecting = 'done';
    this.ephemeral = undefined; // forward secrecy: the private half goes with this reference
  }

  private newEphemeral(): X25519KeyPair {
    return (this.options.ephemeral ?? generateX25519KeyPair)();
  }
}
