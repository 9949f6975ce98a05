// The second peer: Anvil (Foundry's local node, npm `@foundry-rs/anvil`, whose per-platform
// package ships the binary) in automine, started as a child process, with the benchmark senders
// funded by anvil_setBalance before the first phase. One setting differs from its defaults: the
// block gas limit. Under a closed loop Anvil mines every pending transaction into one block;
// beyond half its default 30M gas limit (about 714 transfers) EIP-1559 raises the base fee by
// 12.5% a block, and within a few seconds it passes the bench's fixed gas price and nothing is
// mined any more. With ANVIL_BLOCK_GAS_LIMIT no bench block reaches the target.
// Anvil 1.7.1's automine also stops after a closed-loop burst (thousands of transactions over
// 8 connections): they stay "pending" in txpool_status, no error is logged, and from then on
// not even a single new transaction is mined until `evm_mine` is called. The target's `nudge`
// calls evm_mine when a drain or a setup wait stalls; the bench counts the calls and reports
// every phase that needed one (its latency then includes the stall).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BenchError } from '../errors.js';
import { HttpRpcClient } from '../rpc/http-client.js';
import type { Account } from '../tx/accounts.js';
import { discardOutput, freePort, stopChild, waitForOutput } from './process.js';
import type { Target } from './types.js';

export const ANVIL_CHAIN_ID = 31337n;
export const ANVIL_START_TIMEOUT_MS = 30_000;
/** Balance each sender is given: far more than any run spends on gas. */
export const ANVIL_SENDER_BALANCE_WEI = 10n ** 24n;
const FUNDING_BATCH = 200;
/** Block gas limit given to Anvil: half of it (the EIP-1559 target) is above any block the bench makes. */
export const ANVIL_BLOCK_GAS_LIMIT = 1_000_000_000n;

const require = createRequire(import.meta.url);
/** Foundry's npm platform packages are named by Go-style architecture names. */
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** The anvil binary inside `@foundry-rs/anvil-<platform>-<arch>`; a clear error if it is not installed. */
export function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  try {
    const path = require.resolve(`${pkg}/bin/${name}`);
    if (existsSync(path)) return path;
  } catch {
    // reported below
  }
  throw new BenchError('TARGET_START', `anvil binary not found (package ${pkg}): run npm ci, or use --peer hardhat`);
}

export async function startAnvil(senders: readonly Account[]): Promise<Target> {
  const port = await freePort();
  const child = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(ANVIL_CHAIN_ID), '--gas-limit', String(ANVIL_BLOCK_GAS_LIMIT)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopChild(child);
  try {
    await waitForOutput(child, /Listening on /, ANVIL_START_TIMEOUT_MS, 'anvil');
    discardOutput(child);
    const http = `http://127.0.0.1:${port}`;
    const client = new HttpRpcClient(http);
    try {
      const clientVersion = await client.call<string>('web3_clientVersion');
      for (let k = 0; k < senders.length; k += FUNDING_BATCH) {
        const answers = await client.batch(senders.slice(k, k + FUNDING_BATCH).map((s) => ({ method: 'anvil_setBalance', params: [s.addressHex, `0x${ANVIL_SENDER_BALANCE_WEI.toString(16)}`] })));
        const failed = answers.find((a) => !a.ok);
        if (failed !== undefined && !failed.ok) throw new BenchError('SETUP_FAILED', `anvil_setBalance failed: ${failed.error.message}`);
      }
      const version = /anvil\/v?([^/\s]+)/.exec(clientVersion)?.[1] ?? clientVersion;
      const nudge = async () => {
        const mine = new HttpRpcClient(http);
        try {
          await mine.call('evm_mine');
        } finally {
          mine.close();
        }
      };
      return { name: 'anvil', version: `${version} (automine)`, chainId: ANVIL_CHAIN_ID, endpoints: [http], wsEndpoint: `ws://127.0.0.1:${port}`, nudge, stop };
    } finally {
      client.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
