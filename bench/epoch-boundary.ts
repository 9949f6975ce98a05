// The cost of an epoch boundary: a developer's round trips (one transfer at a time, receipt polled
// every 2 ms) on a 4-node devnet whose committee of 3 is drawn anew every E blocks, split by where
// each transfer landed: the first height of an epoch (which waits for its committee to be drawn
// from the state of the block before) against every other height. Same devnet, same run.
//   node --import tsx bench/epoch-boundary.ts [--count 120] [--epoch-length 4]
import { percentile } from './generator/metrics.js';
import { HttpRpcClient } from './rpc/http-client.js';
import { startSynod } from './targets/synod.js';
import { benchAccounts } from './tx/accounts.js';
import { signLegacyTx } from './tx/sign.js';

const RECIPIENT = Uint8Array.from({ length: 20 }, (_, i) => 0xc0 + (i % 8));
const POLL_MS = 2;
const WARM_UP = 3;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

function summary(label: string, samples: number[]): string {
  const sorted = Float64Array.from(samples).sort();
  return `${label.padEnd(30)} ${String(samples.length).padStart(4)} transfers  p50 ${percentile(sorted, 0.5)?.toFixed(1)} ms  p90 ${percentile(sorted, 0.9)?.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const count = flag('count', 120);
  const epochLength = flag('epoch-length', 4);
  const [sender] = benchAccounts(1);
  const synod = await startSynod([sender!], ['--committee', '3', '--epoch-length', String(epochLength)]);
  try {
    const client = new HttpRpcClient(synod.endpoints[0]!);
    const nonce = BigInt(await client.call<string>('eth_getTransactionCount', [sender!.addressHex, 'pending']));
    const gasPrice = BigInt(await client.call<string>('eth_gasPrice'));
    const first: number[] = [];
    const other: number[] = [];
    for (let i = 0; i < count + WARM_UP; i++) {
      const { raw, hash } = signLegacyTx({ nonce: nonce + BigInt(i), gasPriceWei: gasPrice * 2n, gasLimit: 21_000n, to: RECIPIENT, valueWei: 1n, data: new Uint8Array(), chainId: synod.chainId }, sender!);
      const sentAt = performance.now();
      await client.call('eth_sendRawTransaction', [raw]);
      let receipt: { blockNumber: string } | null = null;
      while ((receipt = await client.call<{ blockNumber: string } | null>('eth_getTransactionReceipt', [hash])) === null) await new Promise((r) => setTimeout(r, POLL_MS));
      const ms = performance.now() - sentAt;
      if (i < WARM_UP) continue;
      const height = Number(BigInt(receipt.blockNumber));
      ((height - 1) % epochLength === 0 ? first : other).push(ms);
    }
    client.close();
    // The draw itself, as every node's synod_committee_draw_seconds counts it.
    let drawSum = 0;
    let draws = 0;
    for (const endpoint of synod.endpoints) {
      const text = await (await fetch(`${endpoint}/metrics`)).text();
      drawSum += Number(/^synod_committee_draw_seconds_sum\S* (\S+)/m.exec(text)?.[1] ?? 0);
      draws += Number(/^synod_committee_draw_seconds_count\S* (\S+)/m.exec(text)?.[1] ?? 0);
    }
    console.log(`synod devnet, 4 nodes, a committee of 3 drawn every ${epochLength} blocks (${synod.version})`);
    console.log(summary('first height of an epoch', first));
    console.log(summary('other heights', other));
    console.log(`committee draws: ${draws} across the nodes, mean ${draws === 0 ? '-' : ((1000 * drawSum) / draws).toFixed(2)} ms each (the wait the first height of an epoch adds when blocks run back to back)`);
  } finally {
    await synod.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
