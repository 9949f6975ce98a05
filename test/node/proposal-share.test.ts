// A member's batch gas is its share of the block: K full batches always fit in one block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { proposalGasShare } from '../../src/node/proposals.js';

test('K batches at their share never exceed the block gas limit, and waste less than K gas', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 21_000n, max: 10n ** 12n }), fc.integer({ min: 1, max: 1_000 }), (limit, members) => {
      const share = proposalGasShare(limit, members);
      assert.ok(share * BigInt(members) <= limit);
      assert.ok(limit - share * BigInt(members) < BigInt(members));
    }),
  );
  assert.equal(proposalGasShare(60_000_000n, 4), 15_000_000n);
});
