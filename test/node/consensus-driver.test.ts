// The consensus driver's group commit: events queued together are stepped together, their
// journal entries are written in one call before any message of theirs leaves, and every other
// action keeps its order. The core here is a scripted twin: each event names the actions it yields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { ConsensusCore, CoreAction, CoreEvent, CoreStatus, JournalEntry } from '../../src/consensus/types.js';
import { ConsensusDriver, MAX_STEPS_PER_JOURNAL_WRITE, type DriverHost } from '../../src/node/consensus-driver.js';
import { createLogger } from '../../src/node/logger.js';
import { createMetrics } from '../../src/node/metrics.js';

/** A vote at `height` named `tag`: journaled, then broadcast as the bytes of `tag`. */
function vote(height: number, tag: string): CoreAction[] {
  return [
    { kind: 'persist', entry: { height, tag } as unknown as JournalEntry },
    { kind: 'broadcast', bytes: new TextEncoder().encode(tag) },
  ];
}

/** Message bytes are the tag of the vote the scripted core answers with. */
class ScriptedCore implements ConsensusCore {
  readonly steps: string[] = [];
  readonly height = 1;
  readonly hasPendingSends = false;
  constructor(private readonly script: (tag: string) => CoreAction[]) {}
  step(event: CoreEvent): CoreAction[] {
    const tag = event.kind === 'message' ? new TextDecoder().decode(event.bytes) : event.kind;
    this.steps.push(tag);
    return this.script(tag);
  }
  status(): CoreStatus {
    throw new Error('not used');
  }
}

interface Log {
  readonly calls: string[];
}

function host(log: Log, persistDelayMs = 0): DriverHost {
  return {
    persist: async (entries, height) => {
      log.calls.push(`persist ${(entries as { tag: string }[]).map((e) => e.tag).join(',')} @${height}`);
      await new Promise((resolve) => setTimeout(resolve, persistDelayMs));
    },
    broadcast: (bytes) => log.calls.push(`send ${new TextDecoder().decode(bytes)}`),
    send: () => assert.fail('no direct sends in these scripts'),
    requestProposal: (height) => log.calls.push(`request ${height}`),
    deliver: async (superblock) => void log.calls.push(`deliver ${superblock.height}`),
    evidence: () => assert.fail('no evidence in these scripts'),
    fatal: (error) => assert.fail(`driver failed: ${String(error)}`),
  };
}

function silentDriver(core: ConsensusCore, h: DriverHost): ConsensusDriver {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return new ConsensusDriver(core, h, createLogger('test', 'fatal', sink), createMetrics('test'));
}

/** Resolves once the driver has nothing left to do (its queue drains through microtasks and timers). */
async function settle(log: Log, calls: number): Promise<void> {
  for (let spins = 0; log.calls.length < calls && spins < 1_000; spins++) await new Promise((resolve) => setTimeout(resolve, 1));
}

test('votes of events queued together are journaled in one write, before any of them is sent', async () => {
  const log: Log = { calls: [] };
  const core = new ScriptedCore((tag) => (tag === 'start' ? [] : vote(tag === 'c' ? 2 : 1, tag)));
  const driver = silentDriver(core, host(log, 5));
  driver.start();
  // 'start' is stepped at once; the driver then waits a microtask, so these three form one batch.
  for (const tag of ['a', 'b', 'c']) driver.onMessage(new TextEncoder().encode(tag));
  await settle(log, 4);
  assert.deepEqual(log.calls, ['persist a,b,c @2', 'send a', 'send b', 'send c']);
  assert.deepEqual(core.steps, ['start', 'a', 'b', 'c']);
  driver.stop();
});

test('events arriving during a journal write form the next batch, and nothing is sent unjournaled', async () => {
  const log: Log = { calls: [] };
  const core = new ScriptedCore((tag) => (tag === 'start' ? [] : vote(1, tag)));
  const driver = silentDriver(core, host(log, 20));
  driver.start();
  driver.onMessage(new TextEncoder().encode('a'));
  await settle(log, 1); // 'persist a' has begun and waits on its (slow) write
  for (const tag of ['b', 'c']) driver.onMessage(new TextEncoder().encode(tag));
  await settle(log, 5);
  assert.deepEqual(log.calls, ['persist a @1', 'send a', 'persist b,c @1', 'send b', 'send c']);
  for (const [index, call] of log.calls.entries()) {
    if (!call.startsWith('send ')) continue;
    const tag = call.slice(5);
    const journaled = log.calls.findIndex((c) => c.startsWith('persist ') && c.split(' ')[1]!.split(',').includes(tag));
    assert.ok(journaled !== -1 && journaled < index, `${tag} sent before it was journaled`);
  }
  driver.stop();
});

test('non-vote actions keep their order across the batch, and a step without votes writes nothing', async () => {
  const log: Log = { calls: [] };
  const superblock = { height: 1, epoch: 0, batches: [], transactions: [], digest: new Uint8Array(32), timestampMs: 0 };
  const core = new ScriptedCore((tag) => {
    if (tag === 'start') return [{ kind: 'requestProposal', height: 1 }];
    if (tag === 'decide') return [{ kind: 'deliver', superblock }, { kind: 'requestProposal', height: 2 }];
    return vote(2, tag);
  });
  const driver = silentDriver(core, host(log));
  driver.start();
  for (const tag of ['decide', 'x']) driver.onMessage(new TextEncoder().encode(tag));
  await settle(log, 5);
  // 'start' ran alone; 'decide' and 'x' were stepped together: x's vote is journaled first.
  assert.deepEqual(log.calls, ['request 1', 'persist x @2', 'deliver 1', 'request 2', 'send x']);
  driver.stop();
});

test('a batch is bounded: a long queue is written in several journal writes', async () => {
  const log: Log = { calls: [] };
  const core = new ScriptedCore((tag) => (tag === 'start' ? [] : vote(1, tag)));
  const driver = silentDriver(core, host(log));
  const total = MAX_STEPS_PER_JOURNAL_WRITE + 10;
  driver.start();
  for (let i = 0; i < total; i++) driver.onMessage(new TextEncoder().encode(`v${i}`));
  await settle(log, total + 2);
  const writes = log.calls.filter((c) => c.startsWith('persist '));
  assert.equal(writes.length, 2);
  assert.equal(writes[0]!.split(' ')[1]!.split(',').length, MAX_STEPS_PER_JOURNAL_WRITE);
  assert.equal(writes[1]!.split(' ')[1]!.split(',').length, total - MAX_STEPS_PER_JOURNAL_WRITE);
  assert.equal(log.calls.filter((c) => c.startsWith('send ')).length, total);
  driver.stop();
});

test('stopping while a block is being delivered: whenIdle waits for it, and the stores may close after', async () => {
  const log: Log = { calls: [] };
  const superblock = { height: 1, epoch: 0, batches: [], transactions: [], digest: new Uint8Array(32), timestampMs: 0 };
  const core = new ScriptedCore((tag) => (tag === 'deliver' ? [{ kind: 'deliver', superblock, rounds: [] } as unknown as CoreAction] : []));
  let release!: () => void;
  const h: DriverHost = {
    ...host(log),
    deliver: async () => {
      log.calls.push('deliver begins');
      await new Promise<void>((resolve) => (release = resolve));
      log.calls.push('deliver ends');
    },
  };
  const driver = silentDriver(core, h);
  driver.onMessage(new TextEncoder().encode('deliver'));
  await settle(log, 1);
  driver.stop();
  let idle = false;
  const waiting = driver.whenIdle().then(() => (idle = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(idle, false, 'whenIdle resolved while the block was still being delivered');
  release();
  await waiting;
  assert.deepEqual(log.calls, ['deliver begins', 'deliver ends']);
});
