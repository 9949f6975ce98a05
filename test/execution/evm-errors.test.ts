// EVM failures reach clients in geth's words (core/vm/errors.go), as viem, ethers and Foundry
// print and match them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gethErrorMessage } from '../../src/execution/evm-errors.js';

test("ethereumjs's halt reasons are answered in geth's words", () => {
  const cases: [string, string][] = [
    ['revert', 'execution reverted'],
    ['invalid JUMP at 0x9b42…/0x00000000000000000000000000000000000000a2:2', 'invalid jump destination'],
    ['static state change', 'write protection'],
    ['create collision', 'contract address collision'],
    ['code store out of gas', 'contract creation code storage out of gas'],
    ['code size to deposit exceeds maximum code size', 'max code size exceeded'],
    ['insufficient balance', 'insufficient balance for transfer'],
    ['initcode exceeds max initcode size', 'max initcode size exceeded'],
    ['value out of range', 'return data out of bounds'],
    ['out of gas', 'out of gas'],
    ['stack underflow', 'stack underflow'],
  ];
  for (const [ours, geths] of cases) assert.equal(gethErrorMessage(ours), geths, ours);
});
