// The EVM's hot-path caches (src/execution/evm-hot-paths.ts) are exact: a cached jump analysis
// still refuses a jump into PUSH data, each code gets its own analysis, and the active-EIP lookup
// follows a change of hardfork.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Hardfork } from '@ethereumjs/common';
import type { Hex } from 'viem';
import { createChainCommon } from '../../src/execution/engine.js';
import { eipLookupCached, jumpAnalysisCached, jumpAnalysisStats } from '../../src/execution/evm-hot-paths.js';
import { address, blockInput, genesisSpec, openHarness, transfer } from './helpers.js';

/** JUMP to the JUMPDEST at 4, then return 42. */
const GOOD: Hex = '0x600456fe5b602a60005260206000f3';
/** The same jump, but byte 4 (0x5b) is the data of a PUSH1: not a jump destination. */
const INTO_PUSH_DATA: Hex = '0x600456605b602a60005260206000f3';
const GOOD_AT = '0x00000000000000000000000000000000000000a1' as const;
const BAD_AT = '0x00000000000000000000000000000000000000a2' as const;

test('cached jump analyses give each call the answer of a fresh one', async () => {
  assert.equal(jumpAnalysisCached, true);
  const base = genesisSpec();
  const h = await openHarness({ ...base, alloc: { ...base.alloc, [GOOD_AT]: { balance: 0n, code: GOOD }, [BAD_AT]: { balance: 0n, code: INTO_PUSH_DATA } } });
  try {
    const before = jumpAnalysisStats();
    const calls = [];
    for (let nonce = 0n; nonce < 6n; nonce++) calls.push(transfer(0, { nonce, to: nonce % 2n === 0n ? GOOD_AT : BAD_AT, gasLimit: 100_000n }));
    const { receipts } = await h.engine.executeBlock(blockInput(h.engine, calls));
    assert.deepEqual(receipts.map((r) => r.status), [1, 0, 1, 0, 1, 0]);
    const after = jumpAnalysisStats();
    assert.ok(after.hits > before.hits, 'the same code in one block is analysed once');
    for (let i = 0; i < 3; i++) {
      assert.equal((await h.engine.call({ from: address(1), to: GOOD_AT, gas: 100_000n })).returnData, `0x${'00'.repeat(31)}2a`);
      assert.equal((await h.engine.call({ from: address(1), to: BAD_AT, gas: 100_000n })).error, 'invalid jump destination'); // geth's words
    }
  } finally {
    await h.cleanup();
  }
});

test('the active-EIP lookup follows a change of hardfork', () => {
  assert.equal(eipLookupCached, true);
  const common = createChainCommon(31337n);
  assert.equal(common.isActivatedEIP(7702), true); // Prague
  assert.equal(common.isActivatedEIP(1559), true);
  common.setHardfork(Hardfork.Cancun);
  assert.equal(common.isActivatedEIP(7702), false);
  assert.equal(common.isActivatedEIP(4844), true);
  common.setHardfork(Hardfork.Berlin);
  assert.equal(common.isActivatedEIP(1559), false);
  assert.equal(common.isActivatedEIP(2930), true);
});
