// Transport figures on loopback, between two OS processes (this one and an echo child):
//   node --import tsx bench/transport.ts [--frames N] [--rate R]
// 1. ping-pong round trips (one frame in flight): p50/p99 RTT;
// 2. one-way throughput of small frames, sender respecting backpressure: frames/s and MB/s;
// 3. round-trip latency at a steady offered rate (every frame echoed): p50/p99.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keyPairFromSeed } from '../src/crypto/ed25519.js';
import { toHex } from '../src/crypto/bytes.js';
import { createTransport, type Transport } from '../src/net/transport.js';

const CHAIN_ID = 31337n;
const PING = 1;
const BULK = 2;
const DONE = 3;
const key = (n: number) => keyPairFromSeed(new Uint8Array(32).fill(n));

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

async function echoChild(parentPort: number): Promise<void> {
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
    else if (channel === DONE) transport.send(peer, DONE, new Uint8Array(new Float64Array([bulk]).buffer));
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

function pingPayload(size: number): Uint8Array {
  const payload = new Uint8Array(size);
  new DataView(payload.buffer).setFloat64(0, performance.now());
  return payload;
}

const sentAt = (payload: Uint8Array) => new DataView(payload.buffer, payload.byteOffset).getFloat64(0);

async function pingPong(transport: Transport, peer: string, rounds: number): Promise<number[]> {
  const rtts: number[] = [];
  await new Promise<void>((resolve) => {
    transport.onMessage((_p, channel, payload) => {
      if (channel !== PING || rtts.length >= rounds) return;
      rtts.push(performance.now() - sentAt(payload));
      if (rtts.length === rounds) resolve();
      else transport.send(peer, PING, pingPayload(64));
    });
    transport.send(peer, PING, pingPayload(64));
  });
  return rtts.sort((a, b) => a - b);
}

async function throughput(transport: Transport, peer: string, frames: number, size: number): Promise<{ seconds: number; received: number }> {
  const payload = new Uint8Array(size);
  const start = performance.now();
  for (let sent = 0; sent < frames; ) {
    if (transport.send(peer, BULK, payload)) sent++;
    else await new Promise((resolve) => setImmediate(resolve)); // queue full: let the socket drain
  }
  const received = await new Promise<number>((resolve) => {
    transport.onMessage((_p, channel, reply) => {
      if (channel === DONE) resolve(new Float64Array(reply.slice().buffer)[0]!);
    });
    transport.send(peer, DONE, new Uint8Array(0));
  });
  return { seconds: (performance.now() - start) / 1000, received };
}

async function steadyRate(transport: Transport, peer: string, ratePerS: number, seconds: number): Promise<number[]> {
  const rtts: number[] = [];
  transport.onMessage((_p, channel, payload) => {
    if (channel === PING) rtts.push(performance.now() - sentAt(payload));
  });
  const TICK_MS = 5;
  const total = Math.round(ratePerS * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerS));
    for (; sent < due; sent++) transport.send(peer, PING, pingPayload(128));
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  while (rtts.length < total && performance.now() - start < (seconds + 5) * 1000) await new Promise((resolve) => setTimeout(resolve, 10));
  return rtts.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const frames = arg('frames', 1_000_000);
  const rate = arg('rate', 20_000);
  const transport = await createTransport({ self: { keyPair: key(1) }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--echo', String(transport.address().port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const childPort = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const peer = toHex(key(2).publicKey);
  transport.setPeers([{ publicKey: key(2).publicKey, host: '127.0.0.1', port: childPort }]);
  await new Promise<void>((resolve) => transport.onPeerUp(() => resolve()));

  const pingStart = performance.now();
  const rtts = await pingPong(transport, peer, 5_000);
  const meanMs = (performance.now() - pingStart) / rtts.length;
  console.log(`ping-pong, 64 B, 5000 rounds:    RTT p50 ${percentile(rtts, 50).toFixed(3)} ms, p99 ${percentile(rtts, 99).toFixed(3)} ms, mean ${meanMs.toFixed(3)} ms`);

  const bulk = await throughput(transport, peer, frames, 128);
  const perS = bulk.received / bulk.seconds;
  console.log(`one-way, 128 B frames:           ${Math.round(perS).toLocaleString('en')} frames/s, ${((perS * 133) / 1e6).toFixed(1)} MB/s (${bulk.received}/${frames} received)`);

  const steady = await steadyRate(transport, peer, rate, 3);
  console.log(`echo at ${rate.toLocaleString('en')} frames/s, 128 B, 3 s: RTT p50 ${percentile(steady, 50).toFixed(3)} ms, p99 ${percentile(steady, 99).toFixed(3)} ms (${steady.length} echoed)`);
  console.log(`stats: ${JSON.stringify(transport.stats())}`);

  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  await transport.close();
}

const echoAt = process.argv.indexOf('--echo');
if (echoAt !== -1) await echoChild(Number(process.argv[echoAt + 1]));
else await main();
