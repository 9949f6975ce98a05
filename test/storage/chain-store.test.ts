import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openChainStore, STORE_FILE_NAME } from '../../src/storage/lmdb-store.js';
import { StorageError } from '../../src/storage/errors.js';
import type { ChainStore } from '../../src/chain/store.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { NODES_PER_BLOCK, TXS_PER_BLOCK, blockHash, stateNodeKey, syntheticCommit, txHash } from './fixtures/records.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'synod-store-test-'));
}

function assertBlockComplete(store: ChainStore, n: bigint): void {
  const block = store.getBlockByNumber(n);
  assert.ok(block, `block ${n} present`);
  assert.deepEqual(store.getBlockByHash(blockHash(n)), block);
  const receipts = store.getBlockReceipts(n);
  assert.equal(receipts?.length, TXS_PER_BLOCK, `receipts of block ${n}`);
  for (let i = 0; i < TXS_PER_BLOCK; i++) {
    assert.equal(store.getTransaction(txHash(n, i))?.blockNumber, n);
    assert.equal(store.getReceipt(txHash(n, i))?.transactionIndex, i);
  }
  for (let i = 0; i < NODES_PER_BLOCK; i++) assert.ok(store.getStateNode(fromHex(stateNodeKey(n, i))), `state node ${i} of block ${n}`);
}

test('a reopened store keeps blocks, receipts, state, certificates, journal and head', async () => {
  const dir = tempDir();
  try {
    const store = await openChainStore(dir);
    assert.equal(store.meta(), undefined);
    for (let n = 0n; n < 5n; n++) await store.commitBlock(syntheticCommit(n));
    await store.putCertificate({ chainId: 31337n, height: 4n, epoch: 0, blockHash: blockHash(4n), stateRoot: blockHash(4n), signatures: [{ validatorIndex: 1, signature: '0x01' }] });
    await store.appendJournal([{ height: 3n, vote: 'a' }, new Uint8Array([1, 2, 3]), { height: 5, vote: 'b' }]);
    await store.close();

    const reopened = await openChainStore(dir);
    assert.deepEqual(reopened.meta(), { chainId: 31337n, genesisHash: blockHash(0n), headNumber: 4n });
    for (let n = 0n; n < 5n; n++) assertBlockComplete(reopened, n);
    assert.equal(reopened.getCertificate(4n)?.signatures[0].validatorIndex, 1);
    assert.equal(reopened.getCertificate(3n), undefined);
    assert.deepEqual(reopened.readJournal(), [{ height: 3n, vote: 'a' }, new Uint8Array([1, 2, 3]), { height: 5, vote: 'b' }]);
    assert.equal(await reopened.pruneJournal(4n), 1);
    assert.deepEqual(reopened.readJournal(), [new Uint8Array([1, 2, 3]), { height: 5, vote: 'b' }]);
    await reopened.appendJournal([{ vote: 'c' }], 9n);
    assert.equal(reopened.readJournal().length, 3);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block that does not follow the head is refused and nothing of it is written', async () => {
  const dir = tempDir();
  try {
    const store = await openChainStore(dir);
    await store.commitBlock(syntheticCommit(0n));
    await assert.rejects(store.commitBlock(syntheticCommit(2n)), (e: unknown) => e instanceof StorageError && e.code === 'INVALID_WRITE');
    assert.equal(store.getBlockByNumber(2n), undefined);
    assert.equal(store.meta()?.headNumber, 0n);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt or foreign data dir fails with an error naming the path', async () => {
  const dir = tempDir();
  try {
    const corrupt = join(dir, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, STORE_FILE_NAME), Buffer.alloc(64 * 1024, 7));
    await assert.rejects(openChainStore(corrupt), (e: unknown) => e instanceof StorageError && e.code === 'CORRUPT_DATA_DIR' && e.message.includes(corrupt));
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await assert.rejects(openChainStore(file), (e: unknown) => e instanceof StorageError && e.code === 'NOT_A_DIRECTORY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 while writing leaves whole blocks and every acknowledged journal entry', async () => {
  const dir = tempDir();
  const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
  try {
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acked = -1;
      let output = '';
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          for (const match of output.matchAll(/journal (\d+)\n/g)) acked = Math.max(acked, Number(match[1]));
          // Kill mid-stream: after enough acknowledged writes, without waiting for a quiet moment.
          if (acked >= 40 && child.exitCode === null) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
        child.on('error', reject);
      });
      await exited;
      assert.ok(acked >= 40, `the writer made progress before the kill (acked ${acked})`);
      const store = await openChainStore(dir);
      const head = store.meta()?.headNumber;
      assert.ok(head !== undefined);
      for (let n = 0n; n <= head; n++) assertBlockComplete(store, n);
      assert.equal(store.getBlockByNumber(head + 1n), undefined);
      const votes = store.readJournal().filter((e): e is { vote: number } => typeof e === 'object' && e !== null && 'vote' in e).map((e) => e.vote);
      // This round's entries restart at 0; every acknowledged one must be there.
      const thisRound = votes.slice(votes.lastIndexOf(0));
      assert.ok(thisRound.length >= acked + 1, `journal holds ${thisRound.length} entries of this round, ${acked + 1} were acknowledged`);
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
