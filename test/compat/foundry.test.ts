// Foundry 1.7.1 (forge, cast, anvil from npm) and the developer-account methods against a LIVE
// 4-validator devnet: `forge script --broadcast --unlocked` deploys through the CREATE2 deployer
// to the predicted address; `forge test --fork-url` passes against the devnet; `cast send
// --unlocked`, `cast call`, `cast receipt`, `cast logs`; ethers' provider.getSigner() sending
// through eth_sendTransaction; txpool_content holding a transaction behind a nonce gap; evm_mine;
// and an Anvil fork of the devnet reading a genesis contract's state at a given block.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonRpcProvider, parseEther as ethersParseEther } from 'ethers';
import { concat, createPublicClient, createWalletClient, encodeAbiParameters, getAddress, getContractAddress, http, parseAbi, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startTestDevnet, TEST_PORT_BASE, until, waitForOutput, type TestDevnet } from '../helpers/devnet.js';
import { CHAIN_ID, DEV_ACCOUNTS, devnetChain, RECEIPT_TIMEOUT_MS, rpc } from './helpers.js';

const DEVNET_SLOT = 9;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
/** Inside this file's slot of 20 ports, above the validators' RPC ports. */
const ANVIL_PORT = RPC_PORT + 10;
const URL = `http://127.0.0.1:${RPC_PORT}`;
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
const FIXTURE = join(ROOT, 'test/fixtures/foundry-project');
const CREATE2_DEPLOYER: Address = '0x4e59b44847b379578588920cA78FbF26c0B4956C';
/** A plain account (no code) to send value to. */
const SINK: Address = '0x000000000000000000000000000000000000dEaD';
const SALT: Hex = `0x${'5a17'.padStart(64, '0')}`;
/** forge and cast start in well under a second; a loaded machine and the devnet's blocks add to it. */
const TOOL_TIMEOUT_MS = 120_000;
/** WETH9's deposit() selector. */
const DEPOSIT: Hex = '0xd0e30db0';
const ERC20 = parseAbi(['function balanceOf(address) view returns (uint256)']);
const COUNTER_ABI = parseAbi(['function count() view returns (uint256)']);

const run = promisify(execFile);
const chain = devnetChain(RPC_PORT);
let devnet: TestDevnet;
let client: PublicClient;
let project: string;
let counter: Address;

/** Runs a Foundry tool in the project copy; offline, with the solc-js wrapper as its compiler. */
async function tool(name: 'forge' | 'cast', args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(join(BIN, name), [...args], {
    cwd: project,
    timeout: TOOL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1', FOUNDRY_SOLC: join(ROOT, 'scripts/solc-js.mjs'), ...env },
  });
  return stdout;
}

before(async () => {
  // A copy, so forge's out/, cache/ and broadcast/ never land in the source tree.
  project = mkdtempSync(join(tmpdir(), 'synod-foundry-'));
  cpSync(FIXTURE, project, { recursive: true });
  devnet = await startTestDevnet({ validators: 4, slot: DEVNET_SLOT });
  client = createPublicClient({ chain, transport: http(URL), pollingInterval: 250 }) as PublicClient;
  await until('the devnet finalizes a block', async () => ((await client.getBlockNumber({ cacheTime: 0 })) >= 1n ? true : undefined), 60_000);
});

after(async () => {
  await devnet?.stop();
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe('Foundry and the development accounts on a live devnet', { timeout: 600_000 }, () => {
  test('eth_accounts lists the 20 development accounts', async () => {
    const accounts = await rpc<string[]>(URL, 'eth_accounts');
    assert.equal(accounts.length, 20);
    assert.deepEqual(accounts.slice(0, DEV_ACCOUNTS.length), DEV_ACCOUNTS.map((a) => getAddress(a.address)));
  });

  test('forge script --broadcast --unlocked deploys through the CREATE2 deployer to the predicted address', async () => {
    const sender = getAddress(DEV_ACCOUNTS[0]!.address);
    await tool('forge', ['script', 'script/Deploy.s.sol:Deploy', '--rpc-url', URL, '--broadcast', '--unlocked', '--sender', sender, '--slow']);
    const broadcast = JSON.parse(readFileSync(join(project, 'broadcast/Deploy.s.sol/31337/run-latest.json'), 'utf8')) as {
      transactions: { transactionType: string; contractAddress: string | null; transaction: { to: string } }[];
      receipts: { status: string }[];
    };
    const creation = broadcast.transactions[0]!;
    assert.equal(creation.transactionType, 'CREATE2');
    assert.equal(getAddress(creation.transaction.to), CREATE2_DEPLOYER);
    assert.ok(broadcast.receipts.every((r) => r.status === '0x1'));
    const artifact = JSON.parse(readFileSync(join(project, 'out/Counter.sol/Counter.json'), 'utf8')) as { bytecode: { object: Hex } };
    const initCode = concat([artifact.bytecode.object, encodeAbiParameters([{ type: 'uint256' }], [5n])]);
    counter = getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER, salt: SALT, bytecode: initCode });
    assert.equal(getAddress(creation.contractAddress!), counter);
    assert.equal(await client.readContract({ address: counter, abi: COUNTER_ABI, functionName: 'count' }), 7n);
  });

  test('forge test --fork-url runs the project\'s tests against the devnet', async () => {
    const out = await tool('forge', ['test', '--fork-url', URL], { COUNTER: counter });
    assert.match(out, /2 passed; 0 failed/);
  });

  test('cast send --unlocked, cast receipt, cast call, cast logs', async () => {
    const from = getAddress(DEV_ACCOUNTS[1]!.address);
    const sent = JSON.parse(await tool('cast', ['send', '--unlocked', '--from', from, '--rpc-url', URL, '--json', counter, 'increment(uint256)', '3'])) as { transactionHash: Hex; status: string };
    assert.equal(sent.status, '0x1');
    const receipt = JSON.parse(await tool('cast', ['receipt', '--rpc-url', URL, '--json', sent.transactionHash])) as { status: string; from: string; to: string };
    assert.equal(receipt.status, '0x1');
    assert.equal(getAddress(receipt.from), from);
    assert.equal((await tool('cast', ['call', '--rpc-url', URL, counter, 'count()(uint256)'])).trim(), '10');
    const logs = JSON.parse(await tool('cast', ['logs', '--rpc-url', URL, '--json', '--from-block', '0', '--address', counter, 'Incremented(address indexed,uint256)'])) as { data: Hex; topics: Hex[] }[];
    assert.deepEqual(logs.map((l) => BigInt(l.data)), [7n, 10n]);
    assert.equal(getAddress(`0x${logs[1]!.topics[1]!.slice(26)}`), from);
  });

  test('ethers provider.getSigner() sends through eth_sendTransaction; an Anvil fork reads a genesis contract at a given block', async () => {
    const { weth } = await rpc<{ weth: Address }>(URL, 'synod_contracts');
    const holder = getAddress(DEV_ACCOUNTS[2]!.address);
    const wethBefore = await client.readContract({ address: weth, abi: ERC20, functionName: 'balanceOf', args: [holder] });
    const network = { chainId: Number(CHAIN_ID), name: 'synod-devnet' };
    const provider = new JsonRpcProvider(URL, network, { staticNetwork: true, pollingInterval: 250 });
    try {
      const signer = await provider.getSigner(holder);
      const response = await signer.sendTransaction({ to: weth, value: ethersParseEther('1'), data: DEPOSIT });
      const mined = await response.wait(1, RECEIPT_TIMEOUT_MS);
      assert.equal(mined?.status, 1);
      assert.equal(mined?.from, holder);
      const depositBlock = BigInt(mined!.blockNumber);
      assert.equal(await client.readContract({ address: weth, abi: ERC20, functionName: 'balanceOf', args: [holder] }), wethBefore + 10n ** 18n);

      // The fork at the block before the deposit sees the genesis balance; at the deposit block, the new one.
      for (const [forkBlock, expected] of [[depositBlock - 1n, wethBefore], [depositBlock, wethBefore + 10n ** 18n]] as const) {
        const anvil = spawn(join(BIN, 'anvil'), ['--fork-url', URL, '--fork-block-number', forkBlock.toString(), '--port', String(ANVIL_PORT), '--no-mining'], { stdio: ['ignore', 'pipe', 'pipe'] });
        try {
          await waitForOutput(anvil, /Listening on/, TOOL_TIMEOUT_MS);
          const fork = createPublicClient({ transport: http(`http://127.0.0.1:${ANVIL_PORT}`) });
          assert.equal(await fork.getChainId(), Number(CHAIN_ID));
          assert.equal(await fork.readContract({ address: weth, abi: ERC20, functionName: 'balanceOf', args: [holder] }), expected);
          assert.equal(await client.readContract({ address: weth, abi: ERC20, functionName: 'balanceOf', args: [holder], blockNumber: forkBlock }), expected);
        } finally {
          await stopChild(anvil);
        }
      }
    } finally {
      provider.destroy();
    }
  });

  test('txpool_content holds a transaction behind a nonce gap until the gap fills', async () => {
    const account = privateKeyToAccount(DEV_ACCOUNTS[3]!.privateKey);
    const wallet = createWalletClient({ chain, transport: http(URL), account });
    const nonce = await client.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const fees = { gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n };
    const gapped = await wallet.sendTransaction({ to: SINK, value: 1n, nonce: nonce + 1, ...fees });
    const content = await rpc<{ pending: Record<string, Record<string, { hash: Hex }>>; queued: Record<string, Record<string, { hash: Hex }>> }>(URL, 'txpool_content');
    assert.equal(content.queued[account.address]?.[String(nonce + 1)]?.hash, gapped);
    assert.equal(content.pending[account.address], undefined);
    const inspect = await rpc<{ queued: Record<string, Record<string, string>> }>(URL, 'txpool_inspect');
    assert.equal(inspect.queued[account.address]?.[String(nonce + 1)], `${SINK}: 1 wei + 21000 gas × 2000000000 wei`);
    assert.deepEqual(await rpc(URL, 'txpool_contentFrom', [account.address]), { pending: {}, queued: { [String(nonce + 1)]: content.queued[account.address]![String(nonce + 1)] } });
    // Filling the gap releases both.
    const filler = await wallet.sendTransaction({ to: SINK, value: 1n, nonce, ...fees });
    for (const hash of [filler, gapped]) assert.equal((await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS })).status, 'success');
    await until('the pool forgets them', async () => ((await rpc<{ queued: string }>(URL, 'txpool_status')).queued === '0x0' ? true : undefined), 30_000);
  });

  test('evm_mine answers 0x0 once a new block is final; time travel names the alternative', async () => {
    const before = await client.getBlockNumber({ cacheTime: 0 });
    assert.equal(await rpc(URL, 'evm_mine'), '0x0');
    assert.ok((await client.getBlockNumber({ cacheTime: 0 })) > before);
    await assert.rejects(rpc(URL, 'evm_increaseTime', [3600]), /-32601 evm_increaseTime is not supported by Synod: .*anvil --fork-url/);
  });
});

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
