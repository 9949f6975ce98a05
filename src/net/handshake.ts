// The authenticated handshake, as a pure state machine (no socket, no clock, no randomness:
// the nonce is an input). Both sides send HELLO at once, then AUTH:
//
//   HELLO = type(1) | version(1) | chainId(u256) | publicKey(32) | nonce(32)      98 bytes
//   AUTH  = type(2) | ed25519 signature over the transcript                        65 bytes
//   transcript = "synod/net/handshake/v1" | role | chainId | initiatorKey | initiatorNonce
//                                                         | responderKey | responderNonce
//
// Each side signs with its own role byte, so a signature cannot be reflected back to its
// signer; both fresh nonces make a signature useless on any other connection; the chain id
// makes it useless on any other chain. See docs/decisions/0007-transport.md.
import { bytesEqual, concatBytes, uintToBytes, utf8 } from '../crypto/bytes.js';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, sign, verify, type Ed25519KeyPair } from '../crypto/ed25519.js';

export const HANDSHAKE_VERSION = 1;
export const HANDSHAKE_NONCE_BYTES = 32;
const CHAIN_ID_BYTES = 32;
const HELLO_TYPE = 1;
const AUTH_TYPE = 2;
export const HELLO_BYTES = 2 + CHAIN_ID_BYTES + ED25519_PUBLIC_KEY_BYTES + HANDSHAKE_NONCE_BYTES;
export const AUTH_BYTES = 1 + ED25519_SIGNATURE_BYTES;
const TRANSCRIPT_DOMAIN = utf8('synod/net/handshake/v1');
const MAX_CHAIN_ID = (1n << 256n) - 1n;

export type HandshakeRole = 'initiator' | 'responder';

export interface Hello {
  readonly version: number;
  readonly chainId: bigint;
  readonly publicKey: Uint8Array;
  readonly nonce: Uint8Array;
}

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

export function encodeHello(hello: Hello): Uint8Array {
  return concatBytes(
    Uint8Array.of(HELLO_TYPE, hello.version),
    uintToBytes(hello.chainId, CHAIN_ID_BYTES),
    hello.publicKey,
    hello.nonce,
  );
}

export function decodeHello(bytes: Uint8Array): Hello {
  if (bytes.length !== HELLO_BYTES || bytes[0] !== HELLO_TYPE) {
    throw new HandshakeError('malformed_handshake', `expected a ${HELLO_BYTES}-byte HELLO, got ${bytes.length} bytes of type ${bytes[0]}`);
  }
  let at = 2;
  const field = (n: number) => bytes.slice(at, (at += n));
  const chainId = BigInt('0x' + Buffer.from(field(CHAIN_ID_BYTES)).toString('hex'));
  return { version: bytes[1]!, chainId, publicKey: field(ED25519_PUBLIC_KEY_BYTES), nonce: field(HANDSHAKE_NONCE_BYTES) };
}

export function encodeAuth(signature: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(AUTH_TYPE), signature);
}

export function decodeAuth(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== AUTH_BYTES || bytes[0] !== AUTH_TYPE) {
    throw new HandshakeError('malformed_handshake', `expected a ${AUTH_BYTES}-byte AUTH, got ${bytes.length} bytes of type ${bytes[0]}`);
  }
  return bytes.slice(1);
}

export interface TranscriptParty {
  readonly publicKey: Uint8Array;
  readonly nonce: Uint8Array;
}

/** The bytes the side playing `signer` signs. */
export function handshakeTranscript(signer: HandshakeRole, chainId: bigint, initiator: TranscriptParty, responder: TranscriptParty): Uint8Array {
  return concatBytes(
    TRANSCRIPT_DOMAIN,
    Uint8Array.of(signer === 'initiator' ? 0x49 : 0x52), // 'I' | 'R'
    uintToBytes(chainId, CHAIN_ID_BYTES),
    initiator.publicKey,
    initiator.nonce,
    responder.publicKey,
    responder.nonce,
  );
}

export interface HandshakeOptions {
  readonly role: HandshakeRole;
  readonly keyPair: Ed25519KeyPair;
  readonly chainId: bigint;
  /** Fresh random bytes, never reused: they make this connection's signatures unique. */
  readonly nonce: Uint8Array;
  /** The initiator knows whom it dialled; the responder learns it from the HELLO. */
  readonly expectedPeer?: Uint8Array;
  readonly isKnownPeer: (publicKey: Uint8Array) => boolean;
}

export type HandshakeStep = { readonly send: Uint8Array } | { readonly peer: Uint8Array };

/** One side of the handshake: hello() first, then receive() each control message in order. */
export class Handshake {
  private peerHello: Hello | undefined;
  private finished = false;

  constructor(private readonly options: HandshakeOptions) {
    if (options.nonce.length !== HANDSHAKE_NONCE_BYTES) throw new Error(`handshake nonce must be ${HANDSHAKE_NONCE_BYTES} bytes`);
  }

  hello(): Uint8Array {
    const { keyPair, chainId, nonce } = this.options;
    return encodeHello({ version: HANDSHAKE_VERSION, chainId, publicKey: keyPair.publicKey, nonce });
  }

  /** HELLO yields the AUTH to send; a valid AUTH yields the authenticated peer key. */
  receive(message: Uint8Array): HandshakeStep {
    if (this.finished) throw new HandshakeError('malformed_handshake', 'handshake message after the handshake finished');
    if (this.peerHello === undefined) {
      this.peerHello = this.checkHello(decodeHello(message));
      return { send: encodeAuth(sign(this.options.keyPair, this.transcript(this.options.role))) };
    }
    const signature = decodeAuth(message);
    const peerRole: HandshakeRole = this.options.role === 'initiator' ? 'responder' : 'initiator';
    if (!verify(this.peerHello.publicKey, this.transcript(peerRole), signature)) {
      throw new HandshakeError('bad_signature', 'AUTH signature does not verify under the key the peer announced');
    }
    this.finished = true;
    return { peer: this.peerHello.publicKey };
  }

  private checkHello(hello: Hello): Hello {
    const { chainId, keyPair, expectedPeer, isKnownPeer } = this.options;
    if (hello.version !== HANDSHAKE_VERSION) {
      throw new HandshakeError('version_mismatch', `peer speaks handshake version ${hello.version}, we speak ${HANDSHAKE_VERSION}`);
    }
    if (hello.chainId !== chainId) throw new HandshakeError('chain_mismatch', `peer is on chain ${hello.chainId}, we are on chain ${chainId}`);
    if (bytesEqual(hello.publicKey, keyPair.publicKey)) throw new HandshakeError('self_connection', 'peer announced our own key');
    if (expectedPeer !== undefined && !bytesEqual(hello.publicKey, expectedPeer)) {
      throw new HandshakeError('wrong_peer', 'the address we dialled answered with a different validator key');
    }
    if (!isKnownPeer(hello.publicKey)) throw new HandshakeError('unknown_peer', 'peer key is not in the configured peer set');
    return hello;
  }

  private transcript(signer: HandshakeRole): Uint8Array {
    const own = { publicKey: this.options.keyPair.publicKey, nonce: this.options.nonce };
    const peer = { publicKey: this.peerHello!.publicKey, nonce: this.peerHello!.nonce };
    return this.options.role === 'initiator'
      ? handshakeTranscript(signer, this.options.chainId, own, peer)
      : handshakeTranscript(signer, this.options.chainId, peer, own);
  }
}
