// One writer per data dir: a live holder is named, a dead holder's lock (crash, kill -9) and this
// process's own pid (a restarted pid-1 container) are taken over, and release removes the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR_LOCK_FILE, lockDataDir } from '../../src/storage/data-dir-lock.js';

test('a data dir has one writer; stale locks are taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synod-lock-'));
  try {
    const lock = lockDataDir(dir, 'validator v0');
    assert.throws(() => lockDataDir(dir, 'synod import'), /in use by this process/); // held here
    lock.release();
    assert.equal(existsSync(join(dir, DATA_DIR_LOCK_FILE)), false);
    // A process that has exited held it.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: Number(gone.stdout), purpose: 'validator v1' }));
    lockDataDir(dir, 'validator v1').release();
    // Our own pid (a container's pid 1 restarted), or a half-written file.
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: process.pid, purpose: 'validator v1' }));
    lockDataDir(dir, 'validator v1').release();
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), '{"pid":');
    lockDataDir(dir, 'validator v1').release();
    // A live other process holds it: refused, naming it.
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: process.ppid, purpose: 'synod import' }));
    assert.throws(() => lockDataDir(dir, 'validator v0'), new RegExp(`in use by process ${process.ppid} \\(synod import\\): stop it first`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
