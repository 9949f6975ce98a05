// Issue 10's measurement: one client floods a validator of an idle 4-validator devnet with
// looping eth_calls (each spins until the gas cap or the EVM timeout), while another client asks
// eth_blockNumber every 20 ms. Printed: eth_blockNumber's latency and the chain's height interval,
// idle and during the flood, in the same run.
//   node --import tsx bench/rpc-flood.ts [--flood-s 15] [--flooders 8]
import { HttpRpcClient } from './rpc/http-client.js';
import { startSynod } from './targets/synod.js';
import { benchAccounts } from './tx/accounts.js';

const PROBE_INTERVAL_MS = 20;
/** Init code that spins until out of gas: JUMPDEST PUSH1 0 JUMP. */
const LOOP_INIT_CODE = '0x5b600056';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

interface Window {
  readonly latencies: number[];
  readonly heights: number;
  readonly ms: number;
}

async function probe(endpoint: string, ms: number): Promise<Window> {
  const client = new HttpRpcClient(endpoint);
  const latencies: number[] = [];
  const first = Number(BigInt(await client.call<string>('eth_blockNumber')));
  const started = performance.now();
  let last = first;
  while (performance.now() - started < ms) {
    const sent = performance.now();
    last = Number(BigInt(await client.call<string>('eth_blockNumber')));
    latencies.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  client.close();
  return { latencies: latencies.sort((a, b) => a - b), heights: last - first, ms: performance.now() - started };
}

function line(name: string, w: Window): string {
  const interval = w.heights > 0 ? (w.ms / w.heights).toFixed(0) : 'none';
  return `${name.padEnd(6)} eth_blockNumber p50 ${quantile(w.latencies, 0.5).toFixed(1)} ms, p99 ${quantile(w.latencies, 0.99).toFixed(1)} ms, max ${w.latencies.at(-1)!.toFixed(1)} ms (${w.latencies.length} calls); ${w.heights} heights in ${(w.ms / 1000).toFixed(1)} s, one every ${interval} ms`;
}

async function main(): Promise<void> {
  const floodMs = Number(flag('flood-s', '15')) * 1000;
  const flooders = Number(flag('flooders', '8'));
  const synod = await startSynod(benchAccounts(1));
  try {
    const [target, other] = [synod.endpoints[0]!, synod.endpoints[0]!];
    const idle = await probe(other, floodMs);
    const answers = new Map<string, number>();
    let flooding = true;
    const floods = Array.from({ length: flooders }, async () => {
      const client = new HttpRpcClient(target);
      while (flooding) {
        const key = await client.call('eth_call', [{ data: LOOP_INIT_CODE }, 'latest']).then(
          () => 'answered',
          (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 60),
        );
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
      client.close();
    });
    const flood = await probe(other, floodMs);
    flooding = false;
    await Promise.all(floods);
    console.log(line('idle', idle));
    console.log(line('flood', flood));
    console.log(`flood: ${flooders} clients' looping eth_calls answered ${JSON.stringify(Object.fromEntries(answers))}`);
  } finally {
    await synod.stop();
  }
}

await main();
