// The bench's observers: /proc CPU parsing, Prometheus counters, per-height cost, and the
// sorting of profile samples into a height's cost categories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcStatCpuMs, processCpuMs } from '../../bench/observe/proc-cpu.js';
import { sumSamples } from '../../bench/observe/prometheus.js';
import { heightCost, type HeightCostSnapshot } from '../../bench/observe/height-cost.js';
import { breakdownTable, categorize, perHeight, type CpuProfile } from '../../bench/profile/breakdown.js';

test('utime + stime are read after the command name, even one with spaces and parentheses', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 20 0 11 0 100 0 0';
  assert.equal(parseProcStatCpuMs(line, 100), 2000);
  assert.throws(() => parseProcStatCpuMs('garbage', 100), /not a \/proc/);
});

test('this process\'s CPU time is readable and grows', async () => {
  if (process.platform !== 'linux') return;
  const before = await processCpuMs(process.pid);
  let x = 0;
  for (let i = 0; i < 3e7; i++) x += i % 7;
  assert.ok(x > 0);
  const after = await processCpuMs(process.pid);
  assert.ok(before !== undefined && after !== undefined && after > before, `${before} -> ${after}`);
  assert.equal(await processCpuMs(2 ** 30), undefined, 'a missing process reads as unknown');
});

test('Prometheus samples are summed by name and label values', () => {
  const text = [
    '# HELP synod_messages_in_total Frames received',
    '# TYPE synod_messages_in_total counter',
    'synod_messages_in_total{channel="1"} 120',
    'synod_messages_in_total{channel="3"} 7',
    'synod_messages_in_total_extra{channel="1"} 99',
    'synod_messages_in_total{channel="consensus"} 5',
  ].join('\n');
  assert.equal(sumSamples(text, 'synod_messages_in_total', { channel: ['1', 'consensus'] }), 125);
  assert.equal(sumSamples(text, 'synod_messages_in_total'), 132);
  assert.equal(sumSamples(text, 'synod_messages_out_total'), undefined);
});

test('cost per height divides by finalized heights and skips a restarted validator', () => {
  const from: HeightCostSnapshot = { atMs: 0, height: 10, pids: [1, 2, 3], cpuMs: [100, 200, 300], consensusFramesIn: 1000 };
  const to: HeightCostSnapshot = { atMs: 5000, height: 15, pids: [1, 2, 9], cpuMs: [150, 260, 5], consensusFramesIn: 2200 };
  const c = heightCost(from, to);
  assert.equal(c.heights, 5);
  assert.deepEqual(c.cpuPerHeightByValidatorMs, [10, 12, null]);
  assert.equal(c.cpuPerHeightMs, 11);
  assert.equal(c.messagesPerHeight, 240);
  assert.equal(heightCost(from, { ...to, height: 10 }).cpuPerHeightMs, null, 'no height finalized: no figure');
});

/** A profile whose samples sit under the given stacks (root first), 1 ms apart. */
function profileOf(stacks: readonly (readonly [string, string][])[]): CpuProfile {
  const nodes: { id: number; callFrame: { functionName: string; url: string }; children: number[] }[] = [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] }];
  const samples: number[] = [];
  for (const stack of stacks) {
    let parent = nodes[0];
    for (const [functionName, url] of stack) {
      const node = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
      nodes.push(node);
      parent.children.push(node.id);
      parent = node;
    }
    samples.push(parent.id);
  }
  return { nodes, samples, timeDeltas: samples.map(() => 1000) };
}

test('samples go to the most specific cost: signing inside consensus, RLP inside execution, lmdb as storage', () => {
  const node = 'file:///x/src/node/validator.ts';
  const profile = profileOf([
    [['step', 'file:///x/src/consensus/core.ts'], ['sign', 'file:///x/src/crypto/ed25519.ts']],
    [['onPeerMessage', node], ['verify', 'file:///x/src/crypto/ed25519.ts']],
    [['executeNow', 'file:///x/src/execution/engine.ts'], ['encode', 'file:///x/node_modules/@ethereumjs/rlp/dist/esm/index.js']],
    [['commitBlock', 'file:///x/src/storage/lmdb-store.ts'], ['put', 'file:///x/node_modules/lmdb/write.js']],
    [['appendJournal', 'file:///x/src/storage/lmdb-store.ts'], ['encodeValue', 'file:///x/src/storage/codec.ts']],
    [['listOnTimeout', 'node:internal/timers']],
    [['(garbage collector)', '']],
    [['(idle)', '']],
    [['(program)', '']],
  ]);
  const ms = categorize(profile);
  assert.deepEqual(Object.fromEntries(ms), { signing: 1, verification: 1, execution: 1, storage: 1, journal: 1, timers: 1, 'garbage collection': 1, other: 1 });
  const per = perHeight([profile, profile], 4);
  assert.equal(per.get('signing'), 0.25, '2 profiles x 1 ms / 4 heights / 2 validators');
  // 8 categories of 0.25 ms each (2 ms profiled per height); /proc says 4 ms: each share is applied to 4 ms.
  const table = breakdownTable([{ label: 'idle', heights: 4, byCategory: per, procMsPerHeight: 4 }]);
  assert.match(table, /signing\s+0\.50/);
  assert.match(table, /total \(\/proc utime\+stime\)\s+4\.00/);
  assert.match(table, /profiled non-idle time \(wall\)\s+2\.00/);
});
