// secp256k1 public-key recovery (SEC 1 v2, section 4.1.6) through the native `secp256k1`
// binding: about 20x faster than a pure-JS implementation, which matters because every
// transaction's sender is recovered once at admission and once per validator.
import secp from 'secp256k1';
import { calculateSigRecovery } from '@ethereumjs/util';
import type { CustomCrypto } from '@ethereumjs/common';
import { keccak256 } from './hash.js';

const SCALAR_BYTES = 32;

function leftPad32(bytes: Uint8Array): Uint8Array {
  if (bytes.length === SCALAR_BYTES) return bytes;
  if (bytes.length > SCALAR_BYTES) throw new Error('signature scalar longer than 32 bytes');
  const out = new Uint8Array(SCALAR_BYTES);
  out.set(bytes, SCALAR_BYTES - bytes.length);
  return out;
}

/**
 * Recovers the 64-byte uncompressed public key (without the 0x04 prefix) that signed
 * `msgHash`, with the same contract as @ethereumjs/util's `ecrecover`, so it can be
 * installed as `Common.customCrypto.ecrecover`. Throws on an invalid signature.
 */
export function ecrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const recovery = calculateSigRecovery(v, chainId);
  if (recovery !== 0n && recovery !== 1n) throw new Error('Invalid signature v value');
  const signature = new Uint8Array(64);
  signature.set(leftPad32(r), 0);
  signature.set(leftPad32(s), 32);
  const publicKey = secp.ecdsaRecover(signature, Number(recovery), msgHash, false);
  return publicKey.subarray(1);
}

/** Ethereum address (20 bytes) of a 64-byte uncompressed public key. */
export function publicKeyToAddress(publicKey64: Uint8Array): Uint8Array {
  return keccak256(publicKey64).subarray(12);
}

/** Ethereum address (20 bytes) of a 32-byte private key; throws when the key is zero or not below the curve order. */
export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  if (!secp.privateKeyVerify(privateKey)) throw new Error('secp256k1 private key out of range');
  return publicKeyToAddress(secp.publicKeyCreate(privateKey, false).subarray(1));
}

/** Custom crypto for @ethereumjs Common: native recovery and keccak for every tx and the EVM. */
export const nativeCustomCrypto: CustomCrypto = { ecrecover, keccak256 };
