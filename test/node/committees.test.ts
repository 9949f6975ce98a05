// The committee schedule: each epoch's committee drawn from the state after the previous epoch's
// last block; nothing the chain holds can make a draw fail.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CommitteeSchedule, UnknownCommitteeError } from '../../src/node/committees.js';
import type { EpochValidator } from '../../src/stake/epochs.js';

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
