// The workloads `--workload` can name. Adding one is a file and a line here.
import type { Workload } from './types.js';
import { transferWorkload } from './transfer.js';
import { erc20Workload } from './erc20.js';
import { swapWorkload } from './swap.js';

export const WORKLOADS: readonly Workload[] = [transferWorkload, erc20Workload, swapWorkload];

export function workloadByName(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
