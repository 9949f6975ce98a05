// A tiny in-process Ethereum JSON-RPC responder that accepts every transaction at once and
// seals whatever arrived into a block every few milliseconds. It is the load generator's
// twin of a node: measuring the generator against it shows the generator's own ceiling, and
// the tests drive the whole pipeline through it without a real chain. It validates nothing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { keccak256 } from '../../src/crypto/hash.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';

export const INSTANT_BLOCK_INTERVAL_MS = 5;
/** Transactions waiting for the next block; beyond this the node answers "txpool is full". */
export const MAX_INSTANT_PENDING_TXS = 200_000;
/** Blocks kept for eth_getBlockByNumber; older ones are forgotten. */
export const MAX_INSTANT_BLOCKS = 100_000;
export const MAX_INSTANT_REQUEST_BYTES = 32 * 1024 * 1024;
export const INSTANT_CHAIN_ID = 31337n;

interface Block {
  readonly number: number;
  readonly txHashes: string[];
}

export interface InstantNode {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Transactions accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

type Handler = (params: unknown[]) => unknown;

class InstantChain {
  readonly blocks: Block[] = [{ number: 0, txHashes: [] }];
  pending: string[] = [];
  acceptedCount = 0;
  readonly receipts = new Map<string, number>();
  readonly subscribers = new Set<WebSocket>();

  seal(): void {
    if (this.pending.length === 0) return;
    const block = { number: this.head().number + 1, txHashes: this.pending };
    this.pending = [];
    this.blocks.push(block);
    for (const h of block.txHashes) this.receipts.set(h, block.number);
    if (this.blocks.length > MAX_INSTANT_BLOCKS) this.forgetOldest();
    const note = JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: '0x1', result: header(block) } });
    for (const ws of this.subscribers) ws.send(note);
  }

  head(): Block {
    return this.blocks[this.blocks.length - 1];
  }

  private forgetOldest(): void {
    const old = this.blocks.shift();
    for (const h of old?.txHashes ?? []) this.receipts.delete(h);
  }
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;
const blockHash = (n: number): string => `0x${toHex(keccak256(fromHex(n.toString(16).padStart(16, '0'))))}`;
const header = (b: Block) => ({ number: hex(b.number), hash: blockHash(b.number), timestamp: hex(b.number) });

function handlers(chain: InstantChain): Record<string, Handler> {
  const byNumber = (tag: unknown): Block | undefined => {
    const n = tag === 'latest' ? chain.head().number : Number(BigInt(String(tag)));
    const first = chain.blocks[0].number;
    return chain.blocks[n - first];
  };
  return {
    eth_chainId: () => hex(INSTANT_CHAIN_ID),
    net_version: () => INSTANT_CHAIN_ID.toString(),
    web3_clientVersion: () => 'InstantNode/1.0',
    eth_blockNumber: () => hex(chain.head().number),
    eth_gasPrice: () => hex(1_000_000_000n),
    eth_getTransactionCount: () => '0x0',
    eth_getBalance: () => hex(10n ** 24n),
    eth_sendRawTransaction: ([raw]) => {
      if (chain.pending.length >= MAX_INSTANT_PENDING_TXS) throw Object.assign(new Error('txpool is full'), { code: -32000 });
      const hash = `0x${toHex(keccak256(fromHex(String(raw))))}`;
      chain.pending.push(hash);
      chain.acceptedCount++;
      return hash;
    },
    eth_getBlockByNumber: ([tag]) => {
      const b = byNumber(tag);
      return b ? { ...header(b), transactions: b.txHashes } : null;
    },
    eth_getTransactionReceipt: ([hash]) => {
      const n = chain.receipts.get(String(hash));
      return n === undefined ? null : { transactionHash: hash, blockNumber: hex(n), status: '0x1', contractAddress: null };
    },
  };
}

function answer(table: Record<string, Handler>, req: { id?: unknown; method?: string; params?: unknown[] }) {
  const fn = req.method ? table[req.method] : undefined;
  if (!fn) return { jsonrpc: '2.0', id: req.id ?? null, error: { code: -32601, message: `method ${req.method} not supported` } };
  try {
    return { jsonrpc: '2.0', id: req.id ?? null, result: fn(req.params ?? []) };
  } catch (err) {
    const e = err as { code?: number; message: string };
    return { jsonrpc: '2.0', id: req.id ?? null, error: { code: e.code ?? -32603, message: e.message } };
  }
}

function serveHttp(table: Record<string, Handler>): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_INSTANT_REQUEST_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      const out = Array.isArray(body) ? body.map((r) => answer(table, r)) : answer(table, body as never);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
}

function serveWs(server: http.Server, chain: InstantChain, table: Record<string, Handler>): WebSocketServer {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const req = JSON.parse(String(data)) as { id?: unknown; method?: string; params?: unknown[] };
      if (req.method === 'eth_subscribe' && req.params?.[0] === 'newHeads') {
        chain.subscribers.add(ws);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: '0x1' }));
      } else ws.send(JSON.stringify(answer(table, req)));
    });
    ws.on('close', () => chain.subscribers.delete(ws));
  });
  return wss;
}

/** Starts the responder on 127.0.0.1 at a free port. */
export async function startInstantNode(): Promise<InstantNode> {
  const chain = new InstantChain();
  const table = handlers(chain);
  const server = serveHttp(table);
  const wss = serveWs(server, chain, table);
  const timer = setInterval(() => chain.seal(), INSTANT_BLOCK_INTERVAL_MS);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    accepted: () => chain.acceptedCount,
    close: async () => {
      clearInterval(timer);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
