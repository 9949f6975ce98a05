// The admin namespace: off unless named (-32601 like any method of a namespace not served), then
// admin_setLogLevel sets the node's log level (checked against the node's list, -32602
// otherwise) and answers the previous one; admin_getLogLevel reads it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogControl } from '../../src/node/logger.js';
import { LOG_LEVELS, type LogLevel } from '../../src/node/settings.js';
import { DEVNET_RPC_API } from '../../src/rpc/namespaces.js';
import { MemoryBackend } from './memory-backend.js';
import { startHarness } from './helpers.js';

function backendWithLogs() {
  const control = createLogControl('v0', 'info', { destination: new Writable({ write: (_c, _e, done) => done() }) });
  const backend = new MemoryBackend() as MemoryBackend & { logLevel: unknown };
  backend.logLevel = { levels: LOG_LEVELS, get: () => control.level(), set: (level: string) => control.setLevel(level as LogLevel) };
  return { backend, control };
}

test('admin_* answers -32601 unless the admin namespace is enabled; devnets do not enable it', async () => {
  assert.ok(!DEVNET_RPC_API.includes('admin'));
  const { backend } = backendWithLogs();
  const h = await startHarness({ backend });
  try {
    const answer = await h.rpc('admin_setLogLevel', ['debug']);
    assert.equal(answer.error.code, -32601);
  } finally {
    await h.close();
  }
});

test('admin_setLogLevel sets the level, answers the previous one, refuses an unknown level', async () => {
  const { backend, control } = backendWithLogs();
  const h = await startHarness({ backend, api: ['eth', 'admin'] });
  try {
    assert.deepEqual((await h.rpc('rpc_modules')).result, { eth: '1.0', admin: '1.0', rpc: '1.0' });
    assert.equal((await h.rpc('admin_getLogLevel')).result, 'info');
    assert.deepEqual((await h.rpc('admin_setLogLevel', ['debug'])).result, { level: 'debug', previous: 'info' });
    assert.equal(control.level(), 'debug');
    assert.equal(control.logger.child({ part: 'x' }).isLevelEnabled('debug'), true);
    const bad = await h.rpc('admin_setLogLevel', ['loud']);
    assert.equal(bad.error.code, -32602);
    assert.match(bad.error.message, /invalid argument 0: the log level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    assert.equal((await h.rpc('admin_setLogLevel', [])).error.code, -32602);
    assert.equal(control.level(), 'debug');
  } finally {
    await h.close();
  }
});
