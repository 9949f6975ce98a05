// Prints the mempool's throughput: admissions per second of pre-signed transfers from many
// senders (decode, native sender recovery, every check, insertion), then the cost of building
// a batch from a full pool and of applying committed blocks. Figures only; no assertions.
// Run: node --import tsx bench/mempool-admission.ts [--senders 2000] [--per-sender 10]
import { parseArgs } from 'node:util';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { privateToAddress } from '@ethereumjs/util';
import { sha256 } from '../src/crypto/hash.js';
import { toHex, utf8 } from '../src/crypto/bytes.js';
import { nativeCustomCrypto } from '../src/crypto/secp256k1.js';
import type { Hex } from '../src/chain/types.js';
import { Mempool, ownerOf } from '../src/mempool/index.js';
import type { AccountState, AddResult } from '../src/mempool/index.js';

const { values } = parseArgs({ options: { senders: { type: 'string', default: '2000' }, 'per-sender': { type: 'string', default: '10' } } });
const SENDERS = Number(values.senders);
const PER_SENDER = Number(values['per-sender']);
const CHAIN_ID = 31337n;
const GWEI = 1_000_000_000n;
const COMMITTEE = 4;

const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: nativeCustomCrypto });
const accounts = new Map<Hex, AccountState>();

function presign(): Uint8Array[][] {
  const bySender: Uint8Array[][] = [];
  for (let s = 0; s < SENDERS; s++) {
    const key = sha256(utf8(`bench sender ${s}`));
    accounts.set(`0x${toHex(privateToAddress(key))}`, { nonce: 0n, balance: 10n ** 24n });
    const raws: Uint8Array[] = [];
    for (let nonce = 0; nonce < PER_SENDER; nonce++) {
      // One in four is legacy, so both decoders are exercised.
      const base = { nonce, gasLimit: 21_000n, to: `0x${'ab'.repeat(20)}` as Hex, value: 1n };
      const tx = nonce % 4 === 3
        ? createLegacyTx({ ...base, gasPrice: 2n * GWEI }, { common })
        : createFeeMarket1559Tx({ ...base, chainId: CHAIN_ID, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: BigInt(1 + (s % 7)) * GWEI }, { common });
      raws.push(tx.sign(key).serialize());
    }
    bySender.push(raws);
  }
  return bySender;
}

/** Interleaves senders (nonce 0 of everyone, then nonce 1, ...), as traffic from many wallets. */
function interleave(bySender: Uint8Array[][]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let nonce = 0; nonce < PER_SENDER; nonce++) for (const raws of bySender) out.push(raws[nonce]!);
  return out;
}

function newPool(): Mempool {
  return new Mempool({
    chainId: CHAIN_ID,
    state: { getAccount: (address) => accounts.get(address) ?? { nonce: 0n, balance: 0n } },
    blockGasLimit: 30_000_000n,
    baseFeePerGas: () => GWEI,
    committeeSize: () => COMMITTEE,
    limits: { maxPoolTransactions: Math.max(50_000, SENDERS * PER_SENDER) },
  });
}

function perSecond(count: number, ms: number): string {
  return Math.round((count / ms) * 1000).toLocaleString('en-US');
}

/** Wall time and this process's CPU time: on a shared machine the CPU figure is the fair one. */
async function admit(pool: Mempool, raws: Uint8Array[]): Promise<{ results: AddResult[]; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const results: AddResult[] = [];
  for (const raw of raws) results.push(await pool.add(raw, 'peer'));
  const used = process.cpuUsage(cpu);
  return { results, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const signStart = performance.now();
  const raws = interleave(presign());
  console.log(`pre-signed ${raws.length} transactions from ${SENDERS} senders in ${((performance.now() - signStart) / 1000).toFixed(1)} s`);

  await admit(newPool(), raws.slice(0, Math.min(2_000, raws.length))); // warm up the JIT
  const pool = newPool();
  const { results, ms, cpuMs } = await admit(pool, raws);
  console.log(`admission: ${perSecond(raws.length, ms)} tx/s wall, ${perSecond(raws.length, cpuMs)} tx per CPU-second (${raws.length} in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; native ecrecover)`);

  const batchStart = performance.now();
  const batch = pool.takeBatch({ member: 0, committeeSize: COMMITTEE, height: 1, maxTransactions: 5_000, maxBytes: 4 << 20, maxGas: 30_000_000n * 4n });
  console.log(`takeBatch over ${pool.size()} pooled from ${SENDERS} senders: ${batch.length} tx in ${(performance.now() - batchStart).toFixed(1)} ms`);

  const owned = results.filter((r) => ownerOf(r.sender, COMMITTEE) === 0 && r.nonce === 0n);
  for (const r of owned) accounts.set(r.sender, { ...accounts.get(r.sender)!, nonce: 1n });
  const commitStart = performance.now();
  await pool.onBlockCommitted(owned, 1);
  console.log(`onBlockCommitted: ${owned.length} included in ${(performance.now() - commitStart).toFixed(1)} ms; pool now ${pool.size()}`);
  console.log('stats', pool.stats());
}

await main();
