// Alone in its file so no other test's sockets are still closing when it counts handles.
import test from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../src/crypto/bytes.js';
import { FAST_LIMITS, idOf, startMesh, waitFor } from './helpers.js';

const handles = () => process.getActiveResourcesInfo().filter((r) => /TCP|Timeout|Immediate/.test(r));

test('close() releases every socket, server and timer', async () => {
  const before = handles().length;
  const mesh = await startMesh(3, FAST_LIMITS, 130);
  assert.ok(handles().length >= before + 3 + 6, 'three servers and six sockets are open');
  for (let i = 0; i < 100; i++) mesh.transports[0]!.send(idOf(mesh.keys[1]!), 1, utf8('in flight'));
  await mesh.close();
  // libuv finishes closing handles on a later loop turn; they must all go, and nothing may rearm.
  await waitFor(() => handles().length === before, `handles released (left: ${handles().join(', ')})`, 5_000);
  assert.deepEqual(mesh.transports.map((t) => t.connectedPeers()), [[], [], []]);
  assert.equal(mesh.transports[0]!.send(idOf(mesh.keys[1]!), 1, utf8('after close')), false);
});
