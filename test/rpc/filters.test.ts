// Polling filters: block, log and pending-transaction filters, expiry after five minutes
// without a poll (on an injected clock), and viem's filter-based actions over HTTP.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { FILTER_TIMEOUT_MS, FilterManager, MAX_PENDING_HASHES_RETAINED } from '../../src/rpc/filters.js';
import { DEV_KEYS, EMITTER, FIXTURE_ABI, MemoryBackend, PING_TOPIC } from './memory-backend.js';
import { ManualClock, startHarness } from './helpers.js';
import type { Hex } from '../../src/chain/types.js';

const ANY: Hex = `0x${'00'.repeat(32)}`;

async function sendPing(backend: MemoryBackend, nonce: number, value: bigint): Promise<Hex> {
  const raw = await privateKeyToAccount(DEV_KEYS[0]!).signTransaction({ to: EMITTER, value, gas: 50_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n, nonce, chainId: 31337 });
  return backend.sendRawTransaction(raw);
}

test('block filter reports each new block once, then nothing', async () => {
  const backend = new MemoryBackend();
  const filters = new FilterManager(backend, new ManualClock());
  const id = filters.newBlockFilter();
  assert.deepEqual(await filters.changes(id), { kind: 'hashes', hashes: [] });
  const a = backend.sealPending();
  const b = backend.sealPending();
  assert.deepEqual(await filters.changes(id), { kind: 'hashes', hashes: [a.hash, b.hash] });
  assert.deepEqual(await filters.changes(id), { kind: 'hashes', hashes: [] });
});

test('log filter reports matching logs of new blocks only; getFilterLogs reports the whole range', async () => {
  const backend = new MemoryBackend();
  backend.automine = false;
  const filters = new FilterManager(backend, new ManualClock());
  const old = await sendPing(backend, 0, 1n);
  backend.sealPending();
  const id = filters.newLogFilter({ from: { kind: 'number', number: 0n }, to: { kind: 'tag', tag: 'latest' }, addresses: [EMITTER], topics: [PING_TOPIC] });
  const other = filters.newLogFilter({ from: { kind: 'tag', tag: 'latest' }, to: { kind: 'tag', tag: 'latest' }, topics: [ANY] });
  const fresh = await sendPing(backend, 1, 2n);
  backend.sealPending();
  const changes = await filters.changes(id);
  assert.equal(changes.kind, 'logs');
  assert.deepEqual(changes.kind === 'logs' && changes.logs.map((l) => l.transactionHash), [fresh]);
  assert.deepEqual(await filters.changes(other), { kind: 'logs', logs: [] });
  const all = filters.logs(id);
  assert.deepEqual(all.range, { from: 0n, to: backend.headNumber() });
  assert.deepEqual(backend.getLogs({ fromBlock: 0n, toBlock: backend.headNumber(), addresses: [EMITTER], limit: 10 }).map((l) => l.transactionHash), [old, fresh]);
});

test('pending filter reports admitted hashes in order and keeps only the newest when polled late', async () => {
  const backend = new MemoryBackend();
  const filters = new FilterManager(backend, new ManualClock());
  const id = filters.newPendingTransactionFilter();
  const hashes = Array.from({ length: 3 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}` as Hex);
  for (const hash of hashes) filters.addPendingTransaction(hash);
  assert.deepEqual(await filters.changes(id), { kind: 'hashes', hashes });
  for (let i = 0; i < MAX_PENDING_HASHES_RETAINED + 5; i++) filters.addPendingTransaction(`0x${(i + 10).toString(16).padStart(64, '0')}`);
  const late = await filters.changes(id);
  assert.equal(late.kind === 'hashes' && late.hashes.length, MAX_PENDING_HASHES_RETAINED);
  assert.equal(late.kind === 'hashes' && late.hashes[0], `0x${(15).toString(16).padStart(64, '0')}`);
});

test('a filter not polled for five minutes expires; polling keeps it alive', async () => {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const filters = new FilterManager(backend, clock);
  const polled = filters.newBlockFilter();
  const idle = filters.newBlockFilter();
  clock.ms += FILTER_TIMEOUT_MS - 1;
  await filters.changes(polled);
  clock.ms += 2;
  await assert.rejects(filters.changes(idle), /filter not found/);
  await filters.changes(polled);
  clock.ms += FILTER_TIMEOUT_MS;
  assert.equal(filters.expire(), 1);
  assert.equal(filters.size, 0);
  await assert.rejects(filters.changes(polled), /filter not found/);
});

test('filters over HTTP: viem createEventFilter / getFilterChanges / getFilterLogs, uninstall, expiry', async () => {
  const clock = new ManualClock();
  const h = await startHarness({ clock });
  try {
    const client = createPublicClient({ transport: http(h.server.url) });
    const filter = await client.createContractEventFilter({ address: EMITTER, abi: FIXTURE_ABI, eventName: 'Ping', fromBlock: 0n });
    const blocks = await client.createBlockFilter();
    const pending = await client.createPendingTransactionFilter();
    h.backend.automine = false;
    const hash = await sendPing(h.backend, 0, 4n);
    h.backend.sealPending();
    const logs = await client.getFilterChanges({ filter });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.args.value, 4n);
    assert.equal((await client.getFilterLogs({ filter })).length, 1);
    assert.equal((await client.getFilterChanges({ filter: blocks })).length, 1);
    assert.deepEqual(await client.getFilterChanges({ filter: pending }), [hash]);
    assert.equal(await client.uninstallFilter({ filter: blocks }), true);
    assert.equal(await client.uninstallFilter({ filter: blocks }), false);
    clock.ms += FILTER_TIMEOUT_MS + 1;
    const expired = await h.rpc('eth_getFilterChanges', [filter.id]);
    assert.deepEqual(expired.error, { code: -32000, message: 'filter not found' });
    const wrongKind = await h.rpc('eth_getFilterLogs', [(await h.rpc('eth_newBlockFilter')).result]);
    assert.equal(wrongKind.error.code, -32000);
  } finally {
    await h.close();
  }
});
