// The message-scaling figure comes from `synod sim` itself: a committee of 4 sends each peer a few
// coalesced envelopes per height (one per step), and a size the simulator refuses is reported,
// never printed as a figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureMessageScaling, scalingTable } from '../../bench/message-scaling.js';

test('messages per height are counted by the simulator, per member and peer a handful of envelopes', async () => {
  const [four, refused] = await measureMessageScaling([4, 0], 2);
  assert.equal(four!.validators, 4);
  assert.ok(four!.messagesPerHeight !== null && four!.messagesPerHeight >= 4 * 3, `at least one envelope per member and peer, got ${four!.messagesPerHeight}`);
  assert.ok(four!.perMemberPerPeer! < 20, `coalesced: ${four!.perMemberPerPeer} envelopes per member and peer per height`);
  assert.equal(refused!.messagesPerHeight, null);
  assert.match(scalingTable([four!, refused!]), /not measured/);
});
