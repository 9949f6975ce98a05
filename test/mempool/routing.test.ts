// Routing: every node maps a sender to the same member; senders spread evenly; seeds re-deal.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { ownerOf } from '../../src/mempool/index.js';
import type { Hex } from '../../src/chain/types.js';

function address(i: number): Hex {
  return `0x${createHash('sha256').update(`sender ${i}`).digest('hex').slice(0, 40)}`;
}

test('ownerOf is a pure function of (sender, committee size, seed), case-insensitive', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 1, max: 500 }), fc.uint8Array({ maxLength: 32 }), (bytes, size, seed) => {
      const sender = `0x${Buffer.from(bytes).toString('hex')}` as Hex;
      const owner = ownerOf(sender, size, seed);
      assert.ok(Number.isInteger(owner) && owner >= 0 && owner < size);
      assert.equal(ownerOf(sender.toUpperCase().replace('0X', '0x') as Hex, size, Uint8Array.from(seed)), owner);
    }),
  );
});

test('a known vector pins the formula: SHA-256(tag || seed || sender), first 6 bytes, mod size', () => {
  const sender = address(0);
  const digest = createHash('sha256').update('synod/mempool/owner/v1').update(Buffer.from(sender.slice(2), 'hex')).digest();
  assert.equal(ownerOf(sender, 7), digest.readUIntBE(0, 6) % 7);
});

test('senders spread evenly over members (each within 10% of its share over 8,000 senders)', () => {
  for (const size of [4, 7, 10]) {
    const counts = new Array<number>(size).fill(0);
    for (let i = 0; i < 8_000; i++) counts[ownerOf(address(i), size)]!++;
    const share = 8_000 / size;
    for (const count of counts) assert.ok(Math.abs(count - share) < share * 0.1, `size ${size}: ${counts.join(',')}`);
  }
});

test('a new epoch seed re-deals owners: about (size-1)/size of senders move', () => {
  let moved = 0;
  const seedA = new Uint8Array(32).fill(1);
  const seedB = new Uint8Array(32).fill(2);
  for (let i = 0; i < 4_000; i++) if (ownerOf(address(i), 4, seedA) !== ownerOf(address(i), 4, seedB)) moved++;
  assert.ok(moved > 2_700 && moved < 3_300, `moved ${moved} of 4000`);
});

test('bad arguments are refused with the field named', () => {
  assert.throws(() => ownerOf(address(1), 0), /committeeSize must be a positive integer/);
  assert.throws(() => ownerOf('0x1234', 4), /sender must be a 20-byte address/);
});
