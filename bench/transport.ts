// Transport figures on loopback, between two OS processes (this one and an echo child):
//   node --import tsx bench/transport.ts [--frames N] [--rate R] [--rounds K] [--baseline DIR] [--json]
// Per round and implementation, with a fresh pair of processes for each sender setting:
// 0. connection setup: from being given the peer's address to the peer being up (TCP + handshake);
// 1. ping-pong round trips (one frame in flight): p50/p99 RTT;
// 2. one-way throughput, sender respecting backpressure: 128-byte frames (frames/s) and 16 KiB
//    frames (MB/s), with the usual per-tick write batching, and 128-byte frames with batching
//    off (writeBatchBytes 1: one write, and when sealed one seal, per frame);
// 3. round-trip latency at a steady offered rate (every frame echoed): p50/p99.
// --baseline DIR runs another checkout's src/net/transport.ts (e.g. the commit before sealed
// frames: `git archive <commit> src package.json | tar -x -C DIR && ln -s $PWD/node_modules DIR/`)
// in the same run, alternating with this one round by round, and prints medians and ratios.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { keyPairFromSeed } from '../src/crypto/ed25519.js';
import { toHex } from '../src/crypto/bytes.js';
import type { Transport, TransportOptions } from '../src/net/transport.js';

const CHAIN_ID = 31337n;
const PING = 1;
const BULK = 2;
const DONE = 3;
const SMALL_BYTES = 128;
const LARGE_BYTES = 16 * 1024;
const HERE = resolve(fileURLToPath(import.meta.url), '../..');
const key = (n: number) => keyPairFromSeed(new Uint8Array(32).fill(n));

type CreateTransport = (options: TransportOptions) => Promise<Transport>;

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}
const numberArg = (name: string, fallback: number) => Number(arg(name) ?? fallback);

async function loadTransport(root: string): Promise<CreateTransport> {
  const module = (await import(pathToFileURL(resolve(root, 'src/net/transport.ts')).href)) as { createTransport: CreateTransport };
  return module.createTransport;
}

async function echoChild(parentPort: number, root: string): Promise<void> {
  const createTransport = await loadTransport(root);
  const transport = await createTransport({
    self: { keyPair: key(2) },
    listen: { host: '127.0.0.1', port: 0 },
    peers: [{ publicKey: key(1).publicKey, host: '127.0.0.1', port: parentPort }],
    chainId: CHAIN_ID,
  });
  let bulk = 0;
  transport.onMessage((peer, channel, payload) => {
    if (channel === PING) transport.send(peer, PING, payload);
    else if (channel === BULK) bulk++;
    else if (channel === DONE) {
      transport.send(peer, DONE, new Uint8Array(new Float64Array([bulk]).buffer));
      bulk = 0;
    }
  });
  process.stdout.write(`${transport.address().port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    transport.close().then(() => process.exit(0), () => process.exit(1));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

function pingPayload(size: number): Uint8Array {
  const payload = new Uint8Array(size);
  new DataView(payload.buffer).setFloat64(0, performance.now());
  return payload;
}

const sentAt = (payload: Uint8Array) => new DataView(payload.buffer, payload.byteOffset).getFloat64(0);

/** A transport in this process, connected to a fresh echo child running the same implementation. */
async function connectedPair(root: string, limits: TransportOptions['limits']): Promise<{ transport: Transport; peer: string; setupMs: number; stop(): Promise<void> }> {
  const createTransport = await loadTransport(root);
  const transport = await createTransport({ self: { keyPair: key(1) }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--echo', String(transport.address().port), '--impl', root], { stdio: ['pipe', 'pipe', 'inherit'] });
  const childPort = await new Promise<number>((done) => child.stdout.once('data', (d: Buffer) => done(Number(d.toString().trim()))));
  const up = new Promise<void>((done) => transport.onPeerUp(() => done()));
  const setupStart = performance.now();
  transport.setPeers([{ publicKey: key(2).publicKey, host: '127.0.0.1', port: childPort }]);
  await up;
  return {
    transport,
    peer: toHex(key(2).publicKey),
    setupMs: performance.now() - setupStart,
    async stop() {
      child.stdin.end();
      await new Promise((done) => child.once('exit', done));
      await transport.close();
    },
  };
}

/** Routes messages to the current phase's handler (transports only add handlers). */
function router(transport: Transport): { on(handler: (channel: number, payload: Uint8Array) => void): void } {
  let current: (channel: number, payload: Uint8Array) => void = () => {};
  transport.onMessage((_peer, channel, payload) => current(channel, payload));
  return { on: (handler) => (current = handler) };
}

async function pingPong(transport: Transport, peer: string, route: ReturnType<typeof router>, rounds: number): Promise<number[]> {
  const rtts: number[] = [];
  await new Promise<void>((done) => {
    route.on((channel, payload) => {
      if (channel !== PING || rtts.length >= rounds) return;
      rtts.push(performance.now() - sentAt(payload));
      if (rtts.length === rounds) done();
      else transport.send(peer, PING, pingPayload(64));
    });
    transport.send(peer, PING, pingPayload(64));
  });
  return rtts.sort((a, b) => a - b);
}

/** Frames per second delivered to the child (counted there), sender obeying backpressure. */
async function oneWay(transport: Transport, peer: string, route: ReturnType<typeof router>, frames: number, size: number): Promise<number> {
  const payload = new Uint8Array(size);
  const start = performance.now();
  for (let sent = 0; sent < frames; ) {
    if (transport.send(peer, BULK, payload)) sent++;
    else await new Promise((done) => setImmediate(done)); // queue full: let the socket drain
  }
  const received = await new Promise<number>((done) => {
    route.on((channel, reply) => {
      if (channel === DONE) done(new Float64Array(new Uint8Array(reply).buffer)[0]!);
    });
    transport.send(peer, DONE, new Uint8Array(0));
  });
  if (received !== frames) throw new Error(`child received ${received} of ${frames} frames`);
  return received / ((performance.now() - start) / 1000);
}

async function steadyRate(transport: Transport, peer: string, route: ReturnType<typeof router>, ratePerS: number, seconds: number): Promise<number[]> {
  const rtts: number[] = [];
  route.on((channel, payload) => {
    if (channel === PING) rtts.push(performance.now() - sentAt(payload));
  });
  const TICK_MS = 5;
  const total = Math.round(ratePerS * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerS));
    for (; sent < due; sent++) transport.send(peer, PING, pingPayload(SMALL_BYTES));
    await new Promise((done) => setTimeout(done, TICK_MS));
  }
  while (rtts.length < total && performance.now() - start < (seconds + 5) * 1000) await new Promise((done) => setTimeout(done, 10));
  return rtts.sort((a, b) => a - b);
}

interface Measurement {
  setupMs: number;
  rttP50Ms: number;
  rttP99Ms: number;
  smallFramesPerS: number;
  smallMBPerS: number;
  largeMBPerS: number;
  unbatchedFramesPerS: number;
  steadyP50Ms: number;
  steadyP99Ms: number;
}

async function measure(root: string, frames: number, rate: number): Promise<Measurement> {
  const batched = await connectedPair(root, undefined);
  const route = router(batched.transport);
  let result: Omit<Measurement, 'unbatchedFramesPerS'>;
  try {
    const rtts = await pingPong(batched.transport, batched.peer, route, 5_000);
    const small = await oneWay(batched.transport, batched.peer, route, frames, SMALL_BYTES);
    const large = await oneWay(batched.transport, batched.peer, route, Math.max(1_000, Math.round(frames / 20)), LARGE_BYTES);
    const steady = await steadyRate(batched.transport, batched.peer, route, rate, 3);
    result = {
      setupMs: batched.setupMs,
      rttP50Ms: percentile(rtts, 50),
      rttP99Ms: percentile(rtts, 99),
      smallFramesPerS: small,
      smallMBPerS: (small * (SMALL_BYTES + 5)) / 1e6,
      largeMBPerS: (large * (LARGE_BYTES + 5)) / 1e6,
      steadyP50Ms: percentile(steady, 50),
      steadyP99Ms: percentile(steady, 99),
    };
  } finally {
    await batched.stop();
  }
  const unbatched = await connectedPair(root, { writeBatchBytes: 1 });
  try {
    const unbatchedFramesPerS = await oneWay(unbatched.transport, unbatched.peer, router(unbatched.transport), Math.round(frames / 5), SMALL_BYTES);
    return { ...result, unbatchedFramesPerS };
  } finally {
    await unbatched.stop();
  }
}

const ROWS: [keyof Measurement, string, number][] = [
  ['setupMs', 'connection setup, TCP + handshake (ms)', 2],
  ['rttP50Ms', 'ping-pong RTT p50 (ms)', 3],
  ['rttP99Ms', 'ping-pong RTT p99 (ms)', 3],
  ['smallFramesPerS', `one-way ${SMALL_BYTES} B frames/s`, 0],
  ['smallMBPerS', `one-way ${SMALL_BYTES} B MB/s`, 1],
  ['largeMBPerS', `one-way ${LARGE_BYTES / 1024} KiB MB/s`, 1],
  ['unbatchedFramesPerS', `one-way ${SMALL_BYTES} B frames/s, no batching`, 0],
  ['steadyP50Ms', 'echo at steady rate, RTT p50 (ms)', 3],
  ['steadyP99Ms', 'echo at steady rate, RTT p99 (ms)', 3],
];

async function main(): Promise<void> {
  const frames = numberArg('frames', 500_000);
  const rate = numberArg('rate', 20_000);
  const rounds = numberArg('rounds', 3);
  const baseline = arg('baseline');
  const impls: [string, string][] = baseline === undefined ? [['this', HERE]] : [['baseline', resolve(baseline)], ['this', HERE]];
  const results = new Map<string, Measurement[]>(impls.map(([name]) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order, so neither implementation always runs on the warmer (or busier) half.
    for (const [name, root] of round % 2 === 0 ? [...impls].reverse() : impls) {
      process.stderr.write(`round ${round}/${rounds}: ${name}\n`);
      results.get(name)!.push(await measure(root, frames, rate));
    }
  }
  const medians = Object.fromEntries([...results].map(([name, runs]) => [name, Object.fromEntries(ROWS.map(([field]) => [field, median(runs.map((r) => r[field]))]))]));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ rounds, frames, rate, medians, runs: Object.fromEntries(results) }, null, 2));
    return;
  }
  const names = impls.map(([name]) => name);
  console.log(`medians of ${rounds} rounds, ${frames.toLocaleString('en')} small frames per run, steady echo at ${rate.toLocaleString('en')} frames/s`);
  console.log(['', ...names, ...(baseline === undefined ? [] : ['this/baseline'])].map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(14))).join(''));
  for (const [field, label, digits] of ROWS) {
    const values = names.map((name) => medians[name]![field]!);
    const cells = values.map((v) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
    if (baseline !== undefined) cells.push((values[1]! / values[0]!).toFixed(2));
    console.log([label.padEnd(44), ...cells.map((c) => c.padStart(14))].join(''));
  }
}

const echoAt = process.argv.indexOf('--echo');
if (echoAt !== -1) await echoChild(Number(process.argv[echoAt + 1]), arg('impl') ?? HERE);
else await main();
