import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { Hex } from '../../src/chain/types.js';
import { StorageError } from '../../src/storage/errors.js';
import { DEFAULT_PENDING_STORE_LIMITS, openPendingTransactionStore, type PendingTransactionStore } from '../../src/storage/pending-store.js';
import { MAX_POOL_BYTES, MAX_POOL_TRANSACTIONS } from '../../src/mempool/index.js';

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-pending-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const contents = (store: PendingTransactionStore) => [...store.entries()].map(({ hash, raw }) => [hash, [...raw]]);
const hash = (i: number): Hex => `0x${i.toString(16).padStart(64, '0')}`;

test('pending transactions survive a reopen and leave once removed', async () => {
  await withDir(async (dir) => {
    let store = openPendingTransactionStore(dir);
    await store.put('0xaa', new Uint8Array([1, 2, 3]));
    await store.put('0xbb', new Uint8Array([4]));
    await store.put('0xcc', new Uint8Array([5]));
    await store.remove(['0xbb', '0xdd']);
    assert.equal(store.size(), 2);
    assert.equal(store.bytes(), 4);
    await store.close();
    store = openPendingTransactionStore(dir);
    assert.deepEqual(contents(store), [['0xaa', [1, 2, 3]], ['0xcc', [5]]]);
    assert.equal(store.size(), 2);
    await store.close();
  });
});

test('put resolves only after lmdb has flushed the write to disk', async () => {
  await withDir(async (dir) => {
    const events: string[] = [];
    // The real lmdb database, watched: each put notes when lmdb reports that write flushed.
    const watchingOpen = ((options: Parameters<typeof open>[0]) => {
      const db = open(options as never);
      const put = db.put.bind(db);
      db.put = ((key: string, value: Uint8Array) => {
        const committed = put(key, value);
        Promise.resolve(db.flushed).then(
          () => events.push(`flushed ${key}`),
          () => events.push(`flush failed ${key}`),
        );
        return committed;
      }) as typeof db.put;
      return db;
    }) as typeof open;
    const store = openPendingTransactionStore(dir, { openDatabase: watchingOpen });
    try {
      for (const key of ['0x01', '0x02', '0x03'] as const) {
        await store.put(key, new Uint8Array(100).fill(7));
        events.push(`accepted ${key}`);
      }
      await Promise.all((['0x04', '0x05'] as const).map(async (key) => {
        await store.put(key, new Uint8Array([1]));
        events.push(`accepted ${key}`);
      }));
      for (const key of ['0x01', '0x02', '0x03', '0x04', '0x05']) {
        const flushed = events.indexOf(`flushed ${key}`);
        assert.ok(flushed !== -1 && flushed < events.indexOf(`accepted ${key}`), `${key} accepted before it was flushed: ${events.join(', ')}`);
      }
    } finally {
      await store.close();
    }
  });
});

test('past its bound of entries a put is refused with a clear error, and nothing is kept', async () => {
  await withDir(async (dir) => {
    const store = openPendingTransactionStore(dir, { limits: { maxEntries: 3 } });
    try {
      for (let i = 0; i < 3; i++) await store.put(hash(i), new Uint8Array([i]));
      assert.match(store.refusal(1) ?? '', /holds 3 transactions of 3 bytes, its bound is 3 transactions/);
      await assert.rejects(store.put(hash(9), new Uint8Array([9])), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.code, 'FULL');
        assert.match(error.message, /its bound is 3 transactions of \d+ bytes; retry once blocks have included some/);
        return true;
      });
      assert.equal(store.size(), 3);
      // Putting an entry already kept needs no room; removing one makes room again.
      await store.put(hash(0), new Uint8Array([0]));
      await store.remove([hash(1)]);
      assert.equal(store.refusal(1), undefined);
      await store.put(hash(9), new Uint8Array([9]));
      assert.deepEqual(contents(store).map(([h]) => h), [hash(0), hash(2), hash(9)]);
    } finally {
      await store.close();
    }
  });
});

test('past its bound of bytes a put is refused too', async () => {
  await withDir(async (dir) => {
    const store = openPendingTransactionStore(dir, { limits: { maxBytes: 10 } });
    try {
      await store.put(hash(1), new Uint8Array(6));
      await assert.rejects(store.put(hash(2), new Uint8Array(5)), /holds 1 transactions of 6 bytes, its bound is \d+ transactions of 10 bytes/);
      await store.put(hash(3), new Uint8Array(4));
      assert.equal(store.bytes(), 10);
    } finally {
      await store.close();
    }
  });
});

test('a store larger than its bounds is trimmed when opened: a restart restores at most the bound', async () => {
  await withDir(async (dir) => {
    let store = openPendingTransactionStore(dir);
    for (let i = 0; i < 10; i++) await store.put(hash(i), new Uint8Array([i]));
    await store.close();
    store = openPendingTransactionStore(dir, { limits: { maxEntries: 4 } });
    assert.equal(store.trimmedAtOpen, 6);
    assert.equal(store.size(), 4);
    assert.deepEqual(contents(store).map(([h]) => h), [hash(0), hash(1), hash(2), hash(3)]);
    await store.close();
    // The trim is on disk: a larger bound finds only what was kept.
    store = openPendingTransactionStore(dir);
    assert.equal(store.trimmedAtOpen, 0);
    assert.equal(store.size(), 4);
    await store.close();
  });
});

test('the bounds are the pool\'s, and must be positive integers', () => {
  assert.deepEqual(DEFAULT_PENDING_STORE_LIMITS, { maxEntries: MAX_POOL_TRANSACTIONS, maxBytes: MAX_POOL_BYTES });
  assert.throws(() => openPendingTransactionStore('/nonexistent', { limits: { maxEntries: 0 } }), /maxEntries must be a positive integer, got 0/);
});
