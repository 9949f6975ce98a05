// Single-core execution bound: pre-signed ETH transfers through the real execution engine
// (decode, native sender recovery, EVM, state trie, receipts, lmdb commit) in blocks of
// BLOCK_TRANSACTIONS, on a temporary data dir. Prints the median rate over the blocks.
// Run: node --import tsx bench/execution-bound.ts [txCount]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bytesToHex, privateToAddress } from '@ethereumjs/util';
import type { Hex } from '../src/chain/types.js';
import { uintToBytes } from '../src/crypto/bytes.js';
import { createExecutionEngine, createChainCommon } from '../src/execution/engine.js';
import { DEFAULT_BASE_FEE_PER_GAS_WEI, DEFAULT_BLOCK_GAS_LIMIT } from '../src/execution/limits.js';
import { openChainStore } from '../src/storage/lmdb-store.js';

const BLOCK_TRANSACTIONS = 500;
const CHAIN_ID = 31337n;
const DEFAULT_TX_COUNT = 5_000;

export interface ExecutionRate {
  readonly txPerSecond: number;
  readonly blocks: number;
  readonly perBlockTxPerSecond: number[];
  /** Rate by CPU time of this process (user + system): the bound without other load on the machine. */
  readonly cpuTxPerSecond: number;
}

function senderKey(i: number): Uint8Array {
  return uintToBytes(BigInt(i + 1) * 0x1_0000_0001n, 32);
}

/** Pre-signs one transfer per sender per block: sender i sends nonce b in block b. */
function signTransfers(txCount: number, senders: number): Uint8Array[][] {
  const common = createChainCommon(CHAIN_ID);
  const blocks: Uint8Array[][] = [];
  for (let start = 0; start < txCount; start += senders) {
    const b = blocks.length;
    const block: Uint8Array[] = [];
    for (let i = 0; i < Math.min(senders, txCount - start); i++) {
      const to = bytesToHex(privateToAddress(senderKey((i + 1) % senders)));
      const tx = createFeeMarket1559Tx(
        { chainId: CHAIN_ID, nonce: BigInt(b), maxFeePerGas: 2n * DEFAULT_BASE_FEE_PER_GAS_WEI, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to, value: 1n },
        { common },
      );
      block.push(tx.sign(senderKey(i)).serialize());
    }
    blocks.push(block);
  }
  return blocks;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measureExecutionRate(options: { workload: 'transfer'; txCount: number }): Promise<ExecutionRate> {
  const senders = Math.min(BLOCK_TRANSACTIONS, options.txCount);
  const blocks = signTransfers(options.txCount, senders);
  const alloc: Record<Hex, { balance: bigint }> = {};
  for (let i = 0; i < senders; i++) alloc[bytesToHex(privateToAddress(senderKey(i))) as Hex] = { balance: 10n ** 24n };
  const dir = mkdtempSync(join(tmpdir(), 'synod-exec-bench-'));
  const store = await openChainStore(dir);
  try {
    const genesis = { alloc, timestamp: 0n, gasLimit: DEFAULT_BLOCK_GAS_LIMIT, baseFeePerGas: DEFAULT_BASE_FEE_PER_GAS_WEI };
    const engine = await createExecutionEngine({ store, chainId: CHAIN_ID, genesis });
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (const [b, transactions] of blocks.entries()) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const result = await engine.executeBlock({ height: BigInt(b + 1), timestampMs: (b + 1) * 1000, transactions, extraData: '0x', consensus: { epoch: 0, proposers: [0] } });
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStarted);
      cpuRates.push(transactions.length / ((cpu.user + cpu.system) / 1e6));
      if (result.skipped.length > 0) throw new Error(`bench block ${b + 1} skipped ${result.skipped.length} transactions: ${result.skipped[0].reason}`);
      rates.push(transactions.length / seconds);
    }
    // The first block warms caches and JIT; leave it out when there are others.
    const warm = (values: number[]) => (values.length > 1 ? values.slice(1) : values);
    return { txPerSecond: median(warm(rates)), cpuTxPerSecond: median(warm(cpuRates)), blocks: rates.length, perBlockTxPerSecond: rates };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const txCount = Number(process.argv[2] ?? DEFAULT_TX_COUNT);
  const rate = await measureExecutionRate({ workload: 'transfer', txCount });
  console.log(`execution bound: ${rate.txPerSecond.toFixed(0)} transfers/s (median of ${rate.blocks} blocks of ${BLOCK_TRANSACTIONS}, one core, sender recovery included)`);
  console.log(`by CPU time: ${rate.cpuTxPerSecond.toFixed(0)} transfers/s (what one idle core would do; lmdb's fsync runs on its own thread)`);
  console.log(`per block: ${rate.perBlockTxPerSecond.map((r) => r.toFixed(0)).join(' ')}`);
}
