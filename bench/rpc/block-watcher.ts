// Records the moment each block is first seen by the client. A transaction's latency is the
// time its block was seen minus the time it was submitted; which block holds which
// transaction is looked up after the phase, so during the run the watcher costs the node one
// push per block (WebSocket newHeads) or one tiny eth_blockNumber call per poll.
import WebSocket from 'ws';
import { HttpRpcClient } from './http-client.js';

/** Poll period of the fallback when the node has no WebSocket subscriptions. */
export const BLOCK_POLL_INTERVAL_MS = 5;
/** Give up on the WebSocket subscription if it is not confirmed within this time. */
export const WS_SUBSCRIBE_TIMEOUT_MS = 3_000;
/** Bound on remembered blocks; a 15-minute run of automine at 1,000 blocks/s stays below. */
export const MAX_WATCHED_BLOCKS = 2_000_000;

export type Clock = () => number;

export interface BlockWatcher {
  readonly mode: 'websocket' | 'polling';
  /** Highest block number seen so far (-1 before the first). */
  latest(): number;
  /** When block `n` was first seen; a later block proves `n` existed, so its time is used if `n` was skipped. */
  seenAtMs(n: number): number | undefined;
  /** Blocks seen, in order: [number, seenAtMs]. */
  seen(): readonly (readonly [number, number])[];
  close(): Promise<void>;
}

class SeenLog {
  readonly entries: [number, number][] = [];
  private top = -1;

  record(n: number, atMs: number): void {
    if (n <= this.top || this.entries.length >= MAX_WATCHED_BLOCKS) return;
    this.top = n;
    this.entries.push([n, atMs]);
  }

  latest(): number {
    return this.top;
  }

  seenAtMs(n: number): number | undefined {
    const e = this.entries;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid][0] < n) lo = mid + 1;
      else hi = mid;
    }
    return lo < e.length ? e[lo][1] : undefined;
  }
}

export async function watchBlocks(httpEndpoint: string, wsEndpoint: string | undefined, clock: Clock): Promise<BlockWatcher> {
  const log = new SeenLog();
  const start = Number(BigInt(await new HttpRpcClient(httpEndpoint).call<string>('eth_blockNumber')));
  log.record(start, clock());
  if (wsEndpoint) {
    const ws = await subscribeNewHeads(wsEndpoint, log, clock).catch(() => undefined);
    if (ws) return view(log, 'websocket', () => closeSocket(ws));
  }
  return pollBlocks(httpEndpoint, log, clock);
}

function view(log: SeenLog, mode: BlockWatcher['mode'], close: () => Promise<void>): BlockWatcher {
  return { mode, latest: () => log.latest(), seenAtMs: (n) => log.seenAtMs(n), seen: () => log.entries, close };
}

function subscribeNewHeads(url: string, log: SeenLog, clock: Clock): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('newHeads subscription not confirmed'));
    }, WS_SUBSCRIBE_TIMEOUT_MS);
    ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] })));
    ws.on('message', (data) => {
      const at = clock();
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown; params?: { result?: { number?: string } } };
      if (msg.id === 1) {
        clearTimeout(timer);
        if (msg.error) reject(new Error('eth_subscribe refused'));
        else resolve(ws);
        return;
      }
      const n = msg.params?.result?.number;
      if (typeof n === 'string') log.record(Number(BigInt(n)), at);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
    setTimeout(() => {
      ws.terminate();
      resolve();
    }, 500).unref();
  });
}

function pollBlocks(endpoint: string, log: SeenLog, clock: Clock): BlockWatcher {
  const client = new HttpRpcClient(endpoint);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const n = Number(BigInt(await client.call<string>('eth_blockNumber')));
        log.record(n, clock());
      } catch {
        // The watched node may be the one killed mid-run; keep trying until closed.
      }
      await new Promise((r) => setTimeout(r, BLOCK_POLL_INTERVAL_MS));
    }
  })();
  return view(log, 'polling', async () => {
    stopped = true;
    await loop;
    client.close();
  });
}
