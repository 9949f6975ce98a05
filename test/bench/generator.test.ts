// The benchmark pipeline end to end against the in-process instant node (no chain, no
// timing assertions): pre-signing, lanes, batches, block watching, inclusion, figures, and
// the published JSON shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, recoverTransactionAddress, parseTransaction, encodeFunctionData, parseAbi, type TransactionSerializedLegacy } from 'viem';
import { startInstantNode } from '../../bench/rpc/instant-node.js';
import { measureTarget, rewindNonces, type TargetFigures } from '../../bench/suite.js';
import { transferWorkload } from '../../bench/workloads/transfer.js';
import { benchAccounts, benchAccount, benchDeployer } from '../../bench/tx/accounts.js';
import { signLegacyTx } from '../../bench/tx/sign.js';
import { silentProgress } from '../../bench/report/progress.js';
import { resultsJson, toResult, table, type MeasuredWorkload } from '../../bench/report/results.js';
import { renderSvg } from '../../bench/report/svg.js';
import { percentile } from '../../bench/generator/metrics.js';
import { runPhase, type SubmitRecord } from '../../bench/generator/load.js';
import { freePort } from '../../bench/targets/process.js';
import { parseArgs } from '../../bench/args.js';
import { BenchError } from '../../bench/errors.js';
import { QUICK_PLAN, type RunPlan } from '../../bench/plan.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import type { Hex } from '../../bench/tx/accounts.js';

const TINY_PLAN: RunPlan = { ...QUICK_PLAN, probeMs: 300, saturationMs: 800, latencyMs: 400, drainMs: 3_000, senders: 40 };
const BOUND = { singleCoreTps: 1000, clusterBoundTps: 500, cores: 2, validators: 4, txCount: 10, method: 'test' };

async function measureInstant(): Promise<TargetFigures> {
  const node = await startInstantNode();
  try {
    const target = { name: 'instant', version: '1', chainId: 31337n, endpoints: [node.httpUrl], wsEndpoint: node.wsUrl, stop: async () => {} };
    return await measureTarget(target, transferWorkload, TINY_PLAN, silentProgress, benchAccounts(TINY_PLAN.senders));
  } finally {
    await node.close();
  }
}

test('the generator measures throughput and per-transaction latency against a JSON-RPC node', async () => {
  const f = await measureInstant();
  assert.equal(f.watcherMode, 'websocket');
  assert.deepEqual(f.phases.map((p) => p.phase), ['probe', 'saturation', 'load 50%', 'load 90%']);
  for (const p of f.phases) {
    assert.ok(p.sent > 0, `${p.phase} sent nothing`);
    assert.equal(p.included, p.sent, `${p.phase}: every accepted transaction lands on the instant node`);
    assert.equal(p.refused, 0);
  }
  assert.ok(f.tps > 0);
  for (const v of [f.p50Ms, f.p99Ms, f.at90.p50Ms, f.at90.p99Ms]) assert.ok(v !== null && Number.isFinite(v) && v >= 0, `latency ${v}`);
  assert.ok(f.p99Ms! >= f.p50Ms!);
  assert.ok(f.series.length > 0 && f.series.some((pt) => pt.tps > 0));
  assert.equal(f.oneDown, null);
  // Every phase starts after the previous one drained: nothing was missing, and the drain was timed.
  for (const p of f.phases) assert.ok(p.drainMs !== null && p.drainMs >= 0, `${p.phase} drain ${p.drainMs}`);
  assert.equal(f.roundTrip?.count, 40);
  assert.ok(f.roundTrip!.p50Ms! > 0 && f.roundTrip!.p90Ms! >= f.roundTrip!.p50Ms!);
  assert.equal(f.idleCost, null, 'no validator probe on the instant node');

  const measured: MeasuredWorkload = { workload: 'transfer', synod: f, peers: [{ name: 'hardhat', version: '1', figures: f }, { name: 'anvil', version: '2', figures: f }], bound: BOUND };
  const one = JSON.parse(resultsJson([toResult(measured)]));
  assert.deepEqual(Object.keys(one), ['workload', 'synod', 'peer', 'ratio', 'bound', 'oneDown', 'peers', 'drainMs']);
  assert.deepEqual(Object.keys(one.synod), ['tps', 'p50Ms', 'p99Ms', 'roundTripP50Ms', 'roundTripP90Ms', 'cpuPerHeightMs', 'cpuPerHeightLoadedMs', 'messagesPerHeight']);
  assert.deepEqual(Object.keys(one.peer), ['name', 'version', 'tps', 'p50Ms', 'p99Ms']);
  assert.equal(one.peer.name, 'hardhat', '"peer" stays Hardhat\'s');
  assert.deepEqual(one.peers.map((p: { name: string }) => p.name), ['hardhat', 'anvil']);
  assert.deepEqual(Object.keys(one.peers[1]), ['name', 'version', 'tps', 'p50Ms', 'p99Ms', 'roundTripP50Ms']);
  assert.deepEqual(Object.keys(one.drainMs), ['synod', 'hardhat', 'anvil']);
  assert.deepEqual(Object.keys(one.drainMs.synod), ['probe', 'saturation', 'load 50%', 'load 90%']);
  assert.deepEqual(Object.keys(one.bound), ['singleCoreTps', 'clusterBoundTps']);
  assert.equal(one.ratio, 1);
  const anvilOnly = toResult({ ...measured, peers: [{ name: 'anvil', version: '2', figures: f }] });
  assert.equal(anvilOnly.peer, null);
  assert.equal(anvilOnly.ratio, null, '"ratio" is against Hardhat only');
  const two = JSON.parse(resultsJson([toResult(measured), toResult({ ...measured, workload: 'erc20', synod: null })]));
  assert.ok(Array.isArray(two) && two.length === 2);
  assert.equal(two[1].synod, null);
  assert.equal(two[1].ratio, null);
  assert.match(table([measured]), /transfer\s+synod/);
  const svg = renderSvg([{ title: 'transfer', lines: [{ label: 'a', color: '#000', points: f.series }], shade: { fromMs: 100, toMs: 300, label: 'down' } }], 'caption');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /fill="#d33"/);
  assert.match(svg, /<path d="M/);
});

test('a lane whose endpoint is dead moves to a live one and its transactions still land', async () => {
  const node = await startInstantNode();
  try {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const senders = benchAccounts(4);
    const ctx = { chainId: 31337n, senders, nonces: senders.map(() => 0n), gasPriceWei: 1n, deployer: benchDeployer(), deployerNonce: 0n, chain: { submitAndConfirm: async () => {} }, state: new Map<string, Hex>() };
    const raws = await transferWorkload.buildTransactions(ctx, 40);
    const hashes = raws.map((r) => `0x${toHex(keccak256(fromHex(r)))}` as Hex);
    const record = await runPhase(raws, hashes, { name: 'failover', mode: { kind: 'closed' }, durationMs: 5_000 }, { endpoints: [dead, node.httpUrl], lanesPerEndpoint: 2, maxBatchTxs: 5, senderCount: 4 }, () => performance.now());
    assert.equal(record.sent, 40);
    assert.deepEqual(record.deadEndpoints, [dead]);
    assert.ok(node.accepted() >= 40);
  } finally {
    await node.close();
  }
});

test('a drain that stalls nudges the target, and the nudge\'s inclusions count', async () => {
  const { resolveInclusion } = await import('../../bench/generator/inclusion.js');
  // A node that holds every transaction until it is nudged, then includes them all in block 1.
  let mined = false;
  const index = { catchUp: async () => undefined, placed: () => (mined ? 2 : 0), blockOfTx: () => (mined ? 1 : undefined) };
  const watcher = { mode: 'polling' as const, latest: () => (mined ? 1 : 0), seenAtMs: () => 1_000, seen: () => [], close: async () => undefined };
  const record = { hashes: ['0xaa', '0xbb'], submitMs: Float64Array.from([10, 20]), refused: new Uint8Array(2), endMs: 500 } as unknown as SubmitRecord;
  let nudges = 0;
  const clock = () => performance.now();
  const inclusion = await resolveInclusion(record, index as never, watcher, 5_000, clock, async () => {
    nudges++;
    mined = true;
  });
  assert.equal(nudges, 1);
  assert.equal(inclusion.nudges, 1);
  assert.equal(inclusion.includedCount, 2);
  assert.equal(inclusion.drainMs, 500, 'block seen at 1,000 ms, phase ended at 500 ms');
  const stuck = await resolveInclusion(record, { ...index, placed: () => 0, blockOfTx: () => undefined } as never, watcher, 200, clock);
  assert.equal(stuck.drainMs, null, 'not drained within the timeout');
  assert.equal(stuck.includedCount, 0);
});

test('signed transactions recover to the sender and hash as the node will', async () => {
  const [a, b] = [benchAccount(0), benchAccount(1)];
  const tx = signLegacyTx({ nonce: 7n, gasPriceWei: 10n ** 10n, gasLimit: 21_000n, to: b.address, valueWei: 1n, data: new Uint8Array(0), chainId: 31337n }, a);
  assert.equal((await recoverTransactionAddress({ serializedTransaction: tx.raw as TransactionSerializedLegacy })).toLowerCase(), a.addressHex);
  assert.equal(viemKeccak(tx.raw), tx.hash);
  const parsed = parseTransaction(tx.raw);
  assert.equal(parsed.nonce, 7);
  assert.equal(parsed.chainId, 31337);
  assert.equal(parsed.to, b.addressHex);
});

test('erc20 transfer calldata matches the ABI encoding of viem', async () => {
  const senders = benchAccounts(2);
  const ctx = { chainId: 31337n, senders, nonces: [0n, 0n], gasPriceWei: 1n, deployer: benchDeployer(), deployerNonce: 0n, chain: { submitAndConfirm: async () => {} }, state: new Map<string, Hex>([['erc20.token', `0x${'ab'.repeat(20)}`]]) };
  const { erc20Workload } = await import('../../bench/workloads/erc20.js');
  const [raw] = await erc20Workload.buildTransactions(ctx, 1);
  const expected = encodeFunctionData({ abi: parseAbi(['function transfer(address to, uint256 value)']), functionName: 'transfer', args: [senders[1].addressHex, 1n] });
  assert.equal(parseTransaction(raw).data, expected);
});

test('nearest-rank percentiles and nonce rewinding', () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(percentile(sorted, 0.5), 5);
  assert.equal(percentile(sorted, 0.99), 10);
  assert.equal(percentile(new Float64Array(0), 0.5), null);
  const submitMs = Float64Array.from([1, 1, 1, Number.NaN, 1, Number.NaN]); // senders 0,1,2 round-robin
  const nonces = [0n, 0n, 0n];
  rewindNonces(nonces, [5n, 5n, 5n], { submitMs } as unknown as SubmitRecord);
  assert.deepEqual(nonces, [6n, 7n, 6n]);
});

test('bad flags are refused with the flag named', () => {
  assert.throws(() => parseArgs(['--workload', 'lending']), (e: unknown) => e instanceof BenchError && e.code === 'BAD_FLAG' && /--workload/.test(e.message));
  assert.throws(() => parseArgs(['--duration', '0']), /--duration/);
  assert.throws(() => parseArgs(['--out', 'x.txt']), /--out/);
  assert.throws(() => parseArgs(['--bogus']), /unknown flag --bogus/);
  const ok = parseArgs(['--workload', 'erc20', '--quick', '--duration', '3']);
  assert.ok(ok !== 'help' && ok.workloads.length === 1 && ok.quick && ok.durationS === 3);
  assert.deepEqual(ok.peers, ['hardhat', 'anvil'], 'both peers by default');
  const peers = (argv: string[]) => {
    const o = parseArgs(argv);
    return o === 'help' ? undefined : o.peers;
  };
  assert.deepEqual(peers(['--peer', 'anvil']), ['anvil']);
  assert.deepEqual(peers(['--peer', 'none']), []);
  assert.deepEqual(peers(['--peer', 'anvil,hardhat']), ['anvil', 'hardhat']);
  assert.throws(() => parseArgs(['--peer', 'geth']), (e: unknown) => e instanceof BenchError && /--peer .*got geth/.test(e.message));
  assert.throws(() => parseArgs(['--peer', 'anvil,anvil']), /twice/);
});
