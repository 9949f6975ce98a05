// The execution bound runs the workload it is asked for through the node's engine: an ERC-20
// bound that measured plain transfers would make "saturation vs bound" meaningless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureExecutionRate } from '../../bench/execution-bound.js';
import { measureBound, ENGINE_METHOD } from '../../bench/bound/index.js';
import { erc20Workload } from '../../bench/workloads/erc20.js';

test('the erc20 bound executes ERC-20 transfers (deployed and minted through the engine), the transfer bound plain transfers', async () => {
  const erc20 = await measureExecutionRate({ workload: 'erc20', txCount: 60 });
  assert.equal(erc20.workload, 'erc20');
  assert.ok(erc20.gasPerTx > 25_000 && erc20.gasPerTx < 80_000, `an ERC-20 transfer uses about 30-50k gas, got ${erc20.gasPerTx}`);
  const transfer = await measureExecutionRate({ workload: 'transfer', txCount: 60 });
  assert.equal(transfer.gasPerTx, 21_000);
  assert.ok(transfer.txPerSecond > 0 && transfer.cpuTxPerSecond > 0);
  await assert.rejects(measureExecutionRate({ workload: 'lending', txCount: 10 }), /unknown workload lending/);
});

test('the report\'s bound for a workload comes from the node\'s execution path', async () => {
  const bound = await measureBound(erc20Workload, 40, 40, 4);
  assert.equal(bound.method, ENGINE_METHOD);
  assert.equal(bound.note, undefined);
  assert.ok(bound.clusterBoundTps > 0);
});
