// Hardhat's and Anvil's development methods: mining on demand answers "0x0" once the block is
// final; the methods a BFT chain cannot honour answer -32601 naming `anvil --fork-url`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RPC_API } from '../../src/rpc/index.js';
import { startHarness, type Harness } from './helpers.js';
import { DEV_ADDRESSES, DEV_KEYS } from './memory-backend.js';

describe('development methods', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ unlockedKeys: DEV_KEYS });
  });
  after(async () => h.close());
  const head = async () => BigInt((await h.rpc('eth_blockNumber')).result as string);

  test('evm_mine finalizes a block with the pooled transactions and answers 0x0', async () => {
    h.backend.automine = false;
    try {
      const hash = (await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[1], value: '0x1' }])).result;
      const before = await head();
      assert.equal((await h.rpc('eth_getTransactionReceipt', [hash])).result, null);
      assert.deepEqual((await h.rpc('evm_mine')).result, '0x0');
      assert.equal(await head(), before + 1n);
      assert.equal((await h.rpc('eth_getTransactionReceipt', [hash])).result.blockNumber, `0x${(before + 1n).toString(16)}`);
      assert.equal((await h.rpc('evm_mine', [])).result, '0x0');
      assert.equal(await head(), before + 2n);
    } finally {
      h.backend.automine = true;
    }
  });

  test('anvil_mine and hardhat_mine take a block count (hex or number); an interval or timestamp is refused', async () => {
    const before = await head();
    assert.equal((await h.rpc('anvil_mine', ['0x3'])).result, '0x0');
    assert.equal((await h.rpc('hardhat_mine', [2])).result, '0x0');
    assert.equal((await h.rpc('anvil_mine')).result, '0x0');
    assert.equal(await head(), before + 6n);
    for (const [method, params] of [['anvil_mine', ['0x2', '0xc']], ['evm_mine', ['0x65000000']]] as const) {
      const error = (await h.rpc(method, [...params])).error;
      assert.equal(error.code, -32601);
      assert.match(error.message, /anvil --fork-url/);
    }
    assert.equal((await h.rpc('anvil_mine', ['0x1000000'])).error.code, -32602);
    assert.equal(await head(), before + 6n, 'a refused call mines nothing');
  });

  test('time travel, snapshots, state edits and impersonation answer -32601 with the alternative', async () => {
    const calls: [string, unknown[]][] = [
      ['evm_increaseTime', [60]],
      ['evm_setNextBlockTimestamp', ['0x70000000']],
      ['evm_snapshot', []],
      ['evm_revert', ['0x1']],
      ['hardhat_setBalance', [DEV_ADDRESSES[0], '0x1']],
      ['anvil_setBalance', [DEV_ADDRESSES[0], '0x1']],
      ['anvil_setCode', [DEV_ADDRESSES[0], '0x00']],
      ['hardhat_setStorageAt', [DEV_ADDRESSES[0], '0x0', `0x${'00'.repeat(32)}`]],
      ['anvil_setNonce', [DEV_ADDRESSES[0], '0x5']],
      ['anvil_impersonateAccount', [DEV_ADDRESSES[0]]],
      ['hardhat_impersonateAccount', [DEV_ADDRESSES[0]]],
      ['anvil_reset', []],
    ];
    for (const [method, params] of calls) {
      const { error } = await h.rpc(method, params);
      assert.equal(error.code, -32601, method);
      assert.match(error.message, new RegExp(`^${method} is not supported by Synod: .+\\. For this, run \`anvil --fork-url <this RPC URL>\``), method);
    }
  });
});

test('outside the devnet namespaces they do not exist', async () => {
  const h = await startHarness({ api: DEFAULT_RPC_API });
  try {
    assert.deepEqual((await h.rpc('evm_mine')).error, { code: -32601, message: 'the method evm_mine does not exist/is not available' });
  } finally {
    await h.close();
  }
});
