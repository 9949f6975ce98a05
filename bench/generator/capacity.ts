// The generator's own ceiling: the same lanes, batches and pre-signed transactions sent to
// the instant node, which answers at once. If a target's figure comes near this, the target
// was not the bottleneck and the figure says nothing about it. The instant node shares this
// process (and its event loop), so the figure is a lower bound on the generator's capacity.
import { startInstantNode } from '../rpc/instant-node.js';
import { benchAccounts, benchDeployer, type Hex } from '../tx/accounts.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { transferWorkload } from '../workloads/transfer.js';
import type { WorkloadContext } from '../workloads/types.js';
import { runPhase, type GeneratorConfig } from './load.js';

/** Distinct signed transactions; the instant node checks nothing, so the pool is sent round and round. */
const CAPACITY_POOL_TXS = 20_000;
/** Supply ceiling: far above anything a node on this machine reaches. */
const CAPACITY_MAX_TPS = 300_000;

export interface CapacityFigures {
  readonly submissionsPerSecond: number;
  readonly lanes: number;
  readonly maxBatchTxs: number;
}

export async function measureGeneratorCapacity(durationMs: number, lanes: number, maxBatchTxs: number, senderCount: number): Promise<CapacityFigures> {
  const node = await startInstantNode();
  try {
    const senders = benchAccounts(senderCount);
    const ctx: WorkloadContext = { chainId: 31337n, senders, nonces: senders.map(() => 0n), gasPriceWei: 10n ** 10n, deployer: benchDeployer(), deployerNonce: 0n, chain: { submitAndConfirm: async () => {} }, state: new Map() };
    const pool = await transferWorkload.buildTransactions(ctx, CAPACITY_POOL_TXS);
    const count = Math.ceil((CAPACITY_MAX_TPS * durationMs) / 1000);
    const raws: Hex[] = Array.from({ length: count }, (_, i) => pool[i % pool.length]);
    const poolHashes = pool.map((r) => `0x${toHex(keccak256(fromHex(r)))}` as Hex);
    const hashes: Hex[] = Array.from({ length: count }, (_, i) => poolHashes[i % pool.length]);
    const cfg: GeneratorConfig = { endpoints: [node.httpUrl], lanesPerEndpoint: lanes, maxBatchTxs, senderCount };
    const record = await runPhase(raws, hashes, { name: 'generator capacity', mode: { kind: 'closed' }, durationMs }, cfg, () => performance.now());
    return { submissionsPerSecond: (record.sent * 1000) / Math.max(1, record.endMs - record.startMs), lanes, maxBatchTxs };
  } finally {
    await node.close();
  }
}
