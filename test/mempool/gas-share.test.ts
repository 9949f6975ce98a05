// Every admitted transaction can be included: one above a proposer's share of the block's gas
// fits no batch, so the pool refuses it at admission, naming the share (decision 0014).
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MempoolError, MempoolErrorCode as Code, proposalGasShare } from '../../src/mempool/index.js';
import { proposalGasShare as nodeProposalGasShare } from '../../src/node/validator.js';
import { BLOCK_GAS_LIMIT, ETHER, GWEI, fund, makePool, signTx, testKey } from './helpers.js';

const COMMITTEE = 4; // makePool's committee size
const SHARE = proposalGasShare(BLOCK_GAS_LIMIT, COMMITTEE);

function takeAsOwner(pool: ReturnType<typeof makePool>['pool'], sender: `0x${string}`, height = 1): Uint8Array[] {
  return pool.takeBatch({ member: pool.ownerOfSender(sender), committeeSize: COMMITTEE, height, maxTransactions: 5_000, maxBytes: 1_500_000, maxGas: SHARE });
}

test('a transaction above the proposal share is refused, naming the share and how it is made', async () => {
  const { pool, state } = makePool();
  const key = testKey(1);
  fund(state, key);
  const gasLimit = SHARE + 1n;
  assert.ok(gasLimit <= BLOCK_GAS_LIMIT, 'the case between the share and the block limit');
  await assert.rejects(pool.add(signTx(key, { gasLimit }), 'local'), (error: unknown) => {
    assert.ok(error instanceof MempoolError);
    assert.equal(error.code, Code.TxGasLimitTooHigh);
    assert.equal(
      error.message,
      `transaction gas limit too high: gas ${gasLimit}, at most ${SHARE}: a transaction must fit one proposer's share of the block (block gas limit ${BLOCK_GAS_LIMIT} / ${COMMITTEE} proposers); lower the gas limit`,
    );
    return true;
  });
  assert.equal(pool.size(), 0);
  // The sender's later nonces are not held up behind it: nonce 0 at the share goes in and out.
  const atShare = signTx(key, { gasLimit: SHARE });
  await pool.add(atShare, 'local');
  await pool.add(signTx(key, { nonce: 1n }), 'local');
  assert.deepEqual(takeAsOwner(pool, key.address).map((raw) => raw.length), [atShare.length]);
  assert.equal(pool.maxTransactionGas(), SHARE);
});

test('the share follows the committee size', async () => {
  let size = 4;
  const { pool, state } = makePool({}, { committeeSize: () => size });
  const key = testKey(2);
  fund(state, key);
  const raw = signTx(key, { gasLimit: BLOCK_GAS_LIMIT / 3n });
  await assert.rejects(pool.add(raw, 'local'), (e: unknown) => e instanceof MempoolError && e.code === Code.TxGasLimitTooHigh);
  size = 3;
  await pool.add(raw, 'local');
});

test('every transaction the pool admits fits its owner\'s batch at the share', async () => {
  await fc.assert(
    fc.asyncProperty(fc.bigInt({ min: 21_000n, max: BLOCK_GAS_LIMIT + 1_000n }), fc.integer({ min: 0, max: 50 }), async (gasLimit, keyIndex) => {
      const { pool, state } = makePool();
      const key = testKey(keyIndex);
      fund(state, key, 1_000_000n * ETHER);
      const raw = signTx(key, { gasLimit, maxFeePerGas: 2n * GWEI });
      const admitted = await pool.add(raw, 'local').then(
        () => true,
        (error: unknown) => {
          assert.ok(error instanceof MempoolError);
          assert.ok(error.code === Code.TxGasLimitTooHigh || error.code === Code.GasLimitExceeded, error.message);
          return false;
        },
      );
      assert.equal(admitted, gasLimit <= SHARE);
      if (admitted) assert.deepEqual(takeAsOwner(pool, key.address), [raw]);
    }),
    { numRuns: 60 },
  );
});

test('the node proposes with the same share the pool admits by', () => {
  assert.equal(nodeProposalGasShare, proposalGasShare);
});
