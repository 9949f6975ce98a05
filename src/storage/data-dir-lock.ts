// One writer per data dir: a running validator and `synod import` both write the chain store, and
// two writers would interleave blocks. The lock is a file, DATA_DIR/LOCK, holding the owner's pid
// and what it is doing; it is taken with O_EXCL and removed on release. A lock left by a process
// that no longer runs (a crash, kill -9) is taken over; so is one naming this process's own pid (a
// container restarted its pid-1 validator). Reading the store (synod export, the query workers)
// needs no lock: LMDB readers see a consistent snapshot while a writer commits.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { StorageError } from './errors.js';

export const DATA_DIR_LOCK_FILE = 'LOCK';

/** Lock files this process holds: a second lock on one of them, from this process, is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

/** Takes `dir`'s writer lock for `purpose` ("validator", "import"), or throws naming its holder. */
export function lockDataDir(dir: string, purpose: string): DataDirLock {
  const path = resolve(dir, DATA_DIR_LOCK_FILE);
  if (heldHere.has(path)) throw new StorageError('DATA_DIR_LOCKED', `data dir ${dir} is in use by this process (process ${process.pid}): stop it first, or use another data dir`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose }));
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: unknown; purpose?: unknown } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
    } catch {
      // unreadable or half-written: treated as stale below
    }
    const pid = typeof holder.pid === 'number' && Number.isSafeInteger(holder.pid) ? holder.pid : undefined;
    if (pid !== undefined && pid !== process.pid && alive(pid)) {
      throw new StorageError('DATA_DIR_LOCKED', `data dir ${dir} is in use by process ${pid} (${typeof holder.purpose === 'string' ? holder.purpose : 'unknown'}): stop it first, or use another data dir`);
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new StorageError('DATA_DIR_LOCKED', `data dir ${dir}: could not take ${path}`);
}
