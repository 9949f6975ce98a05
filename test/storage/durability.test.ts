// The durability setting: one home for its modes, refused with the choices when misspelt, read
// from the config file and overridden by `synod start --durability`; the devnet keeps its choice in its configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULT_DURABILITY, lmdbSyncOptions } from '../../src/storage/durability.js';
import { keyFileFor, loadValidatorConfig } from '../../src/node/config.js';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { openChainStore } from '../../src/storage/lmdb-store.js';
import { openPendingTransactionStore } from '../../src/storage/pending-store.js';
import { DEVNET_DURABILITY } from '../../src/cli/devnet.js';
import { SYNOD_BIN } from '../helpers/devnet.js';

function withConfig(extra: Record<string, unknown>, run: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'synod-durability-'));
  try {
    writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(generateKeyPair())));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ id: 'v0', genesis: 'genesis.json', keyFile: 'key.json', dataDir: 'data', listen: '127.0.0.1:0', rpc: '127.0.0.1:0', peers: [], ...extra }));
    run(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a validator fsyncs by default; a new devnet, whose validators share one machine, does not unless told to', () => {
  assert.equal(DEFAULT_DURABILITY, 'machine');
  assert.equal(DEVNET_DURABILITY, 'process');
  assert.deepEqual(lmdbSyncOptions('machine'), {});
  assert.deepEqual(lmdbSyncOptions('process'), { noSync: true });
});

test('the config file sets durability, a flag overrides it, a misspelt mode is refused with the choices', () => {
  withConfig({}, (path) => assert.equal(loadValidatorConfig(path).durability, 'machine'));
  withConfig({ durability: 'process' }, (path) => {
    assert.equal(loadValidatorConfig(path).durability, 'process');
    assert.equal(loadValidatorConfig(path, { durability: 'machine' }).durability, 'machine');
  });
  withConfig({ durability: 'fast' }, (path) => assert.throws(() => loadValidatorConfig(path), /config: durability must be "machine" or "process"/));
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'devnet', '--durability', 'none', '--data-dir', '/nonexistent/x'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--durability must be "machine" or "process"/);
});

test('stores opened with process durability keep what they were given across a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synod-durability-'));
  try {
    const pending = openPendingTransactionStore(join(dir, 'pending'), { durability: 'process' });
    await pending.put('0x01', new Uint8Array([1, 2, 3]));
    await pending.close();
    const again = openPendingTransactionStore(join(dir, 'pending'));
    assert.deepEqual([...again.entries()].map((e) => [e.hash, [...e.raw]]), [['0x01', [1, 2, 3]]]);
    await again.close();
    const store = await openChainStore(join(dir, 'chain'), { durability: 'process' });
    await store.appendJournal([{ kind: 'echo', height: 1 }]);
    await store.close();
    const reopened = await openChainStore(join(dir, 'chain'));
    assert.deepEqual(reopened.readJournal(), [{ kind: 'echo', height: 1 }]);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
