// The vote journal in an append-only file: what this validator signed, made durable before any
// message carrying it leaves (persist, then send). It sits on every height's critical path — a
// height journals at each of its steps — so it is a plain file written with one write and one
// fdatasync per group of entries (a fraction of a millisecond), not a database transaction whose
// durability is awaited behind the store's other writes (milliseconds).
//
// Format: one JSON line per entry, {"h": height label or null, "e": entry}. A crash mid-write
// leaves at most a torn last line, which is ignored on open: its entries were never sent, because
// the send waits for the write. Pruning rewrites the file atomically (temporary file, fsync,
// rename, fsync of the folder) once enough pruned entries accumulate.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StorageError } from './errors.js';

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

export function openVoteJournal(dir: string, migrate?: () => unknown[]): VoteJournal {
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

  const writeLines = (more: readonly Line[]): void => {
    if (more.length === 0) return;
    writeSync(fd, more.map((l) => JSON.stringify(l)).join('\n') + '\n');
    fdatasyncSync(fd);
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
      writeLines(old);
    }
  }

  return {
    async appendJournal(entries, height) {
      const more = entries.map((e) => ({ h: labelOf(e, height), e }));
      writeLines(more);
      for (const line of more) lines.push(line);
      return Promise.resolve();
    },
    readJournal() {
      return lines.map((l) => l.e);
    },
    async pruneJournal(keepFromHeight) {
      const before = lines.length;
      lines = lines.filter((l) => l.h === null || BigInt(l.h) >= keepFromHeight);
      const removed = before - lines.length;
      pruned += removed;
      if (pruned >= JOURNAL_REWRITE_AFTER_PRUNED) rewrite();
      return Promise.resolve(removed);
    },
    close() {
      closeSync(fd);
    },
  };
}
