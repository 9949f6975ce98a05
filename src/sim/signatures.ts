// Signers for simulated members. Real ed25519 (node:crypto) costs tens of microseconds per
// signature and per check; a swarm of thousands of runs signs and checks millions of messages. So
// most runs use a deterministic twin with the same interface and the same sizes (32-byte keys,
// 64-byte signatures), and a share of runs (and a dedicated test) use real ed25519.
//
// The twin is NOT a signature scheme: anyone who knows a public key can compute its signatures.
// It stands in for an unforgeable one because the simulated adversaries never forge by design —
// they sign with their own key, or corrupt bytes, exactly as they could against ed25519.
import { keyPairFromSeed } from '../crypto/ed25519.js';
import { sha256 } from '../crypto/hash.js';
import { uintToBytes, utf8 } from '../crypto/bytes.js';
import { ed25519Signer, ed25519Verifier } from '../consensus/signing.js';
import type { MessageSigner, SignatureVerifier } from '../consensus/types.js';
import type { Scenario } from './scenario.js';

export const SIGNATURE_BYTES = 64;
export const PUBLIC_KEY_BYTES = 32;
const TWIN_DOMAIN = utf8('synod-sim-signature-twin-v1');

export type SignatureKind = 'twin' | 'ed25519';

export interface SignatureScheme {
  readonly kind: SignatureKind;
  signerFor(runSeed: number, member: number): MessageSigner;
  readonly verifier: SignatureVerifier;
}

function twinSignature(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const first = sha256(TWIN_DOMAIN, publicKey, message);
  const out = new Uint8Array(SIGNATURE_BYTES);
  out.set(first, 0);
  out.set(first, 32); // 64 bytes, like ed25519, so size limits behave the same
  return out;
}

function memberSeed(runSeed: number, member: number): Uint8Array {
  return sha256(utf8('synod-sim-key'), uintToBytes(runSeed, 8), uintToBytes(member, 4));
}

/**
 * Checks remembered per signature buffer. In one run every member checks the same decoded
 * envelope (the simulator shares decodes), so the same (key, message, signature) comes back once
 * per member; a signature check is a pure function of those three, so the first answer is the
 * answer. A hit needs the same key and the same message bytes, so a replayed signature over other
 * bytes, or under another key, is checked afresh. Real ed25519 runs gain the most: without this a
 * 16-member run spent two thirds of its time verifying each broadcast 15 times.
 */
function remembered(check: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean): SignatureVerifier {
  const checks = new WeakMap<Uint8Array, { publicKey: Uint8Array; message: Uint8Array; ok: boolean }>();
  return {
    verify(publicKey, message, signature) {
      if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
      const seen = checks.get(signature);
      if (seen !== undefined && Buffer.compare(seen.publicKey, publicKey) === 0 && Buffer.compare(seen.message, message) === 0) return seen.ok;
      const ok = check(publicKey, message, signature);
      checks.set(signature, { publicKey: publicKey.slice(), message: message.slice(), ok });
      return ok;
    },
  };
}

const twinVerifier = remembered((publicKey, message, signature) => Buffer.compare(twinSignature(publicKey, message), signature) === 0);
const ed25519RememberedVerifier = remembered((publicKey, message, signature) => ed25519Verifier.verify(publicKey, message, signature));

export const twinScheme: SignatureScheme = {
  kind: 'twin',
  signerFor(runSeed, member) {
    const publicKey = memberSeed(runSeed, member);
    return { publicKey, sign: (message) => twinSignature(publicKey, message) };
  },
  verifier: twinVerifier,
};

export const ed25519Scheme: SignatureScheme = {
  kind: 'ed25519',
  signerFor: (runSeed, member) => ed25519Signer(keyPairFromSeed(memberSeed(runSeed, member))),
  verifier: ed25519RememberedVerifier,
};

/** --signatures mixed: one run in this many signs with real ed25519 (the seeds that are multiples of it). */
export const ED25519_RUN_SHARE = 10;

/** The signatures a run of `scenario` uses: its mode, or for 'mixed' the seed's share. */
export function signaturesOf(scenario: Pick<Scenario, 'signatures' | 'seed'>): SignatureKind {
  if (scenario.signatures !== 'mixed') return scenario.signatures;
  return scenario.seed % ED25519_RUN_SHARE === 0 ? 'ed25519' : 'twin';
}

export function signatureScheme(kind: SignatureKind): SignatureScheme {
  return kind === 'ed25519' ? ed25519Scheme : twinScheme;
}
