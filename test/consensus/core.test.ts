import test from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/crypto/bytes.js';
import { createConsensusCore } from '../../src/consensus/core.js';
import { chainBinding, decodeSignedMessage, encodeItem, encodeSignedMessage, type ConsensusMessage, type Envelope } from '../../src/consensus/messages.js';
import { verifyItemProof } from '../../src/consensus/commitment.js';
import { DEFAULT_LIMITS } from '../../src/consensus/limits.js';
import { ed25519Verifier } from '../../src/consensus/signing.js';
import type { ConsensusCore, CoreAction, CoreLimits, DropReason } from '../../src/consensus/types.js';
import { Cluster, makeCommittee, TEST_BINDING } from './harness.js';

const { committee, signers } = makeCommittee([1n, 1n, 1n, 1n]);
const digestA = new Uint8Array(32).fill(1);
const digestB = new Uint8Array(32).fill(2);

function coreAt(startHeight: number, limits?: Partial<CoreLimits>): ConsensusCore {
  const core = createConsensusCore({
    selfIndex: 0,
    committeeForHeight: () => committee,
    signer: signers[0]!,
    verifier: ed25519Verifier, chainBinding: TEST_BINDING,
    startHeight,
    ...(limits ? { limits } : {}),
  });
  core.step({ kind: 'start' });
  return core;
}

function signed(envelope: Envelope, by = envelope.sender): Uint8Array {
  return encodeSignedMessage(envelope, signers[by]!, TEST_BINDING);
}

function drops(actions: CoreAction[]): DropReason[] {
  return actions.flatMap((a) => (a.kind === 'dropped' ? [a.reason] : []));
}

const echo = (instance: number, digest: Uint8Array): ConsensusMessage => ({ type: 'echo', instance, digest });

test('start asks the host for a proposal and arms the resend timer', () => {
  const core = createConsensusCore({ selfIndex: 0, committeeForHeight: () => committee, signer: signers[0]!, verifier: ed25519Verifier, chainBinding: TEST_BINDING, startHeight: 1 });
  const actions = core.step({ kind: 'start' });
  assert.deepEqual(actions.find((a) => a.kind === 'requestProposal'), { kind: 'requestProposal', height: 1 });
  assert.ok(actions.some((a) => a.kind === 'setTimer' && a.timerId === 'h:1/resend'));
  assert.equal(core.height, 1);
});

test('each kind of bad message is dropped and counted by reason', () => {
  const limits = { maxBatchBytes: 1000, maxBatchTransactions: 10, maxMessageBytes: 3000, futureBufferMaxMessagesPerSender: 2 };
  const core = coreAt(10, limits);
  const cases: [DropReason, Uint8Array][] = [
    ['malformed', new Uint8Array([1, 2, 3])],
    ['oversize', new Uint8Array(4000)],
    ['not-member', signed({ height: 10, sender: 9, items: [echo(1, digestA)] }, 1)],
    ['bad-signature', signed({ height: 10, sender: 1, items: [echo(1, digestA)] }, 2)],
    ['stale-height', signed({ height: 7, sender: 1, items: [echo(1, digestA)] })],
    ['future-height', signed({ height: 19, sender: 1, items: [echo(1, digestA)] })],
    ['invalid', signed({ height: 10, sender: 1, items: [echo(7, digestA)] })],
    ['invalid', signed({ height: 10, sender: 3, items: [{ type: 'coord', instance: 0, round: 1, value: 1 }] })],
    ['future-height', signed({ height: 10, sender: 1, items: [{ type: 'est', instance: 0, round: 500, value: 1 }] })],
  ];
  for (const [reason, bytes] of cases) {
    assert.deepEqual(drops(core.step({ kind: 'message', bytes })), [reason], `expected ${reason}`);
  }
  const valid = signed({ height: 10, sender: 1, items: [echo(1, digestA)] });
  assert.deepEqual(drops(core.step({ kind: 'message', bytes: valid })), []);
  assert.deepEqual(drops(core.step({ kind: 'message', bytes: valid })), ['duplicate']);
  for (let k = 0; k < 2; k++) {
    const future = signed({ height: 11, sender: 2, items: [{ type: 'est', instance: 0, round: 1, value: k as 0 | 1 }] });
    assert.deepEqual(drops(core.step({ kind: 'message', bytes: future })), []);
  }
  const overflow = signed({ height: 12, sender: 2, items: [echo(0, digestA)] });
  assert.deepEqual(drops(core.step({ kind: 'message', bytes: overflow })), ['queue-full']);
  const counts = core.status().drops;
  assert.equal(counts.invalid, 2);
  assert.equal(counts['future-height'], 2);
  assert.equal(counts.duplicate, 1);
  assert.equal(counts['queue-full'], 1);
});

test('two conflicting signed votes in one slot are evidence, reported once', () => {
  const core = coreAt(1);
  const first = signed({ height: 1, sender: 1, items: [echo(2, digestA)] });
  const second = signed({ height: 1, sender: 1, items: [echo(2, digestB)] });
  const third = signed({ height: 1, sender: 1, items: [echo(2, new Uint8Array(32).fill(3))] });
  core.step({ kind: 'message', bytes: first });
  const actions = core.step({ kind: 'message', bytes: second });
  const evidence = actions.flatMap((a) => (a.kind === 'evidence' ? [a.evidence] : []));
  assert.equal(evidence.length, 1);
  assert.equal(evidence[0]!.offender, 1);
  assert.equal(evidence[0]!.height, 1);
  // Each side is one signed item, provable on its own with the member's key and the chain binding.
  for (const [proof, digest] of [[evidence[0]!.first, digestA], [evidence[0]!.second, digestB]] as const) {
    assert.ok(verifyItemProof(proof, TEST_BINDING, signers[1]!.publicKey, ed25519Verifier));
    assert.ok(!verifyItemProof(proof, new Uint8Array(32), signers[1]!.publicKey, ed25519Verifier), 'bound to the chain');
    assert.ok(!verifyItemProof(proof, TEST_BINDING, signers[2]!.publicKey, ed25519Verifier), 'bound to the signer');
    assert.deepEqual(proof.commitment, encodeItem(echo(2, digest)));
  }
  assert.ok(evidence[0]!.first.commitment.length < 64 && evidence[0]!.second.path.length === 0, 'evidence keeps an item, not an envelope');
  assert.equal(core.step({ kind: 'message', bytes: third }).filter((a) => a.kind === 'evidence').length, 0);
  // A relay of the other EST value is legitimate, not evidence; two AUX in one round are.
  const est = (v: 0 | 1) => signed({ height: 1, sender: 2, items: [{ type: 'est', instance: 0, round: 1, value: v }] });
  const aux = (values: (0 | 1)[]) => signed({ height: 1, sender: 2, items: [{ type: 'aux', instance: 0, round: 1, values }] });
  assert.equal([...core.step({ kind: 'message', bytes: est(0) }), ...core.step({ kind: 'message', bytes: est(1) })].filter((a) => a.kind === 'evidence').length, 0);
  core.step({ kind: 'message', bytes: aux([1]) });
  assert.equal(core.step({ kind: 'message', bytes: aux([0, 1]) }).filter((a) => a.kind === 'evidence').length, 1);
  assert.equal(core.status().evidenceCount, 2);
});

test('votes are persisted before any broadcast of the same step', () => {
  const core = coreAt(1);
  const actions = core.step({ kind: 'proposal', height: 1, transactions: [new Uint8Array([1])], timestampMs: 5 });
  const firstSend = actions.findIndex((a) => a.kind === 'broadcast');
  const lastPersist = actions.map((a) => a.kind).lastIndexOf('persist');
  assert.ok(firstSend > lastPersist && lastPersist >= 0);
  const kinds = actions.filter((a) => a.kind === 'persist').map((a) => (a.kind === 'persist' ? a.entry.kind : ''));
  assert.deepEqual(kinds, ['propose', 'echo']);
});

/** Every slot a member signed, with the values it signed there: more than one value is equivocation. */
function signedSlots(messages: Uint8Array[]): Map<string, Set<string>> {
  const slots = new Map<string, Set<string>>();
  for (const bytes of messages) {
    const env = decodeSignedMessage(bytes, DEFAULT_LIMITS);
    for (const item of env.items) {
      let key: string | null = null;
      let value = '';
      if (item.type === 'propose') [key, value] = [`propose`, JSON.stringify([item.batch.timestampMs, item.batch.transactions.map(toHex)])];
      if (item.type === 'echo' || item.type === 'ready') [key, value] = [`${item.type}/${item.instance}`, toHex(item.digest)];
      if (item.type === 'coord' || item.type === 'aux') [key, value] = [`${item.type}/${item.instance}/${item.round}`, JSON.stringify(item.type === 'aux' ? item.values : item.value)];
      if (item.type === 'decided') [key, value] = [`decided/${item.instance}`, `${item.value}@${item.round}`];
      if (key === null) continue;
      const set = slots.get(`${env.height}/${key}`) ?? new Set();
      set.add(value);
      slots.set(`${env.height}/${key}`, set);
    }
  }
  return slots;
}

test('a member crashed mid-height and restarted from its journal never equivocates and the cluster finishes', () => {
  for (const seed of [31, 32, 33, 34]) {
    const cluster = new Cluster([2n, 1n, 1n, 1n, 2n], { seed, earlyTimerChance: 0.05 });
    const victim = 2;
    // Run until the victim has signed votes of height 1 (at least one AUX) without delivering it.
    while (!cluster.journals[victim]!.some((e) => e.kind === 'aux') && cluster.delivered[victim]!.length === 0) {
      assert.ok(cluster.stepOnce(), 'cluster went idle before the victim voted');
    }
    const journaledBefore = cluster.journals[victim]!.length;
    assert.ok(journaledBefore > 0);
    cluster.crash(victim);
    for (let k = 0; k < 200; k++) cluster.stepOnce();
    cluster.restart(victim);
    assert.ok(cluster.runUntil(3), `seed ${seed}: did not finish after the restart`);
    for (const [slot, values] of signedSlots(cluster.broadcasts[victim]!)) {
      assert.equal(values.size, 1, `seed ${seed}: restarted member signed two values in ${slot}`);
    }
    for (let i = 0; i < 5; i++) assert.equal(cluster.evidence[i]!.length, 0, `seed ${seed}: evidence at member ${i}`);
    const digests = cluster.delivered.map((d) => d.slice(0, 3).map((sb) => toHex(sb.digest)).join());
    assert.equal(new Set(digests).size, 1, `seed ${seed}: superblocks differ`);
  }
});

test('a member restarted mid-height counts its own journaled votes: with another member silent, 4 members still finish', () => {
  // Quorum of 4 equal members is 3: with member 3 silent, members 0, 1 and 2 all count. Member 2
  // restarts from its journal mid-height; unless its journaled ECHO/READY/EST/AUX enter its own
  // tallies again, it can reach no quorum, and the height never ends for anyone.
  for (const seed of [71, 72, 73, 74, 75, 76]) {
    for (const kind of ['ready', 'est', 'aux'] as const) {
      const cluster = new Cluster([1n, 1n, 1n, 1n], { seed, silent: [3] });
      const victim = 2;
      while (!cluster.journals[victim]!.some((e) => e.kind === kind && e.height === 1) && cluster.delivered[victim]!.length === 0) {
        assert.ok(cluster.stepOnce(), `seed ${seed}: cluster went idle before the victim voted ${kind}`);
      }
      cluster.crash(victim);
      cluster.restart(victim);
      assert.ok(cluster.runUntil(3, 100_000), `seed ${seed}, restart after ${kind}: the cluster stopped (delivered ${cluster.delivered.map((d) => d.length).join('/')})`);
      const digests = [0, 1, 2].map((i) => cluster.delivered[i]!.slice(0, 3).map((sb) => toHex(sb.digest)).join());
      assert.equal(new Set(digests).size, 1, `seed ${seed}: superblocks differ`);
    }
  }
});

test('restart re-sends the journaled proposal instead of asking for a new one', () => {
  const cluster = new Cluster([1n, 1n, 1n, 1n], { seed: 41 });
  while (!cluster.journals[1]!.some((e) => e.kind === 'propose')) cluster.stepOnce();
  cluster.crash(1);
  const core = cluster.newCore(1);
  const actions = core.step({ kind: 'start' });
  assert.equal(actions.filter((a) => a.kind === 'requestProposal').length, 0);
  const resent = actions.flatMap((a) => (a.kind === 'broadcast' ? decodeSignedMessage(a.bytes, DEFAULT_LIMITS).items : []));
  assert.ok(resent.some((i) => i.type === 'propose'));
  assert.ok(resent.some((i) => i.type === 'stateRequest'));
  assert.equal(actions.filter((a) => a.kind === 'persist').length, 0, 'nothing new is signed by re-sending');
});

test('a laggard that missed a whole height catches up from the members that kept it', () => {
  const cluster = new Cluster([1n, 1n, 1n, 1n], { seed: 51 });
  cluster.crash(3);
  assert.ok(cluster.runUntil(2)); // the three others deliver heights 1 and 2 without member 3
  cluster.restart(3);
  assert.ok(cluster.runUntil(4));
  const digests = cluster.delivered.map((d) => d.slice(0, 4).map((sb) => toHex(sb.digest)).join());
  assert.equal(new Set(digests).size, 1);
});

test('an observer delivers the same superblocks without signing anything', () => {
  const cluster = new Cluster([1n, 1n, 1n, 1n], { seed: 61 });
  const observer = createConsensusCore({ selfIndex: null, committeeForHeight: () => committee, signer: signers[0]!, verifier: ed25519Verifier, chainBinding: TEST_BINDING, startHeight: 1 });
  assert.deepEqual(observer.step({ kind: 'start' }).filter((a) => a.kind !== 'setTimer'), []);
  assert.ok(cluster.runUntil(2));
  const delivered: string[] = [];
  for (const bytes of cluster.broadcasts.flat()) {
    for (const a of observer.step({ kind: 'message', bytes })) {
      assert.ok(a.kind !== 'broadcast' && a.kind !== 'send' && a.kind !== 'persist');
      if (a.kind === 'deliver') delivered.push(toHex(a.superblock.digest));
    }
  }
  assert.deepEqual(delivered, cluster.delivered[0]!.slice(0, delivered.length).map((sb) => toHex(sb.digest)));
  assert.ok(delivered.length >= 1);
});

test('a member cannot make a height keep more than its byte budget: unsolicited batch items are never kept', () => {
  const core = coreAt(1);
  const big = { timestampMs: 1, transactions: Array.from({ length: 8 }, (_, i) => new Uint8Array(120_000).fill(i)) };
  let overBudget = 0;
  // 300 envelopes, each with a fresh vote and an unsolicited ~1 MB batch item (nobody fetched it).
  for (let k = 0; k < 300; k++) {
    const items: ConsensusMessage[] = [
      { type: 'est', instance: k % 4, round: 1 + (k % 60), value: 1 },
      { type: 'aux', instance: k % 4, round: 1 + (k % 60), values: [1] },
      { type: 'batch', instance: 2, batch: big },
    ];
    const actions = core.step({ kind: 'message', bytes: signed({ height: 1, sender: 1, items }) });
    overBudget += drops(actions).filter((r) => r === 'over-budget').length;
  }
  const status = core.status();
  assert.ok(status.retainedBytes[1]! <= status.retainedBudgetBytes, `kept ${status.retainedBytes[1]} > budget ${status.retainedBudgetBytes}`);
  assert.ok(status.retainedBytes[1]! < 200_000, 'the batch items were not kept: only votes evidence records');
  assert.equal(overBudget, 0, 'these votes fit the budget');
  // Envelopes padded with thousands of request items around one fresh vote each would make the
  // registry keep every envelope's leaves: the budget stops that, and the rest is dropped.
  for (let k = 0; k < 40; k++) {
    const padding: ConsensusMessage[] = Array.from({ length: 4_000 }, () => ({ type: 'stateRequest' as const }));
    const items: ConsensusMessage[] = [{ type: 'est', instance: k % 4, round: 61 + (Math.floor(k / 4) % 4), value: 0 }, ...padding];
    overBudget += drops(core.step({ kind: 'message', bytes: signed({ height: 1, sender: 1, items }) })).filter((r) => r === 'over-budget').length;
  }
  assert.ok(overBudget > 0, 'the padded flood hit the budget');
  assert.ok(core.status().retainedBytes[1]! <= status.retainedBudgetBytes);
});

test('coalescing: votes of many steps wait for a flush and leave in one signed envelope; journal entries do not wait', () => {
  const core = createConsensusCore({ selfIndex: 0, committeeForHeight: () => committee, signer: signers[0]!, verifier: ed25519Verifier, chainBinding: TEST_BINDING, startHeight: 1, coalesce: true });
  core.step({ kind: 'start' });
  const persisted: string[] = [];
  for (const proposer of [1, 2, 3]) {
    const propose = signed({ height: 1, sender: proposer, items: [{ type: 'propose', batch: { timestampMs: 5, transactions: [new Uint8Array([proposer])] } }] });
    const actions = core.step({ kind: 'message', bytes: propose });
    assert.equal(actions.filter((a) => a.kind === 'broadcast' || a.kind === 'send').length, 0, 'no message before the flush');
    for (const a of actions) if (a.kind === 'persist') persisted.push(a.entry.kind);
  }
  assert.deepEqual(persisted, ['echo', 'echo', 'echo'], 'each ECHO is journaled by its own step');
  assert.ok(core.hasPendingSends);
  const flushed = core.step({ kind: 'flush' });
  const broadcasts = flushed.filter((a) => a.kind === 'broadcast');
  assert.equal(broadcasts.length, 1, 'one envelope for the three ECHOs');
  const items = decodeSignedMessage((broadcasts[0] as { bytes: Uint8Array }).bytes, DEFAULT_LIMITS).items;
  assert.deepEqual(items.map((i) => i.type), ['echo', 'echo', 'echo']);
  assert.ok(!core.hasPendingSends);
});

test('a coalescing cluster delivers the same superblocks with far fewer messages', () => {
  const plain = new Cluster([1n, 1n, 1n, 1n, 1n, 1n, 1n], { seed: 81 });
  const merged = new Cluster([1n, 1n, 1n, 1n, 1n, 1n, 1n], { seed: 81, coalesce: true });
  assert.ok(plain.runUntil(3));
  assert.ok(merged.runUntil(3));
  const sent = (c: Cluster) => c.broadcasts.reduce((n, b) => n + b.length, 0);
  assert.ok(sent(merged) * 2 < sent(plain), `coalesced ${sent(merged)} vs ${sent(plain)} broadcasts`);
  const digests = merged.delivered.map((d) => d.slice(0, 3).map((sb) => toHex(sb.digest)).join());
  assert.equal(new Set(digests).size, 1);
});

test('a vote signed for another chain (other chain id or genesis) is refused as a bad signature', () => {
  const core = coreAt(1);
  const otherChain = chainBinding(31338n, new Uint8Array(32).fill(9));
  const foreign = encodeSignedMessage({ height: 1, sender: 1, items: [echo(2, digestA)] }, signers[1]!, otherChain);
  assert.deepEqual(drops(core.step({ kind: 'message', bytes: foreign })), ['bad-signature']);
  const ours = encodeSignedMessage({ height: 1, sender: 1, items: [echo(2, digestA)] }, signers[1]!, TEST_BINDING);
  assert.deepEqual(drops(core.step({ kind: 'message', bytes: ours })), []);
  // The binding commits to both the chain id and the genesis hash.
  assert.notDeepEqual(chainBinding(1n, new Uint8Array(32)), chainBinding(2n, new Uint8Array(32)));
  assert.notDeepEqual(chainBinding(1n, new Uint8Array(32)), chainBinding(1n, new Uint8Array(32).fill(1)));
});

test('the resend timer asks peers for their votes only once a member is known to be past the height', () => {
  // Members still at the height re-send their own votes on their own timers; asking them too made
  // each answer with everything it sent, every interval. A member past the height re-sends nothing
  // of it by itself: its later-height votes are what makes the laggard ask.
  const cluster = new Cluster([1n, 1n, 1n, 1n], { seed: 61 });
  const core = cluster.newCore(0);
  core.step({ kind: 'start' });
  core.step({ kind: 'proposal', height: 1, transactions: [], timestampMs: 1_000 });
  const resentItems = (actions: CoreAction[]) => actions.flatMap((a) => (a.kind === 'broadcast' ? decodeSignedMessage(a.bytes, DEFAULT_LIMITS).items : []));
  const quiet = resentItems(core.step({ kind: 'timer', timerId: 'h:1/resend' }));
  assert.ok(quiet.some((i) => i.type === 'propose'), 'its own votes are re-sent');
  assert.ok(!quiet.some((i) => i.type === 'stateRequest'), 'nobody is ahead: no state request');
  // One member (under the weak threshold, so no immediate request) sends a vote of height 2.
  const ahead = encodeSignedMessage({ height: 2, sender: 1, items: [{ type: 'stateRequest' }] }, cluster.signers[1]!, TEST_BINDING);
  const buffered = core.step({ kind: 'message', bytes: ahead });
  assert.ok(!resentItems(buffered).some((i) => i.type === 'stateRequest'));
  const behind = resentItems(core.step({ kind: 'timer', timerId: 'h:1/resend' }));
  assert.ok(behind.some((i) => i.type === 'stateRequest'), 'a member is past the height: ask');
});
