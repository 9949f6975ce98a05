// Real ed25519 signer and verifier for consensus messages, through node:crypto (src/crypto/ed25519.ts).
// The simulator may inject a cheaper deterministic twin behind the same two interfaces.
import { sign, verify, type Ed25519KeyPair } from '../crypto/ed25519.js';
import type { MessageSigner, SignatureVerifier } from './types.js';

export function ed25519Signer(keyPair: Ed25519KeyPair): MessageSigner {
  return {
    publicKey: keyPair.publicKey,
    sign: (message: Uint8Array) => sign(keyPair, message),
  };
}

export const ed25519Verifier: SignatureVerifier = {
  verify: (publicKey, message, signature) => verify(publicKey, message, signature),
};
