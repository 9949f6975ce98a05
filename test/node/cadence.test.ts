// The empty-block cadence is a genesis setting: an idle chain finalizes an empty block every
// `emptyBlockIntervalMs` (here 200 ms instead of the default 1,000), and the value is checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGenesis, devGenesis } from '../../src/node/genesis.js';
import { EMPTY_BLOCK_INTERVAL_MS } from '../../src/node/proposals.js';
import { SYNOD_BIN, startTestDevnet, TEST_PORT_BASE, type TestDevnet } from '../helpers/devnet.js';

const DEVNET_SLOT = 11;
const INTERVAL_MS = 200;
let devnet: TestDevnet | undefined;

async function blockNumber(url: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) });
  return Number(((await response.json()) as { result: string }).result);
}

before(async () => {
  devnet = await startTestDevnet({ validators: 1, slot: DEVNET_SLOT, args: ['--empty-block-interval', String(INTERVAL_MS), '--durability', 'process'] });
});

after(async () => {
  await devnet?.stop();
});

test('the genesis holds the cadence, and an idle chain finalizes at it', async () => {
  const genesis = JSON.parse(readFileSync(join(devnet!.dataDir, 'genesis.json'), 'utf8')) as { emptyBlockIntervalMs?: number };
  assert.equal(genesis.emptyBlockIntervalMs, INTERVAL_MS);
  const windowMs = 3_000;
  const first = await blockNumber(devnet!.urls[0]!);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const heights = (await blockNumber(devnet!.urls[0]!)) - first;
  // At the default cadence this window holds at most 3 heights; at 200 ms about 14.
  assert.ok(heights >= 2 * Math.ceil(windowMs / EMPTY_BLOCK_INTERVAL_MS) + 2, `${heights} heights in ${windowMs} ms`);
});

test('a devnet data dir keeps its cadence: another value is refused with the way out', () => {
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'devnet', '--data-dir', devnet!.dataDir, '--rpc-port', String(TEST_PORT_BASE + DEVNET_SLOT * 20 + 10), '--empty-block-interval', '500'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr); // a usage error, as every CLI refusal
  assert.match(r.stderr, /empty block every 200 ms: drop --empty-block-interval/);
});

test('genesis values outside the bounds are refused, naming the field; absent means the default', () => {
  const base = devGenesis({ chainId: 7n, timestamp: 0, validators: [{ id: 'v0', publicKey: `0x${'ab'.repeat(32)}` }] });
  assert.equal(parseGenesis(base).emptyBlockIntervalMs, EMPTY_BLOCK_INTERVAL_MS);
  assert.equal(parseGenesis({ ...base, emptyBlockIntervalMs: 250 }).emptyBlockIntervalMs, 250);
  for (const bad of [10, 1.5, -1, '1000', 10_000_000]) {
    assert.throws(() => parseGenesis({ ...base, emptyBlockIntervalMs: bad as number }), /genesis: emptyBlockIntervalMs must be an integer number of milliseconds from 100 to 3600000/);
  }
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'devnet', '--empty-block-interval', '5', '--data-dir', '/nonexistent/x'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr); // a usage error, as every CLI refusal
  assert.match(r.stderr, /--empty-block-interval must be an integer from 100 to 3600000, got "5"/);
});

test("a devnet given --durability process keeps it in its validators' configs (so synod start --config runs them alike)", () => {
  const config = JSON.parse(readFileSync(join(devnet!.dataDir, 'validator-0', 'config.json'), 'utf8')) as { durability?: string };
  assert.equal(config.durability, 'process');
});
