// The bound as the report uses it: the execution engineer's measureExecutionRate from
// bench/execution-bound.ts when it exists (the node's own execution path), otherwise
// @ethereumjs/vm measured here (evm-bound.ts). Both count decode, recovery and execution.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Workload } from '../workloads/types.js';
import { clusterBound, measureEvmRate, type BoundFigures } from './evm-bound.js';

type MeasureExecutionRate = (opts: { workload: string; txCount: number }) => Promise<{ txPerSecond: number }>;

const EXTERNAL = fileURLToPath(new URL('../execution-bound.ts', import.meta.url));

async function externalMeasure(): Promise<MeasureExecutionRate | undefined> {
  if (!existsSync(EXTERNAL)) return undefined;
  // A computed specifier: the file may not exist yet, and tsc must not require it.
  const mod = (await import(pathToFileURL(EXTERNAL).href)) as { measureExecutionRate?: MeasureExecutionRate };
  return mod.measureExecutionRate;
}

export async function measureBound(workload: Workload, txCount: number, senderCount: number, validators: number): Promise<BoundFigures> {
  const cores = availableParallelism();
  const external = await externalMeasure().catch(() => undefined);
  let rate: number;
  let method: string;
  if (external) {
    try {
      rate = (await external({ workload: workload.name, txCount })).txPerSecond;
      method = 'bench/execution-bound.ts (the node execution path)';
    } catch {
      rate = await measureEvmRate(workload, txCount, senderCount);
      method = '@ethereumjs/vm runTx over a Merkle state (bench/bound/evm-bound.ts)';
    }
  } else {
    rate = await measureEvmRate(workload, txCount, senderCount);
    method = '@ethereumjs/vm runTx over a Merkle state (bench/bound/evm-bound.ts)';
  }
  return { singleCoreTps: rate, clusterBoundTps: clusterBound(rate, validators, cores), cores, validators, txCount, method };
}
