// The vote journal in an append-only file: what this validator signed, made durable before any
// message carrying it leaves (persist, then send). It sits on every height's critical path — a
// height journals at each of its steps — so it is a plain file written with one write and one
// fdatasync per group of entries, not a database transaction whose durability is awaited behind
// the store's other writes. The write and the fdatasync run on libuv's thread pool (1–8 ms on a
// busy disk): the event loop reads, verifies and steps other messages meanwhile, and the driver
// journals everything they produced in the next group.
//
// Format: one JSON line per entry, {"h": height label or null, "e": entry}. A crash mid-write
// leaves at most a torn last line, which is ignored on open: its entries were never sent, because
// the send waits for the write. Pruning rewrites the file atomically (temporary file, fsync,
// rename, fsync of the folder) once enough pruned entries accumulate.
import { close as closeCallback, closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { StorageError } from './errors.js';
import { DEFAULT_DURABILITY, type Durability } from './durability.js';

const writeAsync = promisify(write) as (fd: number, buffer: Buffer) => Promise<{ bytesWritten: number; buffer: Buffer }>;
const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(closeCallback);

/** Pruned entries kept in the file until it is rewritten (a rewrite costs a few fsyncs). */
export const JOURNAL_REWRITE_AFTER_PRUNED = 4_096;
export const JOURNAL_FILE = 'vote-journal.log';

interface Line {
  readonly h: string | null;
  readonly e: unknown;
}

export interface VoteJournal {
  appendJournal(entries: readonly unknown[], height?: bigint): Promise<void>;
  readJournal(): unknown[];
  pruneJournal(keepFromHeight: bigint): Promise<number>;
  close(): void;
}

/** Height label of an entry: the explicit one, else its own `height` field. */
function labelOf(entry: unknown, height: bigint | undefined): string | null {
  if (height !== undefined) return height.toString();
  const own = (entry as { height?: unknown } | null)?.height;
  return typeof own === 'number' || typeof own === 'bigint' ? BigInt(own).toString() : null;
}

export interface VoteJournalOptions {
  /** 'machine' (default): each group is fdatasync'ed; 'process': written, not synced (storage/durability.ts). */
  readonly durability?: Durability;
  /** The sync call ('machine' only); tests pass one that counts. */
  readonly fdatasync?: (fd: number) => Promise<void>;
}

export function openVoteJournal(dir: string, migrate?: () => unknown[], options: VoteJournalOptions = {}): VoteJournal {
  const durability = options.durability ?? DEFAULT_DURABILITY;
  const sync = options.fdatasync ?? fdatasyncAsync;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, JOURNAL_FILE);
  const fresh = !existsSync(path);
  let lines: Line[] = [];
  if (!fresh) {
    const text = readFileSync(path, 'utf8');
    // split leaves the text after the last newline: empty, or a line torn by a crash (dropped).
    const complete = text.split('\n').slice(0, -1);
    const torn = text.length - (text.lastIndexOf('\n') + 1);
    if (torn > 0) truncateSync(path, Buffer.byteLength(text.slice(0, text.length - torn), 'utf8'));
    for (const [i, raw] of complete.entries()) {
      try {
        lines.push(JSON.parse(raw) as Line);
      } catch {
        throw new StorageError('CORRUPT_DATA_DIR', `vote journal ${path}: line ${i + 1} is not an entry; the file is damaged (only its last line may be torn by a crash)`);
      }
    }
  }
  let fd = openSync(path, 'a');
  let pruned = 0;
  let closed = false;
  /** Disk operations run one after another, in call order: appends, rewrites, the final close. */
  let chain: Promise<unknown> = Promise.resolve();
  const serially = <T>(op: () => Promise<T>): Promise<T> => {
    const run = chain.then(op);
    chain = run.catch(() => undefined);
    return run;
  };

  const writeLinesSync = (more: readonly Line[]): void => {
    if (more.length === 0) return;
    writeSync(fd, more.map((l) => JSON.stringify(l)).join('\n') + '\n');
    if (durability === 'machine') fdatasyncSync(fd);
  };

  const writeLines = async (more: readonly Line[]): Promise<void> => {
    const text = more.map((l) => JSON.stringify(l)).join('\n') + '\n';
    if (durability === 'process') {
      // A write of a few hundred bytes to the page cache takes microseconds: no thread-pool hop.
      writeSync(fd, text);
      return;
    }
    let bytes = Buffer.from(text, 'utf8');
    while (bytes.length > 0) {
      const { bytesWritten } = await writeAsync(fd, bytes);
      bytes = bytes.subarray(bytesWritten);
    }
    await sync(fd);
  };

  const rewrite = (): void => {
    const temporary = `${path}.tmp`;
    const out = openSync(temporary, 'w');
    try {
      if (lines.length > 0) writeSync(out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    closeSync(fd);
    renameSync(temporary, path);
    const folder = openSync(dirname(path), 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    fd = openSync(path, 'a');
    pruned = 0;
  };

  // A data dir from before the journal had its own file: its entries move over once.
  if (fresh && migrate !== undefined) {
    const old = migrate().map((e) => ({ h: labelOf(e, undefined), e }));
    if (old.length > 0) {
      lines = old;
      writeLinesSync(old);
    }
  }

  return {
    appendJournal(entries, height) {
      if (closed) return Promise.reject(new StorageError('CLOSED', `vote journal ${path} is closed`));
      if (entries.length === 0) return Promise.resolve();
      const more = entries.map((e) => ({ h: labelOf(e, height), e }));
      for (const line of more) lines.push(line);
      return serially(() => writeLines(more));
    },
    readJournal() {
      return lines.map((l) => l.e);
    },
    async pruneJournal(keepFromHeight) {
      const before = lines.length;
      lines = lines.filter((l) => l.h === null || BigInt(l.h) >= keepFromHeight);
      const removed = before - lines.length;
      pruned += removed;
      if (pruned >= JOURNAL_REWRITE_AFTER_PRUNED && !closed) await serially(async () => rewrite());
      return removed;
    },
    close() {
      if (closed) return;
      closed = true;
      // After the writes already asked for (their callers are told how they went).
      const last = fd;
      chain = chain.then(() => closeAsync(last)).catch(() => undefined);
    },
  };
}
