// The explorer page's script run against the live server over a minimal DOM twin (no browser
// here): first load, the live newHeads update over WebSocket, and each detail view.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import WebSocket from 'ws';
import { startRpcServer } from '../../src/rpc/index.js';
import { MemoryBackend, DEV_KEYS, DEV_ADDRESSES } from './memory-backend.js';
import { privateKeyToAccount } from 'viem/accounts';

/** A minimal DOM element: exactly what the page's script uses, nothing more. */
class El {
  children: El[] = []; attrs: Record<string, string> = {}; parent?: El; text = ''; hidden = false; onclick: any; onsubmit: any;
  classList = { set: new Set<string>(), add: (c: string) => this.classList.set.add(c), remove: (c: string) => this.classList.set.delete(c) };
  constructor(public tag: string, public id?: string) {}
  setAttribute(k: string, v: string) { this.attrs[k] = v; }
  getAttribute(k: string) { return this.attrs[k]; }
  append(...c: any[]) { for (const x of c) { const e = typeof x === 'string' ? Object.assign(new El('#text'), { text: x }) : x; e.parent = this; this.children.push(e); } }
  prepend(x: El) { x.parent = this; this.children.unshift(x); }
  after(x: El) { const p = this.parent!; x.parent = p; p.children.splice(p.children.indexOf(this) + 1, 0, x); }
  remove() { const p = this.parent; if (p) p.children.splice(p.children.indexOf(this), 1); }
  replaceChildren(...c: any[]) { this.children = []; this.append(...c); }
  set textContent(v: string) { this.children = []; this.text = v; }
  get textContent(): string { return this.text + this.children.map((c) => c.textContent).join(' '); }
  get value() { return this.attrs.value ?? ''; }
}

function makeDocument(ids: Map<string, El>) {
  return {
    getElementById: (id: string) => { if (!ids.has(id)) ids.set(id, new El('div', id)); return ids.get(id)!; },
    createElement: (t: string) => new El(t),
    createTextNode: (t: string) => Object.assign(new El('#text'), { text: t }),
    querySelectorAll: () => [],
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `check` until it stops throwing (the page works asynchronously), up to a generous bound. */
async function eventually(check: () => void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await settle(25);
    }
  }
}

test('explorer: latest blocks, live heads, committee bars, status, and block/tx/address views', async () => {
  const backend = new MemoryBackend();
  const server = await startRpcServer({ backend, host: '127.0.0.1', port: 0 });
  const ids = new Map<string, El>();
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  try {
    const raw = await privateKeyToAccount(DEV_KEYS[0]!).signTransaction({ to: DEV_ADDRESSES[1]!, value: 10n ** 18n, gas: 21_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0, chainId: 31337 });
    const hash = await backend.sendRawTransaction(raw);
    await settle(30);
    const location = { hash: '', host: `127.0.0.1:${server.address.port}`, protocol: 'http:' };
    const window: any = {};
    const ctx = vm.createContext({
      document: makeDocument(ids), location, window, WebSocket: TrackedWebSocket, Node: El, console, Date, BigInt, Math, Number, JSON, Promise, Object, String, Map,
      fetch: (path: string, init: RequestInit) => fetch(server.url + path, init),
      setTimeout: () => 0, setInterval: () => 0, // no reconnects or polling inside the test
    });
    const script = readFileSync(new URL('../../src/rpc/explorer/index.html', import.meta.url), 'utf8').match(/<script>([\s\S]*)<\/script>/)![1]!;
    vm.runInContext(script, ctx);
    const text = (id: string) => ids.get(id)!.textContent.replace(/\s+/g, ' ');
    await eventually(() => {
      assert.equal(text('head'), '1');
      assert.equal(text('chain'), '31337');
      assert.ok(ids.get('live')!.classList.set.has('on'), 'WebSocket connected');
      assert.equal(ids.get('blocks')!.children.length, 2);
      assert.match(text('committee'), /#0 40\.0% #1 30\.0% #2 20\.0% #3 10\.0% quorum/);
      assert.match(text('status'), /finalized height 1 epoch 0/);
    });
    backend.sealPending();
    await eventually(() => {
      assert.equal(ids.get('blocks')!.children.length, 3, 'a new head arrives over the WebSocket');
      assert.equal(text('head'), '2');
    });
    const views: [string, RegExp][] = [
      [`#/tx/${hash}`, /Transaction hash 0x[0-9a-f]{64} status success block 1/],
      ['#/block/1', /Block 1 hash 0x[0-9a-f]{64}.*Transactions \(1\)/],
      [`#/address/${DEV_ADDRESSES[1]}`, /balance 10001 ETH nonce 0 code none/],
      ['#/block/999', /Not found no block 999/],
    ];
    for (const [route, expected] of views) {
      location.hash = route;
      window.onhashchange();
      await eventually(() => assert.match(text('detail'), expected, route));
    }
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.close();
  }
});
