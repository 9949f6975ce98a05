// Synod under test: `synod devnet` with 4 validators on this machine, load spread over every
// validator's JSON-RPC port, senders funded from the devnet's development accounts, and fault
// control that SIGKILLs one validator (its pid from DATA_DIR/validator-<i>/pid) and restarts
// it with `synod start --config DATA_DIR/validator-<i>/config.json`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnemonicToAccount } from 'viem/accounts';
import { BenchError } from '../errors.js';
import { HttpRpcClient, type RpcOutcome } from '../rpc/http-client.js';
import { accountFromPrivateKey, type Account, type Hex } from '../tx/accounts.js';
import { signLegacyTx } from '../tx/sign.js';
import { RpcSetupChain, SETUP_BATCH, fetchNonces } from './rpc-chain.js';
import { discardOutput, stopChild, waitForOutput } from './process.js';
import type { FaultControl, Target, ValidatorProbe } from './types.js';

export const SYNOD_VALIDATORS = 4;
/** The devnet waits up to 60 s for its first finalized block; allow for process start-up too. */
export const SYNOD_START_TIMEOUT_MS = 120_000;
export const SYNOD_RESTART_TIMEOUT_MS = 60_000;
/** The devnet funds the 20 accounts of this mnemonic (the Hardhat/Anvil development accounts). */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNTS = 20;
/** What each benchmark sender receives from the development accounts. */
export const SENDER_FUNDING_WEI = 10n ** 19n;
/** The devnet derives its p2p ports from the RPC port with this offset (src/node/network-files.ts). */
const P2P_MINUS_RPC_PORT = 30300 - 8545;
/** Validator killed for the one-down figure; validator 0 serves setup and the block watcher. */
const VICTIM = SYNOD_VALIDATORS - 1;
const GAS_PRICE_WEI = 10n ** 10n;
const SYNOD_BIN = fileURLToPath(new URL('../../scripts/synod-from-source.mjs', import.meta.url));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** An RPC base port whose RPC and p2p port ranges are both free. */
async function freeRpcBase(): Promise<number> {
  for (let base = 18_545; base < 28_000; base += 10) {
    const ports = Array.from({ length: SYNOD_VALIDATORS }, (_, i) => [base + i, base + i + P2P_MINUS_RPC_PORT]).flat();
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new BenchError('TARGET_START', 'no free port range for the devnet between 18545 and 28000');
}

export function devAccountKeys(): Account[] {
  return Array.from({ length: DEV_ACCOUNTS }, (_, i) => {
    const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).getHdKey().privateKey;
    if (!key) throw new Error('HD derivation gave no private key');
    return accountFromPrivateKey(key);
  });
}

/** Pays SENDER_FUNDING_WEI to every sender whose balance is below it, from the dev accounts in parallel. */
export async function fundSenders(endpoint: string, chainId: bigint, senders: readonly Account[]): Promise<void> {
  const client = new HttpRpcClient(endpoint);
  const balances: RpcOutcome[] = [];
  for (let k = 0; k < senders.length; k += SETUP_BATCH) {
    balances.push(...(await client.batch(senders.slice(k, k + SETUP_BATCH).map((s) => ({ method: 'eth_getBalance', params: [s.addressHex, 'latest'] })))));
  }
  client.close();
  const needy = senders.filter((_, i) => {
    const b = balances[i];
    return !b.ok || BigInt(b.result as string) < SENDER_FUNDING_WEI / 2n;
  });
  if (needy.length === 0) return;
  const funders = devAccountKeys();
  const nonces = await fetchNonces(endpoint, funders.map((f) => f.addressHex));
  const raws: Hex[] = needy.map((s, k) => {
    const f = k % funders.length;
    return signLegacyTx({ nonce: nonces[f]++, gasPriceWei: GAS_PRICE_WEI, gasLimit: 21_000n, to: s.address, valueWei: SENDER_FUNDING_WEI, data: new Uint8Array(0), chainId }, funders[f]).raw;
  });
  const chain = new RpcSetupChain(endpoint);
  try {
    await chain.submitAndConfirm(raws);
  } finally {
    chain.close();
  }
}

async function waitForRpc(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const client = new HttpRpcClient(endpoint);
  try {
    for (;;) {
      try {
        await client.call('eth_blockNumber');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new BenchError('TARGET_START', `${endpoint} did not answer within ${timeoutMs} ms after restart`, { cause: err });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    client.close();
  }
}

function faultControl(dataDir: string, endpoints: readonly string[], restarted: ChildProcess[]): FaultControl {
  const dir = join(dataDir, `validator-${VICTIM}`);
  return {
    async killOne() {
      const pid = await readPid(dir);
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        throw new BenchError('TARGET_START', `validator ${VICTIM} (pid ${pid}) was not running; see ${join(dir, 'node.log')}`, { cause: err });
      }
      return `validator ${VICTIM} (pid ${pid})`;
    },
    async restartKilled() {
      const log = openSync(join(dir, 'node.log'), 'a');
      const child = spawn(process.execPath, [SYNOD_BIN, 'start', '--config', join(dir, 'config.json'), '--log-level', 'warn'], { stdio: ['ignore', log, log] });
      closeSync(log);
      restarted.push(child);
      // Keep the devnet's convention: DATA_DIR/validator-<i>/pid names the running process.
      await writeFile(join(dir, 'pid'), `${child.pid}\n`);
      await waitForRpc(endpoints[VICTIM], SYNOD_RESTART_TIMEOUT_MS);
    },
  };
}

async function readPid(dir: string): Promise<number> {
  const file = join(dir, 'pid');
  const pid = Number((await readFile(file, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new BenchError('TARGET_START', `no valid pid in ${file}`);
  return pid;
}

/** Pids from DATA_DIR/validator-<i>/pid (the devnet writes them; a restart here rewrites one). */
function validatorProbe(dataDir: string, endpoints: readonly string[]): ValidatorProbe {
  return {
    pids: () => Promise.all(endpoints.map((_, i) => readPid(join(dataDir, `validator-${i}`)))),
    metricsEndpoints: endpoints,
  };
}

/** Starts the devnet and funds `senders`; throws TARGET_START with the devnet's own words if it cannot. */
export async function startSynod(senders: readonly Account[], devnetArgs: readonly string[] = []): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'synod-bench-devnet-'));
  const base = await freeRpcBase();
  const devnet = spawn(process.execPath, [SYNOD_BIN, 'devnet', '--validators', String(SYNOD_VALIDATORS), '--data-dir', dataDir, '--rpc-port', String(base), '--log-level', 'warn', ...devnetArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const restarted: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(restarted.map(stopChild));
    await stopChild(devnet);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(devnet, /Press Ctrl-C to stop/, SYNOD_START_TIMEOUT_MS, 'synod devnet');
    discardOutput(devnet);
    const endpoints = Array.from({ length: SYNOD_VALIDATORS }, (_, i) => `http://127.0.0.1:${base + i}`);
    const client = new HttpRpcClient(endpoints[0]);
    const chainId = BigInt(await client.call<string>('eth_chainId'));
    const version = await client.call<string>('web3_clientVersion').catch(() => 'synod');
    client.close();
    await fundSenders(endpoints[0], chainId, senders);
    return { name: 'synod', version: `${version} (${SYNOD_VALIDATORS} validators)`, chainId, endpoints, wsEndpoint: `ws://127.0.0.1:${base}`, faults: faultControl(dataDir, endpoints, restarted), validators: validatorProbe(dataDir, endpoints), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
