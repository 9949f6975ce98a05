// Committee rotation in the pure core: a height whose epoch's committee the host does not know yet
// waits (messages of it are held, bounded, unverified) until 'committeeKnown'; signers that are
// 'by-key' vote exactly at the heights whose committee holds their key.
import test from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/crypto/bytes.js';
import { createConsensusCore } from '../../src/consensus/core.js';
import { decodeSignedMessage } from '../../src/consensus/messages.js';
import { DEFAULT_LIMITS } from '../../src/consensus/limits.js';
import { ed25519Verifier } from '../../src/consensus/signing.js';
import type { Committee, ConsensusCore, CoreAction, CoreEvent } from '../../src/consensus/types.js';
import { makeCommittee, rng, TEST_BINDING } from './harness.js';

const EPOCH_LENGTH = 2;
const SMALL_LIMITS = { maxBatchBytes: 1000, maxBatchTransactions: 10, maxMessageBytes: 3000, futureBufferMaxBytesPerSender: 3000, futureBufferMaxBytes: 40_000 };
const { signers } = makeCommittee([1n, 1n, 1n, 1n, 1n]);
const committeeOf = (epoch: number, nodes: readonly number[]): Committee => ({
  epoch,
  members: nodes.map((node, index) => ({ index, id: `v${node}`, publicKey: signers[node]!.publicKey, weight: 1n })),
  totalWeight: BigInt(nodes.length),
});
// Epoch 0: nodes 0-3; epoch 1: nodes 4, 1, 2, 3 (node 0 leaves, node 4 joins, indexes change).
const epochs = [committeeOf(0, [0, 1, 2, 3]), committeeOf(1, [4, 1, 2, 3])];

interface Node {
  readonly core: ConsensusCore;
  knownEpochs: number;
  epochsEnded: number;
  readonly delivered: string[];
  readonly signedAt: Set<number>;
}

function run(seed: number, heights: number): Node[] {
  const random = rng(seed);
  const nodes: Node[] = [];
  const queue: { to: number; event: CoreEvent }[] = [];
  for (let i = 0; i < 5; i++) {
    const node: Node = { knownEpochs: 1, epochsEnded: 0, delivered: [], signedAt: new Set(), core: undefined as unknown as ConsensusCore };
    const core = createConsensusCore({
      selfIndex: 'by-key',
      committeeForHeight: (height) => {
        const epoch = Math.floor((height - 1) / EPOCH_LENGTH);
        if (epoch >= node.knownEpochs || epoch >= epochs.length) throw new Error(`epoch ${epoch} not known yet`);
        return epochs[epoch]!;
      },
      signer: signers[i]!,
      verifier: ed25519Verifier,
      chainBinding: TEST_BINDING,
      startHeight: 1,
    });
    nodes.push(Object.assign(node, { core }));
  }
  const perform = (from: number, actions: CoreAction[]): void => {
    for (const action of actions) {
      if (action.kind === 'broadcast') {
        nodes[from]!.signedAt.add(decodeSignedMessage(action.bytes, DEFAULT_LIMITS).height);
        for (let to = 0; to < nodes.length; to++) if (to !== from) queue.push({ to, event: { kind: 'message', bytes: action.bytes } });
      } else if (action.kind === 'requestProposal') {
        queue.push({ to: from, event: { kind: 'proposal', height: action.height, transactions: [new Uint8Array([from, action.height])], timestampMs: action.height } });
      } else if (action.kind === 'deliver') {
        const node = nodes[from]!;
        node.delivered.push(toHex(action.superblock.digest));
        assert.equal(action.superblock.epoch, Math.floor((action.superblock.height - 1) / EPOCH_LENGTH));
        // The host "executes" the epoch's last block, then learns the next committee — later.
        // It learns it when the queued 'committeeKnown' is stepped (below), behind what is in flight.
        if (action.superblock.height % EPOCH_LENGTH === 0) {
          node.epochsEnded = action.superblock.height / EPOCH_LENGTH;
          queue.push({ to: from, event: { kind: 'committeeKnown' } });
        }
      }
    }
  };
  nodes.forEach((n, i) => perform(i, n.core.step({ kind: 'start' })));
  let steps = 0;
  while (queue.length > 0 && nodes.some((n) => n.delivered.length < heights)) {
    if (++steps > 200_000) assert.fail('no progress');
    // Arbitrary delivery order: pick any queued event.
    const [next] = queue.splice(Math.floor(random() * queue.length), 1);
    const node = nodes[next!.to]!;
    if (next!.event.kind === 'committeeKnown') node.knownEpochs = node.epochsEnded + 1;
    perform(next!.to, node.core.step(next!.event));
  }
  return nodes;
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`seed ${seed}: the committee changes at the epoch boundary; every node delivers the same blocks; members sign only in their epochs`, () => {
    const nodes = run(seed, 2 * EPOCH_LENGTH);
    for (const node of nodes) assert.deepEqual(node.delivered.slice(0, 2 * EPOCH_LENGTH), nodes[1]!.delivered.slice(0, 2 * EPOCH_LENGTH));
    assert.ok(nodes.every((n) => n.delivered.length >= 2 * EPOCH_LENGTH));
    // Node 0 is a member of epoch 0 only; node 4 of epoch 1 only.
    assert.ok([...nodes[0]!.signedAt].every((h) => h <= EPOCH_LENGTH), `node 0 signed at ${[...nodes[0]!.signedAt]}`);
    assert.ok([...nodes[4]!.signedAt].every((h) => h > EPOCH_LENGTH), `node 4 signed at ${[...nodes[4]!.signedAt]}`);
    assert.ok(nodes[4]!.signedAt.size > 0);
  });
}

test('a core waiting for its committee holds that height messages (bounded) and checks them once it is known', () => {
  let known = false;
  const core = createConsensusCore({
    selfIndex: 'by-key',
    committeeForHeight: (height) => {
      if (height > EPOCH_LENGTH && !known) throw new Error('not yet');
      return height > EPOCH_LENGTH ? epochs[1]! : epochs[0]!;
    },
    signer: signers[4]!,
    verifier: ed25519Verifier,
    chainBinding: TEST_BINDING,
    startHeight: EPOCH_LENGTH + 1,
    limits: SMALL_LIMITS,
  });
  const started = core.step({ kind: 'start' });
  assert.equal(core.status().epoch, null);
  assert.ok(!started.some((a) => a.kind === 'requestProposal'), 'nothing to do before the committee is known');
  // A member of epoch 1 (node 1, index 1 there) sends its echo for the height.
  const peer = createConsensusCore({ selfIndex: 'by-key', committeeForHeight: () => epochs[1]!, signer: signers[1]!, verifier: ed25519Verifier, chainBinding: TEST_BINDING, startHeight: EPOCH_LENGTH + 1 });
  const peerOut = [...peer.step({ kind: 'start' }), ...peer.step({ kind: 'proposal', height: EPOCH_LENGTH + 1, transactions: [new Uint8Array([1])], timestampMs: 1 })];
  const bytes = peerOut.flatMap((a) => (a.kind === 'broadcast' ? [a.bytes] : []));
  assert.ok(bytes.length > 0);
  for (const b of bytes) assert.deepEqual(core.step({ kind: 'message', bytes: b }).filter((a) => a.kind === 'dropped'), []);
  // Junk beyond the buffer's bound is dropped, counted.
  const junk = new Uint8Array(bytes[0]!);
  let full = 0;
  for (let i = 0; i < SMALL_LIMITS.futureBufferMaxBytes / junk.length && full === 0; i++) full += core.step({ kind: 'message', bytes: junk }).filter((a) => a.kind === 'dropped' && a.reason === 'queue-full').length;
  assert.equal(full, 1);
  known = true;
  const entered = core.step({ kind: 'committeeKnown' });
  assert.equal(core.status().epoch, 1);
  assert.equal(core.status().selfIndex, 0);
  assert.ok(entered.some((a) => a.kind === 'requestProposal'));
  // It dropped some (the buffer was full): it asks its peers again.
  assert.ok(entered.some((a) => a.kind === 'broadcast' && decodeSignedMessage(a.bytes, DEFAULT_LIMITS).items.some((i) => i.type === 'stateRequest')));
  // The held proposal was verified and taken: node 4 echoes node 1's batch.
  assert.ok(entered.some((a) => a.kind === 'broadcast' && decodeSignedMessage(a.bytes, DEFAULT_LIMITS).items.some((i) => i.type === 'echo' && i.instance === 1)));
});
