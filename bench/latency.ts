// The idle figures of issue 11 in one short run: a developer's round trip (one client, one
// transfer at a time, receipt polled every 2 ms) on an idle 4-validator devnet beside Hardhat and
// Anvil in the same run, and the validators' CPU and consensus messages per empty height.
//   node --import tsx bench/latency.ts [--peer hardhat,anvil|hardhat|anvil|none] [--count 40] [--idle-s 10]
//        [--durability process|machine|process,machine]  (the devnet's storage durability; both: one devnet each, in turn)
// The full bench (`npm run bench`) measures these too, with load phases around them.
import { measureRoundTrips, ROUND_TRIP_COUNT } from './generator/round-trip.js';
import { heightCost, snapshot } from './observe/height-cost.js';
import { HttpRpcClient } from './rpc/http-client.js';
import { startAnvil } from './targets/anvil.js';
import { startHardhat } from './targets/hardhat.js';
import { startSynod } from './targets/synod.js';
import type { Target } from './targets/types.js';
import { benchAccounts } from './tx/accounts.js';
import { signLegacyTx } from './tx/sign.js';

const RECIPIENT = Uint8Array.from({ length: 20 }, (_, i) => 0xb0 + (i % 8));

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function blockNumber(endpoint: string): Promise<number> {
  const client = new HttpRpcClient(endpoint);
  try {
    return Number(BigInt(await client.call<string>('eth_blockNumber')));
  } finally {
    client.close();
  }
}

async function roundTrip(target: Target, count: number, sender: ReturnType<typeof benchAccounts>[number]): Promise<{ p50: number | null; p90: number | null }> {
  const client = new HttpRpcClient(target.endpoints[0]!);
  const nonce = BigInt(await client.call<string>('eth_getTransactionCount', [sender.addressHex, 'pending']));
  const gasPrice = BigInt(await client.call<string>('eth_gasPrice'));
  client.close();
  const raws = Array.from({ length: count }, (_, i) => signLegacyTx({ nonce: nonce + BigInt(i), gasPriceWei: gasPrice * 2n, gasLimit: 21_000n, to: RECIPIENT, valueWei: 1n, data: new Uint8Array(), chainId: target.chainId }, sender));
  // A few first, unmeasured: connections and caches warm up as in any test suite.
  await measureRoundTrips(target.endpoints[0]!, raws.slice(0, 3));
  const figures = await measureRoundTrips(target.endpoints[0]!, raws.slice(3));
  return { p50: figures.p50Ms, p90: figures.p90Ms };
}

async function main(): Promise<void> {
  const peers = flag('peer', 'hardhat,anvil').split(',').filter((p) => p !== 'none');
  const count = Number(flag('count', String(ROUND_TRIP_COUNT))) + 3;
  const idleMs = Number(flag('idle-s', '10')) * 1000;
  const [sender] = benchAccounts(1);
  const rows: string[] = [];
  for (const durability of flag('durability', 'process').split(',')) {
    const synod = await startSynod([sender!], ['--durability', durability]);
    try {
      // Idle heights first: nothing else runs, the chain makes empty blocks at its cadence.
      const probe = synod.validators!;
      const before = await snapshot(probe, await blockNumber(synod.endpoints[0]!), () => performance.now());
      await new Promise((r) => setTimeout(r, idleMs));
      const after = await snapshot(probe, await blockNumber(synod.endpoints[0]!), () => performance.now());
      const idle = heightCost(before, after);
      const rt = await roundTrip(synod, count, sender!);
      rows.push(`synod (durability ${durability})\n         round trip p50 ${rt.p50?.toFixed(1)} ms, p90 ${rt.p90?.toFixed(1)} ms; idle: ${idle.heights} heights, ${idle.cpuPerHeightMs?.toFixed(1)} ms CPU per height per validator, ${idle.messagesPerHeight?.toFixed(0)} consensus messages per height`);
    } finally {
      await synod.stop();
    }
  }
  for (const peer of peers) {
    const target = peer === 'anvil' ? await startAnvil([sender!]) : await startHardhat([sender!]);
    try {
      const rt = await roundTrip(target, count, sender!);
      rows.push(`${peer.padEnd(8)} round trip p50 ${rt.p50?.toFixed(1)} ms, p90 ${rt.p90?.toFixed(1)} ms (${target.version})`);
    } finally {
      await target.stop();
    }
  }
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
