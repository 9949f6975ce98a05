// Throughput of the JSON-RPC server itself (not the mempool): the server runs in a child process
// over a backend that answers eth_sendRawTransaction with the keccak of the bytes, and this
// process drives it with keep-alive HTTP connections. Prints calls per second.
// Usage: node --import tsx test/rpc/bench-rpc.ts [--seconds 5] [--connections 32]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { privateKeyToAccount } from 'viem/accounts';
import { DEFAULT_RATE_LIMIT, startRpcServer } from '../../src/rpc/index.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/hash.js';
import type { Hex } from '../../src/chain/types.js';
import { DEV_ADDRESSES, DEV_KEYS, MemoryBackend } from './memory-backend.js';

const BATCH_LENGTH = 100;

class EchoBackend extends MemoryBackend {
  override async sendRawTransaction(raw: Hex): Promise<Hex> {
    return `0x${toHex(keccak256(fromHex(raw)))}`;
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function serve(): Promise<void> {
  // The driver is on loopback: exempt it, as a devnet is, so the server's own rate shows.
  const limits = { rateLimit: { ...DEFAULT_RATE_LIMIT, exemptLoopback: true } };
  const server = await startRpcServer({ backend: new EchoBackend(), host: '127.0.0.1', port: 0, limits });
  process.send!({ port: server.address.port });
  process.on('message', () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}

async function drive(port: number, body: string, callsPerRequest: number, seconds: number, connections: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  const post = () => new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  const worker = async () => {
    while (performance.now() < deadline) {
      await post();
      calls += callsPerRequest;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return calls / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const seconds = arg('seconds', 5);
  const connections = arg('connections', 32);
  const child = fork(new URL(import.meta.url).pathname, ['--serve'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: any) => resolve(m.port)));
  const raw = await privateKeyToAccount(DEV_KEYS[0]!).signTransaction({ to: DEV_ADDRESSES[1]!, value: 1n, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0, chainId: 31337 });
  const call = (id: number, method: string, params: unknown[]) => ({ jsonrpc: '2.0', id, method, params });
  const single = JSON.stringify(call(1, 'eth_sendRawTransaction', [raw]));
  const batch = JSON.stringify(Array.from({ length: BATCH_LENGTH }, (_, i) => call(i, 'eth_sendRawTransaction', [raw])));
  const blockNumber = JSON.stringify(call(1, 'eth_blockNumber', []));
  console.log(`json-rpc server on 127.0.0.1, ${connections} keep-alive connections, ${seconds} s per run, ${process.env.NODE_ENV ?? 'node'} ${process.version}`);
  await drive(port, single, 1, 1, connections); // warm-up
  console.log(`eth_blockNumber, one call per request:          ${Math.round(await drive(port, blockNumber, 1, seconds, connections))} calls/s`);
  console.log(`eth_sendRawTransaction, one call per request:   ${Math.round(await drive(port, single, 1, seconds, connections))} calls/s`);
  console.log(`eth_sendRawTransaction, batches of ${BATCH_LENGTH}:        ${Math.round(await drive(port, batch, BATCH_LENGTH, seconds, connections))} calls/s`);
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}

await main();
