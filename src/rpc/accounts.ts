// Accounts the node signs for (geth's unlocked keystore accounts, Hardhat's and Anvil's
// development accounts): viem local accounts over private keys handed in by the node. Only a
// devnet passes keys (`synod devnet`, or `synod start --unlock-dev-accounts`); by default the
// set is empty, eth_accounts answers [] and every signing method answers "unknown account".
import type { Hex } from '../chain/types.js';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { serverError, type RpcError } from './errors.js';

/** Most keys one node unlocks: the 20 development accounts with room to spare. */
export const MAX_UNLOCKED_ACCOUNTS = 1024;

/** geth's answer when asked to sign for an address it holds no unlocked key of. */
export function unknownAccount(): RpcError {
  return serverError('unknown account');
}

export class UnlockedAccounts {
  private readonly byAddress = new Map<Hex, PrivateKeyAccount>();
  /** Per-address tail of the nonce critical section (geth's nonceLock.LockAddr). */
  private readonly nonceLocks = new Map<Hex, Promise<unknown>>();

  constructor(privateKeys: readonly Hex[] = []) {
    if (privateKeys.length > MAX_UNLOCKED_ACCOUNTS) throw new RangeError(`at most ${MAX_UNLOCKED_ACCOUNTS} unlocked accounts, got ${privateKeys.length}`);
    for (const key of privateKeys) {
      const account = privateKeyToAccount(key);
      this.byAddress.set(account.address.toLowerCase() as Hex, account);
    }
  }

  /** The unlocked addresses, checksummed, in the order the keys were given (eth_accounts). */
  addresses(): Hex[] {
    return [...this.byAddress.values()].map((a) => a.address);
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** The account that signs for `address`, or geth's -32000 "unknown account". */
  signer(address: Hex): PrivateKeyAccount {
    const account = this.byAddress.get(address.toLowerCase() as Hex);
    if (account === undefined) throw unknownAccount();
    return account;
  }

  /**
   * Runs `work` alone among the works of `address`: choosing a nonce from the pool and handing
   * the signed transaction to it happen together, so two concurrent eth_sendTransaction calls
   * from one account never pick the same nonce.
   */
  async withNonceLock<T>(address: Hex, work: () => Promise<T>): Promise<T> {
    const key = address.toLowerCase() as Hex;
    const previous = this.nonceLocks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.nonceLocks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.nonceLocks.get(key) === tail) this.nonceLocks.delete(key);
    }
  }
}
