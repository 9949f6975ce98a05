// The live state of the chain: @ethereumjs's MerkleStateManager, whose caches hold a block's
// changes, with two differences. A storage write goes to the storage cache only (the library
// also writes it through to the storage trie at once, re-hashing the slot's path and storing
// every intermediate node, on every SSTORE). And when the caches are flushed into the tries (at
// the end of a block), each storage trie and then the account trie take all their writes in one
// batch (trie-batch.ts), so every changed trie node is hashed and stored once per block instead
// of once per written key. Everything else (reads, checkpoints, reverts) is the library's.
// Without write-through the cache must never drop a written slot: the library's default cache
// (an ordered map) never evicts, and `putStorage` refuses any other.
import { RLP } from '@ethereumjs/rlp';
import { CacheType, CODEHASH_PREFIX, MerkleStateManager, type MerkleStateManagerOpts } from '@ethereumjs/statemanager';
import { Account, concatBytes, createAddressFromString, unpadBytes, unprefixedHexToBytes, type Address } from '@ethereumjs/util';
import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { keccak256 } from '../crypto/hash.js';
import { applyTrieWrites, type TrieNodeStore, type TrieWrite } from './trie-batch.js';

function nodeStore(trie: MerklePatriciaTrie): TrieNodeStore {
  const db = trie.database();
  return { get: (hash) => db.get(hash), put: (hash, encoded) => db.put(hash, encoded) };
}

export class BlockStateManager extends MerkleStateManager {
  constructor(opts: MerkleStateManagerOpts) {
    super(opts);
    const storage = opts.caches?.settings.storage;
    if (storage !== undefined && storage.size !== 0 && storage.type !== CacheType.ORDERED_MAP) {
      throw new Error('BlockStateManager needs a storage cache that never evicts (CacheType.ORDERED_MAP): an evicted write would be lost');
    }
  }

  /** As MerkleStateManager.putStorage, without writing through to the storage trie (flush does that, once). */
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const cache = this._caches?.storage;
    if (cache === undefined) return super.putStorage(address, key, value);
    if (key.length !== 32) throw new Error('Storage key must be 32 bytes long');
    if (value.length > 32) throw new Error('Storage value cannot be longer than 32 bytes');
    if ((await this.getAccount(address)) === undefined) throw new Error('putStorage() called on non-existing account');
    cache.put(address, key, RLP.encode(unpadBytes(value)));
  }

  /** Writes every cached change into the tries: code, then storage (one batch per account), then accounts (one batch). */
  override async flush(): Promise<void> {
    await this.flushCode();
    await this.flushStorage();
    const accounts = this._caches?.account?.flush() ?? [];
    if (accounts.length === 0) return;
    const writes: TrieWrite[] = accounts.map(([addressHex, elem]) => [keccak256(unprefixedHexToBytes(addressHex)), elem.accountRLP ?? null]);
    this._trie.root(await applyTrieWrites(nodeStore(this._trie), this._trie.root(), writes));
  }

  /** As MerkleStateManager.flush: code goes to the node store under its (prefixed) hash. */
  private async flushCode(): Promise<void> {
    for (const [addressHex, { code }] of this._caches?.code?.flush() ?? []) {
      if (code === undefined) continue;
      const codeHash = keccak256(code);
      await this._getCodeDB().put(this._prefixCodeHashes ? concatBytes(CODEHASH_PREFIX, codeHash) : codeHash, code);
      const address = createAddressFromString(`0x${addressHex}`);
      if ((await this.getAccount(address)) === undefined) await this.putAccount(address, new Account());
      await this.modifyAccountFields(address, { codeHash });
    }
  }

  /** Each account's slot writes in one batch on its storage trie; its new storage root goes into the account cache. */
  private async flushStorage(): Promise<void> {
    const byAccount = new Map<string, TrieWrite[]>();
    for (const [addressHex, keyHex, value] of this._caches?.storage?.flush() ?? []) {
      // The cache holds rlp(value) (0x80 for a cleared slot); the trie holds rlp of the non-empty value.
      const decoded = RLP.decode(value ?? new Uint8Array(0));
      const stored = decoded instanceof Uint8Array && decoded.length > 0 ? RLP.encode(decoded) : null;
      let writes = byAccount.get(addressHex);
      if (writes === undefined) byAccount.set(addressHex, (writes = []));
      writes.push([keccak256(unprefixedHexToBytes(keyHex)), stored]);
    }
    for (const [addressHex, writes] of byAccount) {
      const address = createAddressFromString(`0x${addressHex}`);
      const account = await this.getAccount(address);
      if (account === undefined) continue;
      const storageTrie = this._getStorageTrie(address, account);
      storageTrie.root(await applyTrieWrites(nodeStore(storageTrie), storageTrie.root(), writes));
      this._storageTries[addressHex] = storageTrie;
      account.storageRoot = storageTrie.root();
      await this.putAccount(address, account);
    }
  }
}
