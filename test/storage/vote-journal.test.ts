// The vote journal file: durable on append, read back in order after a reopen, a torn last line
// (a crash mid-write) dropped and truncated, pruning by height label, atomic rewrites, migration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE, JOURNAL_REWRITE_AFTER_PRUNED, openVoteJournal } from '../../src/storage/vote-journal.js';

function withDir(run: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-journal-'));
  return Promise.resolve(run(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('entries come back in append order after a reopen, labelled by height', () =>
  withDir(async (dir) => {
    const a = openVoteJournal(dir);
    await a.appendJournal([{ kind: 'echo', height: 3 }, { kind: 'ready', height: 3 }]);
    await a.appendJournal([{ kind: 'est', height: 4 }], 5n);
    a.close();
    const b = openVoteJournal(dir);
    assert.deepEqual(b.readJournal(), [{ kind: 'echo', height: 3 }, { kind: 'ready', height: 3 }, { kind: 'est', height: 4 }]);
    assert.equal(await b.pruneJournal(4n), 2, 'entries labelled 3 go; the one labelled 5 stays');
    assert.deepEqual(b.readJournal(), [{ kind: 'est', height: 4 }]);
    b.close();
  }));

test('a line torn by a crash mid-write is dropped and cut off, and later appends stay readable', () =>
  withDir(async (dir) => {
    const a = openVoteJournal(dir);
    await a.appendJournal([{ kind: 'echo', height: 1 }]);
    a.close();
    appendFileSync(join(dir, JOURNAL_FILE), '{"h":"1","e":{"kind":"rea');
    const b = openVoteJournal(dir);
    assert.deepEqual(b.readJournal(), [{ kind: 'echo', height: 1 }]);
    await b.appendJournal([{ kind: 'ready', height: 1 }]);
    b.close();
    assert.deepEqual(openVoteJournal(dir).readJournal(), [{ kind: 'echo', height: 1 }, { kind: 'ready', height: 1 }]);
  }));

test('a damaged line other than the last is refused with a clear error', () =>
  withDir((dir) => {
    appendFileSync(join(dir, JOURNAL_FILE), 'garbage\n{"h":"1","e":{}}\n');
    assert.throws(() => openVoteJournal(dir), /line 1 is not an entry/);
  }));

test('pruning rewrites the file once enough entries are gone, keeping the rest', () =>
  withDir(async (dir) => {
    const j = openVoteJournal(dir);
    const old = Array.from({ length: JOURNAL_REWRITE_AFTER_PRUNED }, (_, i) => ({ kind: 'est', height: 1, i }));
    await j.appendJournal(old);
    await j.appendJournal([{ kind: 'aux', height: 9 }]);
    await j.pruneJournal(2n);
    j.close();
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, 'the file holds only what was kept');
    assert.deepEqual(openVoteJournal(dir).readJournal(), [{ kind: 'aux', height: 9 }]);
  }));

test('a data dir whose journal lived in the chain store moves it over once', () =>
  withDir(async (dir) => {
    let asked = 0;
    const migrate = () => (asked++, [{ kind: 'propose', height: 7 }]);
    openVoteJournal(dir, migrate).close();
    const again = openVoteJournal(dir, migrate);
    assert.deepEqual(again.readJournal(), [{ kind: 'propose', height: 7 }]);
    assert.equal(asked, 1);
    again.close();
  }));

test('the disk work of an append leaves the event loop free, and concurrent appends land in call order', () =>
  withDir(async (dir) => {
    const journal = openVoteJournal(dir);
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    await journal.appendJournal([{ kind: 'echo', height: 1 }]);
    // A synchronous write and fdatasync would resolve before the event loop turned once.
    assert.equal(turned, true, 'the event loop ran while the entry was written and synced');
    const many = Array.from({ length: 50 }, (_, i) => journal.appendJournal([{ kind: 'aux', height: 2, i }]));
    await Promise.all(many);
    journal.close();
    const reopened = openVoteJournal(dir);
    assert.deepEqual(reopened.readJournal(), [{ kind: 'echo', height: 1 }, ...Array.from({ length: 50 }, (_, i) => ({ kind: 'aux', height: 2, i }))]);
    await assert.rejects(journal.appendJournal([{ kind: 'late', height: 3 }]), /closed/);
    reopened.close();
  }));

test('durability: "machine" syncs every append, "process" writes without syncing; both read back after a reopen', () =>
  withDir(async (dir) => {
    for (const durability of ['machine', 'process'] as const) {
      const sub = join(dir, durability);
      let syncs = 0;
      const journal = openVoteJournal(sub, undefined, { durability, fdatasync: async () => { syncs++; } });
      await journal.appendJournal([{ kind: 'echo', height: 1 }]);
      await journal.appendJournal([{ kind: 'ready', height: 1 }]);
      journal.close();
      assert.equal(syncs, durability === 'machine' ? 2 : 0, durability);
      const again = openVoteJournal(sub);
      assert.deepEqual(again.readJournal(), [{ kind: 'echo', height: 1 }, { kind: 'ready', height: 1 }], durability);
      again.close();
    }
  }));
