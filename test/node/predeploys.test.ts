import test from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain ESM script without type declarations
import { compilePredeploy } from '../../scripts/compile-predeploys.mjs';
import { MULTICALL3_RUNTIME_BYTECODE } from '../../src/node/predeploys.js';

test('the predeployed Multicall3 bytecode is what contracts/Multicall3.sol compiles to', () => {
  assert.equal(compilePredeploy('Multicall3.sol', 'Multicall3'), MULTICALL3_RUNTIME_BYTECODE);
});
