// chain/rlp.ts's scan against a naive reference: depth and item count of the decoded value.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import { rlpShapeViolation } from '../../src/chain/rlp.js';
import { inputsAround, nestedRlpLists, rlpItem } from './harness.js';

function naiveShape(item: unknown): { depth: number; items: number } {
  if (!Array.isArray(item)) return { depth: 0, items: 1 };
  let depth = 0;
  let items = 1;
  for (const child of item) {
    const shape = naiveShape(child);
    depth = Math.max(depth, shape.depth);
    items += shape.items;
  }
  return { depth: depth + 1, items };
}

test('the scan refuses exactly what is deeper or larger than its limits', () => {
  fc.assert(
    fc.property(rlpItem, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), (item, maxDepth, maxItems) => {
      const shape = naiveShape(item);
      const violation = rlpShapeViolation(RLP.encode(item as never), { maxDepth, maxItems });
      assert.equal(violation !== undefined, shape.depth > maxDepth || shape.items > maxItems, `${JSON.stringify(shape)} against ${maxDepth}/${maxItems}: ${violation}`);
    }),
    { numRuns: 2_000 },
  );
});

test('on malformed framing the scan never lets the decoder go deeper than the limit', () => {
  const seeds = rlpItem.map((item) => RLP.encode(item as never));
  fc.assert(
    fc.property(inputsAround(seeds, [fc.integer({ min: 1, max: 40 }).map(nestedRlpLists)]), fc.integer({ min: 1, max: 6 }), (bytes, maxDepth) => {
      if (rlpShapeViolation(bytes, { maxDepth, maxItems: Number.MAX_SAFE_INTEGER }) !== undefined) return;
      let decoded: unknown;
      try {
        decoded = RLP.decode(bytes);
      } catch {
        return; // refused by the decoder itself
      }
      assert.ok(naiveShape(decoded).depth <= maxDepth);
    }),
    { numRuns: 2_000 },
  );
});
