// End-to-end: a real 4-validator devnet (one OS process per validator, real sockets, real
// storage), driven by viem. Kills a validator with SIGKILL while transactions flow, restarts it,
// wipes one's data to rejoin by sync, and checks the simulator's invariants on the real chain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, parseAbi, parseEther, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { checkAgreement, checkAppliedOnce, checkCertifiedHeads, checkChainAgreement, checkIntegrity, type ChainView, type MemberDeliveries } from '../../src/sim/invariants.js';
import { devAccounts } from '../../src/node/genesis.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';

const VALIDATORS = 4;
const DEVNET_SLOT = 0;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
const chain = defineChain({
  id: 31337,
  name: 'synod-devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [`http://127.0.0.1:${RPC_PORT}`] } },
});
const urls = Array.from({ length: VALIDATORS }, (_, i) => `http://127.0.0.1:${RPC_PORT + i}`);
const clients: PublicClient[] = urls.map((url) => createPublicClient({ chain, transport: http(url) }) as PublicClient);
const accounts = devAccounts(10);
const RECIPIENT = '0x000000000000000000000000000000000000dEaD' as const;

let devnet: TestDevnet;
/** Validators this test restarted itself, by index: their pid replaces the devnet's. */
const restarted = new Map<number, number>();
const currentPid = (index: number): number => restarted.get(index) ?? devnet.pidOf(index);

/** Sends `count` transfers from dev account `from`, nonces from its pending nonce, through `client`. */
async function sendTransfers(fromIndex: number, count: number, url: string): Promise<Hex[]> {
  const account = privateKeyToAccount(accounts[fromIndex]!.privateKey);
  const wallet = createWalletClient({ chain, transport: http(url), account });
  const nonce = await clients[0]!.getTransactionCount({ address: account.address, blockTag: 'pending' });
  const hashes: Hex[] = [];
  for (let i = 0; i < count; i++) {
    hashes.push(await wallet.sendTransaction({ to: RECIPIENT, value: parseEther('0.001'), nonce: nonce + i, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n }));
  }
  return hashes;
}

async function receiptsEverywhere(hashes: readonly Hex[], nodes: readonly number[]): Promise<void> {
  for (const index of nodes) {
    for (const hash of hashes) {
      const receipt = await until(`receipt ${hash} on validator ${index}`, () => clients[index]!.getTransactionReceipt({ hash }).catch(() => undefined), 60_000);
      assert.equal(receipt.status, 'success');
    }
  }
}

async function headOf(index: number): Promise<bigint> {
  return clients[index]!.getBlockNumber({ cacheTime: 0 });
}

before(async () => {
  devnet = await startTestDevnet({ validators: VALIDATORS, slot: DEVNET_SLOT });
});

after(async () => {
  await devnet?.stop();
});

describe('a 4-validator devnet', { timeout: 300_000 }, () => {
  test('finalizes blocks and serves the funded development accounts on every node', async () => {
    for (const client of clients) {
      assert.equal(await client.getChainId(), 31337);
      assert.ok((await client.getBlockNumber()) >= 1n);
      assert.equal(await client.getBalance({ address: accounts[5]!.address }), parseEther('10000'));
    }
  });

  test('transfers sent through every node get receipts from every node', async () => {
    const before = await clients[0]!.getBalance({ address: RECIPIENT });
    const hashes = (await Promise.all(urls.map((url, i) => sendTransfers(i, 5, url)))).flat();
    await receiptsEverywhere(hashes, [0, 1, 2, 3]);
    assert.equal(await clients[3]!.getBalance({ address: RECIPIENT }), before + parseEther('0.001') * 20n);
  });

  test('Multicall3 is predeployed: viem multicall batches reads, and synod_contracts lists it', async () => {
    const client = createPublicClient({ chain: { ...chain, contracts: { multicall3: { address: '0xcA11bde05977b3631167028862bE2a173976CA11' } } }, transport: http(urls[1]!) });
    const abi = parseAbi(['function getEthBalance(address) view returns (uint256)', 'function getChainId() view returns (uint256)']);
    const address = '0xcA11bde05977b3631167028862bE2a173976CA11' as const;
    const results = await client.multicall({
      contracts: [
        { address, abi, functionName: 'getEthBalance', args: [accounts[9]!.address] },
        { address, abi, functionName: 'getChainId' },
      ],
      allowFailure: false,
    });
    assert.deepEqual(results, [parseEther('10000'), 31337n]);
    const contracts = await client.request({ method: 'synod_contracts' as never, params: [] as never });
    assert.equal((contracts as Record<string, unknown>).Multicall3, '0xca11bde05977b3631167028862be2a173976ca11');
  });

  test('with one validator killed by SIGKILL the chain keeps finalizing; restarted, it catches up', async () => {
    const victim = 3;
    const flowing = sendTransfers(4, 30, urls[0]!);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(currentPid(victim), 'SIGKILL');
    const hashes = await flowing;
    const more = await sendTransfers(5, 10, urls[1]!);
    await receiptsEverywhere([...hashes, ...more], [0, 1, 2]);
    const headWhileDown = await headOf(0);
    await until('the chain to finalize with one validator down', async () => ((await headOf(1)) > headWhileDown ? true : undefined));

    restarted.set(victim, devnet.startValidator(victim).pid!);
    const target = await headOf(0);
    await until('the restarted validator to catch up', async () => ((await headOf(victim)) >= target ? true : undefined), 60_000);
    const block = await clients[victim]!.getBlock({ blockNumber: target });
    assert.equal(block.hash, (await clients[0]!.getBlock({ blockNumber: target })).hash);
    await receiptsEverywhere([...hashes, ...more], [victim]);
  });

  test('a validator with a fresh data directory rejoins by sync', async () => {
    const victim = 2;
    process.kill(currentPid(victim), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(join(devnet.dataDir, `validator-${victim}`, 'data'), { recursive: true, force: true });
    const hashes = await sendTransfers(6, 5, urls[0]!);
    await receiptsEverywhere(hashes, [0, 1]);
    restarted.set(victim, devnet.startValidator(victim).pid!);
    const target = await headOf(0);
    await until('the wiped validator to rejoin', async () => ((await headOf(victim)) >= target ? true : undefined), 60_000);
    assert.equal((await clients[victim]!.getBlock({ blockNumber: target })).hash, (await clients[1]!.getBlock({ blockNumber: target })).hash);
  });

  test('every node holds the same chain, and the simulator invariants hold on it', async () => {
    const head = (await Promise.all(clients.map((_, i) => headOf(i)))).reduce((a, b) => (a < b ? a : b));
    const members: MemberDeliveries[] = [];
    for (let i = 0; i < VALIDATORS; i++) {
      const superblocks = [];
      for (let n = 1n; n <= head; n++) {
        const block = await clients[i]!.getBlock({ blockNumber: n, includeTransactions: true });
        // Transactions are identified by hash (a hash commits to the whole signed transaction).
        const raws = block.transactions.map((tx) => fromHex(tx.hash));
        // The chain's view of a superblock: its transactions as one batch, its digest in extraData.
        superblocks.push({
          height: Number(n),
          epoch: 0,
          batches: [{ proposer: 0, digest: fromHex(block.hash!), timestampMs: Number(block.timestamp) * 1000, transactions: raws }],
          transactions: raws,
          digest: fromHex(block.extraData),
          timestampMs: Number(block.timestamp) * 1000,
        });
      }
      members.push({ member: `validator-${i}`, superblocks });
    }
    assert.deepEqual(checkAgreement(members), []);
    assert.deepEqual(checkIntegrity(members), []);
    // The chain's own invariants, as the node-level simulator checks them.
    const views: ChainView[] = [];
    for (let i = 0; i < VALIDATORS; i++) {
      const blocks = [];
      const certificates = new Map<bigint, string>();
      for (let n = 1n; n <= head; n++) {
        const block = await clients[i]!.getBlock({ blockNumber: n });
        blocks.push({ height: n, hash: block.hash!, transactions: block.transactions as string[] });
        const cert = (await clients[i]!.request({ method: 'synod_getCertificate' as never, params: [`0x${n.toString(16)}`] as never })) as { blockHash: string } | null;
        if (cert !== null) certificates.set(n, cert.blockHash);
      }
      views.push({ member: `validator-${i}`, blocks, certificates });
    }
    assert.deepEqual(checkChainAgreement(views), []);
    assert.deepEqual(checkAppliedOnce(views), []);
    assert.deepEqual(checkCertifiedHeads(views, head - 1n), []);
  });

  test('a transaction accepted while the chain is stalled survives every validator being killed', async () => {
    // Two of four validators hold more than 1/3 of the weight: with them down nothing finalizes.
    for (const i of [2, 3]) process.kill(currentPid(i), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const [hash] = await sendTransfers(7, 1, urls[0]!);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await clients[0]!.getTransactionReceipt({ hash: hash! }).catch(() => null), null, 'nothing finalizes without a quorum');
    for (const i of [0, 1]) process.kill(currentPid(i), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < VALIDATORS; i++) restarted.set(i, devnet.startValidator(i).pid!);
    await receiptsEverywhere([hash!], [0, 1, 2, 3]);
  });

  test('a flood of looping eth_calls on one validator does not stall it: it keeps proposing, the chain keeps finalizing, eth_blockNumber answers', async () => {
    const rpc = async (url: string, method: string, params: unknown[]) =>
      (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as any;
    const includedBy = async (index: number): Promise<bigint> => BigInt((await rpc(urls[1]!, 'synod_consensusStatus', [])).result.proposers.find((p: any) => p.index === index).included);
    const FLOOD_MS = 8_000;
    const startHead = await headOf(1);
    const startIncluded = await includedBy(0);
    const floodEnds = Date.now() + FLOOD_MS;
    const answers = new Map<string, number>();
    // A creation call whose init code spins until out of gas (JUMPDEST PUSH1 0 JUMP), 8 at a time.
    const flooders = Array.from({ length: 8 }, async () => {
      while (Date.now() < floodEnds) {
        const reply = await rpc(urls[0]!, 'eth_call', [{ data: '0x5b600056' }, 'latest']).catch((e: unknown) => ({ error: { message: String(e) } }));
        const key = reply.error === undefined ? 'result' : String(reply.error.message);
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    });
    const latencies: number[] = [];
    while (Date.now() < floodEnds) {
      const sent = performance.now();
      assert.ok(typeof (await rpc(urls[0]!, 'eth_blockNumber', [])).result === 'string');
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(flooders);
    const worst = Math.max(...latencies);
    // Liveness bounds, far above an idle node's figures (bench/latency.ts measures those).
    assert.ok(worst < 2_000, `eth_blockNumber took up to ${worst.toFixed(0)} ms during the flood (answers: ${JSON.stringify([...answers])})`);
    assert.ok((await headOf(1)) >= startHead + 3n, `the chain finalized ${(await headOf(1)) - startHead} heights in ${FLOOD_MS} ms of flood`);
    assert.ok((await includedBy(0)) > startIncluded, 'the flooded validator\'s proposals were still included');
    assert.ok([...answers.keys()].some((k) => /execution aborted \(timeout = 5s\)|out of gas|result/.test(k)), `answers: ${JSON.stringify([...answers])}`);
  });

  test('bad JSON-RPC input gets the standard error codes and the node keeps serving', async () => {
    const post = async (body: string) => (await fetch(urls[0]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json() as Promise<any>;
    assert.equal((await post('{not json')).error.code, -32700);
    assert.equal((await post('{"jsonrpc":"2.0","id":1}')).error.code, -32600);
    assert.equal((await post('{"jsonrpc":"2.0","id":1,"method":"eth_noSuchMethod","params":[]}')).error.code, -32601);
    assert.equal((await post('{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12"]}')).error.code, -32602);
    const rejected = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: ['0x1234'] }));
    assert.equal(rejected.error.code, -32000);
    assert.ok((await headOf(0)) >= 1n);
  });
});
