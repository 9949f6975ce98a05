// Synod's own precompiles, beside Ethereum's (Prague): ed25519 signature verification, which the
// EVM lacks and the staking contract needs (a consensus key's proof of possession; equivocation
// evidence later). Every EVM of the node runs them: block execution, calls, traces, simulations.
import { EVMError, type CustomPrecompile, type ExecResult, type PrecompileInput } from '@ethereumjs/evm';
import { isValidPublicKey, verify } from '../crypto/ed25519.js';

/** ED25519_VERIFY: input publicKey (32 bytes) || signature (64) || message; output one word, 1 if valid, else 0. */
export const ED25519_VERIFY_ADDRESS = '0x0000000000000000000000000000000000000ed2';
/** Gas of one verification: as ecrecover (3,000), whose work it resembles… */
export const ED25519_VERIFY_BASE_GAS = 3_000n;
/** …plus SHA-256's per-word price for the message (ed25519 hashes it with SHA-512). */
export const ED25519_VERIFY_GAS_PER_WORD = 12n;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

function word(value: 0 | 1): Uint8Array {
  const out = new Uint8Array(32);
  out[31] = value;
  return out;
}

export function ed25519VerifyGas(inputBytes: number): bigint {
  const message = Math.max(0, inputBytes - PUBLIC_KEY_BYTES - SIGNATURE_BYTES);
  return ED25519_VERIFY_BASE_GAS + ED25519_VERIFY_GAS_PER_WORD * BigInt(Math.ceil(message / 32));
}

export function ed25519VerifyPrecompile(input: PrecompileInput): ExecResult {
  const gas = ed25519VerifyGas(input.data.length);
  if (input.gasLimit < gas) {
    return { returnValue: new Uint8Array(), executionGasUsed: input.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) };
  }
  const data = input.data;
  if (data.length < PUBLIC_KEY_BYTES + SIGNATURE_BYTES) return { returnValue: word(0), executionGasUsed: gas };
  // A small-order key (the identity among them) verifies forged signatures: never valid here.
  if (!isValidPublicKey(data.subarray(0, PUBLIC_KEY_BYTES))) return { returnValue: word(0), executionGasUsed: gas };
  let valid: boolean;
  try {
    valid = verify(data.subarray(0, PUBLIC_KEY_BYTES), data.subarray(PUBLIC_KEY_BYTES + SIGNATURE_BYTES), data.subarray(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES + SIGNATURE_BYTES));
  } catch {
    valid = false; // a key that is not a curve point: invalid, never an error
  }
  return { returnValue: word(valid ? 1 : 0), executionGasUsed: gas };
}

/** What every EVM of the node is created with (createVM's evmOpts.customPrecompiles). */
export const SYNOD_PRECOMPILES: CustomPrecompile[] = [{ address: ED25519_VERIFY_ADDRESS, function: ed25519VerifyPrecompile }];
