// Real processes: the peer is killed with SIGKILL (no cleanup of any kind) and started again.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { utf8 } from '../../src/crypto/bytes.js';
import { createTransport } from '../../src/net/transport.js';
import { CHAIN_ID, FAST_LIMITS, idOf, validatorKey, waitFor } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/echo-peer.ts', import.meta.url));
const SELF = 171;
const CHILD = 172;

function startChild(port: number, parentPort: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, String(CHILD), String(port), String(SELF), String(parentPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`echo peer exited early with code ${code}`)));
    child.stdout!.once('data', (data: Buffer) => resolve({ child, port: Number(data.toString().trim()) }));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

test('a peer process killed with SIGKILL and restarted is reconnected; traffic resumes', async () => {
  const transport = await createTransport({ self: { keyPair: validatorKey(SELF) }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits: FAST_LIMITS });
  const echoes: string[] = [];
  transport.onMessage((_peer, _channel, payload) => echoes.push(Buffer.from(payload).toString()));
  const childId = idOf(validatorKey(CHILD));
  let current: ChildProcess | undefined;
  try {
    const first = await startChild(0, transport.address().port);
    current = first.child;
    transport.setPeers([{ publicKey: validatorKey(CHILD).publicKey, host: '127.0.0.1', port: first.port }]);
    await waitFor(() => transport.connectedPeers().includes(childId), 'connected to the child');
    assert.ok(transport.send(childId, 1, utf8('before kill')));
    await waitFor(() => echoes.includes('before kill'), 'echo before kill');

    first.child.kill('SIGKILL');
    await killed(first.child);
    await waitFor(() => transport.connectedPeers().length === 0, 'peer down after SIGKILL');
    assert.equal(transport.send(childId, 1, utf8('while down')), false);

    const second = await startChild(first.port, transport.address().port);
    current = second.child;
    await waitFor(() => transport.connectedPeers().includes(childId), 'reconnected to the restarted child');
    assert.ok(transport.send(childId, 1, utf8('after restart')));
    await waitFor(() => echoes.includes('after restart'), 'echo after restart');
    assert.deepEqual(echoes, ['before kill', 'after restart']);
  } finally {
    current?.kill('SIGKILL');
    if (current !== undefined) await killed(current);
    await transport.close();
  }
});
