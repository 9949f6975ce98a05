import { Session } from 'node:inspector';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeeMarket1559Tx, createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex, privateToAddress } from '@ethereumjs/util';
import { uintToBytes } from '../src/crypto/bytes.js';
import { createExecutionEngine, createChainCommon } from '../src/execution/engine.js';
import { transactionHash } from '../src/execution/admission.js';
import { openChainStore } from '../src/storage/lmdb-store.js';
const N = 500, B = Number(process.argv[2] ?? 8), hint = process.argv[3] === 'hint';
const common = createChainCommon(31337n);
const key = (i: number) => uintToBytes(BigInt(i + 1) * 0x1_0000_0001n, 32);
const blocks: Uint8Array[][] = [];
const senders = new Map<string, any>();
for (let b = 0; b < B; b++) { const blk: Uint8Array[] = []; for (let i = 0; i < N; i++) { const to = bytesToHex(privateToAddress(key((i + 1) % N))); blk.push(createFeeMarket1559Tx({ chainId: 31337n, nonce: BigInt(b), maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, gasLimit: 21000n, to, value: 1n }, { common }).sign(key(i)).serialize()); } blocks.push(blk); }
if (hint) for (const blk of blocks) for (const raw of blk) senders.set(transactionHash(raw), createTxFromRLP(raw, { common }).getSenderAddress().toString());
const alloc: any = {}; for (let i = 0; i < N; i++) alloc[bytesToHex(privateToAddress(key(i)))] = { balance: 10n ** 24n };
const dir = mkdtempSync(join(tmpdir(), 'jexec-'));
const store = await openChainStore(dir);
const engine = await createExecutionEngine({ store, chainId: 31337n, genesis: { alloc, timestamp: 0n, gasLimit: 60_000_000n, baseFeePerGas: 1_000_000_000n }, knownSender: hint ? (h) => senders.get(h) : undefined });
await engine.executeBlock({ height: 1n, timestampMs: 1000, transactions: blocks[0], extraData: '0x', consensus: { epoch: 0, proposers: [0] } });
const s = new Session(); s.connect(); s.post('Profiler.enable'); s.post('Profiler.setSamplingInterval', { interval: 200 }); s.post('Profiler.start');
const cpu = process.cpuUsage();
for (let b = 1; b < B; b++) { const r = await engine.executeBlock({ height: BigInt(b + 1), timestampMs: (b + 1) * 1000, transactions: blocks[b], extraData: '0x', consensus: { epoch: 0, proposers: [0] } }); if (r.skipped.length) throw new Error(r.skipped[0].reason); }
const c = process.cpuUsage(cpu);
s.post('Profiler.stop', (e, r) => writeFileSync(`/tmp/prof/exec-${hint ? 'hint' : 'plain'}.cpuprofile`, JSON.stringify(r.profile)));
console.log(`${hint ? 'hint' : 'plain'}: ${((B - 1) * N / ((c.user + c.system) / 1e6)).toFixed(0)} tx/s by CPU`);
await store.close(); rmSync(dir, { recursive: true, force: true });
