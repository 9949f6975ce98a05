// Prints what "accepted only once on disk" costs a client submission: the pending store's put
// (commit, then lmdb's fsync) beside a put that stops at the commit (the store before decision
// 0014), one at a time and in concurrent waves as many clients submit. Both run in this process,
// interleaved round by round, so the machine's load weighs on both alike. Figures only.
// Run: node --import tsx bench/pending-store.ts [--rounds 7] [--sequential 200] [--wave 64] [--waves 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { openPendingTransactionStore } from '../src/storage/pending-store.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    sequential: { type: 'string', default: '200' },
    wave: { type: 'string', default: '64' },
    waves: { type: 'string', default: '20' },
  },
});
const ROUNDS = Number(values.rounds);
const SEQUENTIAL = Number(values.sequential);
const WAVE = Number(values.wave);
const WAVES = Number(values.waves);
const TX = new Uint8Array(110).fill(0xab); // a signed EIP-1559 transfer is about this size

type Put = (hash: `0x${string}`, raw: Uint8Array) => Promise<unknown>;
let next = 0;
const key = (): `0x${string}` => `0x${(next++).toString(16).padStart(64, '0')}`;

async function sequential(put: Put): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < SEQUENTIAL; i++) await put(key(), TX);
  return Number(process.hrtime.bigint() - started) / 1e6 / SEQUENTIAL;
}

async function waves(put: Put): Promise<number> {
  const started = process.hrtime.bigint();
  for (let w = 0; w < WAVES; w++) await Promise.all(Array.from({ length: WAVE }, () => put(key(), TX)));
  return (WAVES * WAVE) / (Number(process.hrtime.bigint() - started) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'synod-bench-pending-'));
try {
  const store = openPendingTransactionStore(join(dir, 'durable'), { limits: { maxEntries: 10_000_000, maxBytes: 2 ** 40 } });
  const commitOnly = open<Uint8Array, string>({ path: join(dir, 'commit-only'), encoding: 'binary', compression: false });
  const durablePut: Put = (h, raw) => store.put(h, raw);
  const commitPut: Put = (h, raw) => commitOnly.put(h, raw);
  const figures = { durableMs: [] as number[], commitMs: [] as number[], durableTps: [] as number[], commitTps: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
    // Which goes first alternates, so neither always meets the other's leftover syncs.
    const order = round % 2 === 0 ? (['durable', 'commit'] as const) : (['commit', 'durable'] as const);
    for (const which of order) {
      const put = which === 'durable' ? durablePut : commitPut;
      (which === 'durable' ? figures.durableMs : figures.commitMs).push(await sequential(put));
      (which === 'durable' ? figures.durableTps : figures.commitTps).push(await waves(put));
    }
  }
  process.stderr.write('\n');
  const d = median(figures.durableMs);
  const c = median(figures.commitMs);
  console.log(`one at a time, per put (median of ${ROUNDS} rounds of ${SEQUENTIAL}): fsync'ed ${d.toFixed(3)} ms, commit only ${c.toFixed(3)} ms, ratio ${(d / c).toFixed(2)}`);
  const dt = median(figures.durableTps);
  const ct = median(figures.commitTps);
  console.log(`waves of ${WAVE} concurrent puts (median of ${ROUNDS} rounds of ${WAVES} waves): fsync'ed ${dt.toFixed(0)}/s, commit only ${ct.toFixed(0)}/s, ratio ${(dt / ct).toFixed(2)}`);
  await store.close();
  await commitOnly.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
