// The bound as the report uses it: bench/execution-bound.ts, the node's own execution path,
// for the workload at hand; @ethereumjs/vm measured in evm-bound.ts only if that path fails
// (the report names the method either way). Both count decode, recovery and execution.
import { availableParallelism } from 'node:os';
import { measureExecutionRate } from '../execution-bound.js';
import type { Workload } from '../workloads/types.js';
import { clusterBound, measureEvmRate, type BoundFigures } from './evm-bound.js';

export const ENGINE_METHOD = 'bench/execution-bound.ts (the node execution path)';
export const EVM_METHOD = '@ethereumjs/vm runTx over a Merkle state (bench/bound/evm-bound.ts)';

export async function measureBound(workload: Workload, txCount: number, senderCount: number, validators: number): Promise<BoundFigures & { readonly note?: string }> {
  const cores = availableParallelism();
  try {
    const rate = (await measureExecutionRate({ workload, txCount })).txPerSecond;
    return { singleCoreTps: rate, clusterBoundTps: clusterBound(rate, validators, cores), cores, validators, txCount, method: ENGINE_METHOD };
  } catch (err) {
    const rate = await measureEvmRate(workload, txCount, senderCount);
    const note = `the node's execution path failed on ${workload.name} (${err instanceof Error ? err.message : String(err)}); the bound is @ethereumjs/vm's`;
    return { singleCoreTps: rate, clusterBoundTps: clusterBound(rate, validators, cores), cores, validators, txCount, method: EVM_METHOD, note };
  }
}
