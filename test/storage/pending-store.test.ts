import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPendingTransactionStore } from '../../src/storage/pending-store.js';

test('pending transactions survive a reopen and leave once removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synod-pending-'));
  try {
    let store = openPendingTransactionStore(dir);
    await store.put('0xaa', new Uint8Array([1, 2, 3]));
    await store.put('0xbb', new Uint8Array([4]));
    await store.put('0xcc', new Uint8Array([5]));
    await store.remove(['0xbb', '0xdd']);
    assert.equal(store.size(), 2);
    await store.close();
    store = openPendingTransactionStore(dir);
    assert.deepEqual(store.all().map((b) => [...b]), [[1, 2, 3], [5]]);
    assert.equal(store.size(), 2);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
