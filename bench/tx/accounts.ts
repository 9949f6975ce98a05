// Deterministic benchmark accounts: sender i's key is keccak256("synod-bench-sender-<i>"), so
// every run, every node and the execution-bound helper agree on the same senders without
// shipping keys, and genesis allocations can be computed ahead of time.
import secp from 'secp256k1';
import { keccak256 } from '../../src/crypto/hash.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { accountFromPrivateKey, type Account } from '../../src/execution/legacy-tx.js';

export { accountFromPrivateKey, type Account, type Hex } from '../../src/execution/legacy-tx.js';

/** Upper bound on senders: keeps key derivation and genesis allocation sizes sane. */
export const MAX_SENDERS = 10_000;

/** Sender `index`'s account; the derivation is part of the benchmark's public contract. */
export function benchAccount(index: number): Account {
  // A keccak output is a valid scalar with probability 1 - 2^-128; bump the label if not.
  for (let attempt = 0; ; attempt++) {
    const label = attempt === 0 ? `synod-bench-sender-${index}` : `synod-bench-sender-${index}-${attempt}`;
    const key = keccak256(utf8(label));
    if (secp.privateKeyVerify(key)) return accountFromPrivateKey(key);
  }
}

/** The account that deploys and mints in workload setups; no load phase ever signs with it. */
export function benchDeployer(): Account {
  return accountFromPrivateKey(keccak256(utf8('synod-bench-deployer')));
}

export function benchAccounts(count: number): Account[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SENDERS) {
    throw new RangeError(`sender count must be an integer in 1..${MAX_SENDERS}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => benchAccount(i));
}
