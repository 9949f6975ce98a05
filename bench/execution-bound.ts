// Single-core execution bound: a workload's pre-signed transactions through the node's own
// execution engine (decode, native sender recovery, EVM, state tries, receipts, lmdb commit) in
// blocks of BLOCK_TRANSACTIONS, on a temporary data dir. The workload's setup (an ERC-20
// deployment and its mints) runs through the same engine first. Prints the median rate over
// the blocks, by wall clock and by this process's CPU time.
// Run: node --import tsx bench/execution-bound.ts [--workload transfer|erc20] [txCount]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Hex } from '../src/chain/types.js';
import { fromHex } from '../src/crypto/bytes.js';
import { createExecutionEngine, type ExecutionEngine } from '../src/execution/engine.js';
import { DEFAULT_BASE_FEE_PER_GAS_WEI, DEFAULT_BLOCK_GAS_LIMIT } from '../src/execution/limits.js';
import { openChainStore } from '../src/storage/lmdb-store.js';
import { benchAccounts, benchDeployer } from './tx/accounts.js';
import { WORKLOADS, workloadByName } from './workloads/index.js';
import type { SetupChain, Workload, WorkloadContext } from './workloads/types.js';

/** Transactions per block; each block holds one transaction of each of as many senders. */
export const BLOCK_TRANSACTIONS = 500;
const CHAIN_ID = 31337n;
const DEFAULT_TX_COUNT = 5_000;
const SENDER_BALANCE_WEI = 10n ** 24n;
/** Above the base fee: every transaction pays it and a tip. */
const GAS_PRICE_WEI = 2n * DEFAULT_BASE_FEE_PER_GAS_WEI;

export interface ExecutionRate {
  readonly workload: string;
  readonly txPerSecond: number;
  readonly blocks: number;
  readonly perBlockTxPerSecond: number[];
  /** Rate by CPU time of this process (user + system): the bound without other load on the machine. */
  readonly cpuTxPerSecond: number;
  /** Gas used per measured transaction (21,000 for a transfer): which workload really ran. */
  readonly gasPerTx: number;
}

/** Setup transactions run as blocks of the engine under test; each must apply and succeed. */
class EngineChain implements SetupChain {
  timestampMs = 1_000;
  constructor(private readonly engine: ExecutionEngine) {}

  async submitAndConfirm(raws: readonly Hex[]): Promise<void> {
    const { receipts, skipped } = await this.block(raws.map(fromHex));
    if (skipped.length > 0) throw new Error(`bound setup transaction skipped: ${skipped[0].reason}`);
    if (receipts.some((r) => r.status !== 1)) throw new Error('bound setup transaction reverted');
  }

  block(transactions: Uint8Array[]) {
    const height = this.engine.head().number + 1n;
    this.timestampMs += 1_000;
    return this.engine.executeBlock({ height, timestampMs: this.timestampMs, transactions, extraData: '0x', consensus: { epoch: 0, proposers: [0] } });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measureExecutionRate(options: { workload: string | Workload; txCount: number }): Promise<ExecutionRate> {
  const workload = typeof options.workload === 'string' ? workloadByName(options.workload) : options.workload;
  if (workload === undefined) throw new Error(`unknown workload ${String(options.workload)}: one of ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const senders = benchAccounts(Math.min(BLOCK_TRANSACTIONS, options.txCount));
  const deployer = benchDeployer();
  const alloc: Record<Hex, { balance: bigint }> = {};
  for (const a of [...senders, deployer]) alloc[a.addressHex] = { balance: SENDER_BALANCE_WEI };
  const dir = mkdtempSync(join(tmpdir(), 'synod-exec-bench-'));
  const store = await openChainStore(dir);
  try {
    const genesis = { alloc, timestamp: 0n, gasLimit: DEFAULT_BLOCK_GAS_LIMIT, baseFeePerGas: DEFAULT_BASE_FEE_PER_GAS_WEI };
    const engine = await createExecutionEngine({ store, chainId: CHAIN_ID, genesis });
    const chain = new EngineChain(engine);
    const ctx: WorkloadContext = { chainId: CHAIN_ID, senders, nonces: senders.map(() => 0n), gasPriceWei: GAS_PRICE_WEI, deployer, deployerNonce: 0n, chain, state: new Map() };
    await workload.setup(ctx);
    const raws = (await workload.buildTransactions(ctx, options.txCount)).map(fromHex);
    const rates: number[] = [];
    const cpuRates: number[] = [];
    let gas = 0n;
    for (let start = 0; start < raws.length; start += senders.length) {
      const transactions = raws.slice(start, start + senders.length);
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const result = await chain.block(transactions);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStarted);
      if (result.skipped.length > 0) throw new Error(`bench block ${result.block.number} skipped ${result.skipped.length} transactions: ${result.skipped[0].reason}`);
      gas += result.block.gasUsed;
      cpuRates.push(transactions.length / ((cpu.user + cpu.system) / 1e6));
      rates.push(transactions.length / seconds);
    }
    // The first block warms caches and JIT; leave it out when there are others.
    const warm = (values: number[]) => (values.length > 1 ? values.slice(1) : values);
    return { workload: workload.name, txPerSecond: median(warm(rates)), cpuTxPerSecond: median(warm(cpuRates)), blocks: rates.length, perBlockTxPerSecond: rates, gasPerTx: Number(gas) / raws.length };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { workload: { type: 'string', default: 'transfer' } }, allowPositionals: true });
  const txCount = Number(positionals[0] ?? DEFAULT_TX_COUNT);
  if (!Number.isInteger(txCount) || txCount < 1) throw new Error(`txCount must be a positive integer, got ${positionals[0]}`);
  const rate = await measureExecutionRate({ workload: values.workload, txCount });
  console.log(`execution bound: ${rate.txPerSecond.toFixed(0)} ${rate.workload} tx/s (median of ${rate.blocks} blocks of up to ${BLOCK_TRANSACTIONS}, one core, sender recovery included; ${rate.gasPerTx.toFixed(0)} gas/tx)`);
  console.log(`by CPU time: ${rate.cpuTxPerSecond.toFixed(0)} ${rate.workload} tx/s (what one idle core would do; lmdb's fsync runs on its own thread)`);
  console.log(`per block: ${rate.perBlockTxPerSecond.map((r) => r.toFixed(0)).join(' ')}`);
}
