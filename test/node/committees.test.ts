// The committee schedule: each epoch's committee drawn from the state after the previous epoch's
// last block; nothing the chain holds can make a draw fail.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CommitteeSchedule, UnknownCommitteeError } from '../../src/node/committees.js';
import { EpochPlan, type EpochValidator } from '../../src/stake/epochs.js';
import type { ChainParameters } from '../../src/node/staking.js';

const key = (i: number): Uint8Array => new Uint8Array(32).fill(i + 1);
const genesis = { epoch: 0, members: [0, 1, 2].map((i) => ({ index: i, id: `v${i}`, publicKey: key(i), weight: 1n })), totalWeight: 3n };

function schedule(weightsAt: (height: bigint) => bigint[]): CommitteeSchedule {
  return new CommitteeSchedule({
    genesis,
    epochLength: 4,
    committeeSize: 2,
    validatorsAt: async (height): Promise<EpochValidator[]> => weightsAt(height).map((weight, i) => ({ id: `v${i}`, publicKey: key(i), weight })),
    blockAt: (height) => ({ number: height, extraData: `0x${'aa'.repeat(32)}` }),
  });
}

test('a committee is known only once the previous epoch has ended here, then by every height of its epoch', async () => {
  const s = schedule(() => [5n, 1n, 1n]);
  assert.equal(s.committeeForHeight(4).epoch, 0);
  assert.throws(() => s.committeeForHeight(5), UnknownCommitteeError);
  assert.equal(await s.onBlockExecuted(3n), undefined, 'not an epoch end');
  const drawn = await s.onBlockExecuted(4n);
  assert.equal(drawn?.epoch, 1);
  assert.equal(drawn?.members.length, 2);
  assert.equal(s.committeeForHeight(8), drawn);
});

test('when every validator has unstaked, the last committee carries on instead of halting the chain', async () => {
  const s = schedule((height) => (height >= 8n ? [0n, 0n, 0n] : [1n, 2n, 3n]));
  const one = await s.onBlockExecuted(4n);
  const two = await s.onBlockExecuted(8n);
  assert.equal(two?.epoch, 2);
  assert.deepEqual(two?.members, one?.members);
});

test('K and the epoch length read at a boundary hold from the next epoch on, and a restarted node learns them from its head', async () => {
  // Governance set K = 3 and E = 6 from epoch 2 during epoch 1 (heights 5..8): the state after block 8 says so.
  const parametersAt = async (height: bigint): Promise<ChainParameters> =>
    height >= 7n ? { committeeSize: 3, epochChanges: [{ firstEpoch: 2, firstHeight: 9, length: 6 }] } : { committeeSize: 2, epochChanges: [] };
  const make = (): CommitteeSchedule =>
    new CommitteeSchedule({
      genesis,
      epochLength: 4,
      committeeSize: 2,
      parametersAt,
      validatorsAt: async (): Promise<EpochValidator[]> => [0, 1, 2].map((i) => ({ id: `v${i}`, publicKey: key(i), weight: 1n })),
      blockAt: (height) => ({ number: height, extraData: `0x${'aa'.repeat(32)}` }),
    });
  const s = make();
  assert.equal((await s.onBlockExecuted(4n))?.members.length, 2, 'epoch 1: drawn with the genesis K');
  assert.equal(s.plan.epochOf(12), 2, 'before the boundary the node still counts epochs of 4');
  const two = await s.onBlockExecuted(8n);
  assert.equal(two?.members.length, 3, 'epoch 2: drawn with the new K');
  assert.equal(s.committeeSizeOfEpoch(2), 3);
  assert.deepEqual([s.plan.firstHeight(2), s.plan.lastHeight(2), s.plan.epochOf(14), s.plan.epochOf(15)], [9, 14, 2, 3], 'epoch 2 is 6 blocks long');
  assert.equal(await s.onBlockExecuted(12n), undefined, 'block 12 no longer ends an epoch');
  assert.equal((await s.onBlockExecuted(14n))?.epoch, 3);
  // A node restarted at block 16 learns the plan from its head and draws what it needs.
  const restarted = make();
  await restarted.prepare(16n);
  assert.equal(restarted.committeeForHeight(17).epoch, 3);
  assert.equal(restarted.plan.lastHeight(3), 20);
  assert.equal((await restarted.draw(1)).members.length, 2, 'an old epoch is drawn with the K of its own boundary');
});

test('an epoch plan refuses changes that do not continue the epochs before them', () => {
  assert.throws(() => new EpochPlan(4, [{ firstEpoch: 2, firstHeight: 10, length: 6 }]));
  assert.throws(() => new EpochPlan(4, [{ firstEpoch: 2, firstHeight: 9, length: 1 }]));
  const plan = new EpochPlan(4, [{ firstEpoch: 2, firstHeight: 9, length: 6 }, { firstEpoch: 4, firstHeight: 21, length: 2 }]);
  assert.deepEqual([plan.epochOf(20), plan.epochOf(21), plan.epochOf(23), plan.lastHeight(5)], [3, 4, 5, 24]);
});
