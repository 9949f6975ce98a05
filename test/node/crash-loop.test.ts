// A bounded crash loop on a real devnet: under a steady load of transfers, one validator at a time
// (a quarter of the weight, under 1/3) is killed with SIGKILL every few seconds for about a
// minute and restarted. Afterwards every transaction a node acknowledged has exactly one receipt
// on every node, and every node holds the same chain — checked with the simulator's own chain
// invariants (src/sim/invariants.ts) over what the nodes serve through JSON-RPC.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { checkAppliedOnce, checkCertifiedHeads, checkChainAgreement, type ChainView } from '../../src/sim/invariants.js';
import { devAccounts } from '../../src/node/genesis.js';
import { startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';

const VALIDATORS = 4;
const DEVNET_SLOT = 5;
/** Total length of the loop, and how long a victim stays down. */
const LOOP_MS = Number(process.env.SYNOD_CRASH_LOOP_MS ?? 60_000);
const KILL_EVERY_MS = 5_000;
const DOWN_MS = 1_500;
const SENDERS = 4;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
const chain = defineChain({ id: 31337, name: 'synod-devnet', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [`http://127.0.0.1:${RPC_PORT}`] } } });
const urls = Array.from({ length: VALIDATORS }, (_, i) => `http://127.0.0.1:${RPC_PORT + i}`);
const clients = urls.map((url) => createPublicClient({ chain, transport: http(url, { timeout: 5_000, retryCount: 0 }) }) as PublicClient);
const accounts = devAccounts(SENDERS + 12).slice(12);

let devnet: TestDevnet;
const pids = new Map<number, number>();

before(async () => {
  devnet = await startTestDevnet({ validators: VALIDATORS, slot: DEVNET_SLOT });
});

after(async () => {
  await devnet?.stop();
});

/** One sender: a transfer at a time, through a random live node, its nonce advanced only on acknowledgement. */
async function sender(index: number, live: () => number[], stopAt: number, acknowledged: Hex[]): Promise<void> {
  const account = privateKeyToAccount(accounts[index]!.privateKey);
  let nonce = 0;
  while (Date.now() < stopAt) {
    const nodes = live();
    const node = nodes[Math.floor(Math.random() * nodes.length)]!;
    const wallet = createWalletClient({ chain, account, transport: http(urls[node]!, { timeout: 5_000, retryCount: 0 }) });
    try {
      const hash = await wallet.sendTransaction({ to: '0x000000000000000000000000000000000000bEEF', value: parseEther('0.0001'), nonce, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n });
      acknowledged.push(hash);
      nonce++;
    } catch {
      // The node died mid-call, or refused: the chain decides whether that nonce was used.
      nonce = await clients[live()[0]!]!.getTransactionCount({ address: account.address, blockTag: 'pending' }).catch(() => nonce);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kill -9 one validator every few seconds for a minute under load: every acknowledged transfer lands exactly once, every node agrees', { timeout: LOOP_MS + 240_000 }, async () => {
  const down = new Set<number>();
  const live = (): number[] => [...Array(VALIDATORS).keys()].filter((i) => !down.has(i));
  const stopAt = Date.now() + LOOP_MS;
  const acknowledged: Hex[] = [];
  const senders = Array.from({ length: SENDERS }, (_, i) => sender(i, live, stopAt, acknowledged));
  let kills = 0;
  while (Date.now() + KILL_EVERY_MS < stopAt) {
    await new Promise((r) => setTimeout(r, KILL_EVERY_MS - DOWN_MS));
    const victim = Math.floor(Math.random() * VALIDATORS);
    down.add(victim);
    process.kill(pids.get(victim) ?? devnet.pidOf(victim), 'SIGKILL');
    kills++;
    await new Promise((r) => setTimeout(r, DOWN_MS));
    pids.set(victim, devnet.startValidator(victim).pid!);
    await until(`validator ${victim} to answer again`, () => clients[victim]!.getBlockNumber({ cacheTime: 0 }).catch(() => undefined), 30_000);
    down.delete(victim);
  }
  await Promise.all(senders);
  assert.ok(kills >= 3, `${kills} kills`);
  assert.ok(acknowledged.length > 20, `only ${acknowledged.length} transfers acknowledged`);

  // Every acknowledged transfer has a receipt on every node, and the same one.
  for (const hash of acknowledged) {
    const receipts = [];
    for (const client of clients) receipts.push(await until(`receipt of ${hash}`, () => client.getTransactionReceipt({ hash }).catch(() => undefined), 60_000));
    assert.equal(new Set(receipts.map((r) => `${r.blockHash}/${r.transactionIndex}`)).size, 1, `receipts of ${hash} differ between nodes`);
  }

  // The same chain everywhere, each transaction applied once, each durable block certified.
  const head = (await Promise.all(clients.map((c) => c.getBlockNumber({ cacheTime: 0 })))).reduce((a, b) => (a < b ? a : b));
  const views: ChainView[] = [];
  for (const [i, client] of clients.entries()) {
    const blocks = [];
    const certificates = new Map<bigint, string>();
    for (let n = 1n; n <= head; n++) {
      const block = await client.getBlock({ blockNumber: n });
      blocks.push({ height: n, hash: block.hash!, transactions: block.transactions as string[] });
      const certificate = (await client.request({ method: 'synod_getCertificate' as never, params: [`0x${n.toString(16)}`] as never })) as { blockHash: string } | null;
      if (certificate !== null) certificates.set(n, certificate.blockHash);
    }
    views.push({ member: `validator-${i}`, blocks, certificates });
  }
  assert.deepEqual(checkChainAgreement(views), []);
  assert.deepEqual(checkAppliedOnce(views), []);
  // A block's certificate may still be gathering at the head: heights below head - 2 must be certified somewhere.
  assert.deepEqual(checkCertifiedHeads(views, head - 1n), []);
});
