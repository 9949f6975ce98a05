// Exact shapes: the key sets geth returns for blocks, each transaction type and receipts, and
// the encodings of quantities and revert reasons.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeAbiParameters } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { decodeRevertReason } from '../../src/rpc/revert.js';
import { formatBlock, formatReceipt, TransactionFormatter } from '../../src/rpc/format.js';
import { parseQuantity, parseSlot, quantity } from '../../src/rpc/params.js';
import { logMatches } from '../../src/rpc/logs.js';
import type { Hex, LogRecord } from '../../src/chain/types.js';
import { DEV_ADDRESSES, DEV_KEYS, MemoryBackend, naiveMatch } from './memory-backend.js';

const sorted = (o: object) => Object.keys(o).sort();
const BASE_TX_KEYS = ['blockHash', 'blockNumber', 'from', 'gas', 'gasPrice', 'hash', 'input', 'nonce', 'r', 's', 'to', 'transactionIndex', 'type', 'v', 'value'];

test('block objects carry every geth field, hex quantities without leading zeros', () => {
  const block = new MemoryBackend().getBlockByNumber(0n)!;
  const json = formatBlock(block, []);
  assert.deepEqual(sorted(json), [
    'baseFeePerGas', 'blobGasUsed', 'difficulty', 'excessBlobGas', 'extraData', 'gasLimit', 'gasUsed', 'hash', 'logsBloom',
    'miner', 'mixHash', 'nonce', 'number', 'parentBeaconBlockRoot', 'parentHash', 'receiptsRoot', 'requestsHash',
    'sha3Uncles', 'size', 'stateRoot', 'timestamp', 'totalDifficulty', 'transactions', 'transactionsRoot', 'uncles',
    'withdrawals', 'withdrawalsRoot',
  ]);
  assert.equal(json.number, '0x0');
  assert.equal(json.gasLimit, '0x1c9c380');
  assert.deepEqual(json.withdrawals, []);
});

test('transactions of each type have geth\'s exact key set and values', async () => {
  const formatter = new TransactionFormatter(31337n);
  const account = privateKeyToAccount(DEV_KEYS[0]!);
  const common = { to: DEV_ADDRESSES[1]!, value: 5n, gas: 21_000n, nonce: 7 } as const;
  const record = (raw: Hex) => ({ hash: `0x${'ab'.repeat(32)}` as Hex, raw, from: DEV_ADDRESSES[0]!, blockNumber: 3n, blockHash: `0x${'cd'.repeat(32)}` as Hex, transactionIndex: 1 });
  const legacy = formatter.formatMined(record(await account.signTransaction({ ...common, gasPrice: 9n, chainId: 31337 })), 1n);
  assert.deepEqual(sorted(legacy), [...BASE_TX_KEYS, 'chainId'].sort());
  assert.ok(['0xf4f5', '0xf4f6'].includes(legacy.v as string), 'v = chainId * 2 + 35 or 36');
  assert.equal(legacy.gasPrice, '0x9');
  const unprotected = formatter.formatMined(record(await account.signTransaction({ ...common, gasPrice: 9n })), 1n);
  assert.deepEqual(sorted(unprotected), [...BASE_TX_KEYS].sort(), 'no chainId without EIP-155');
  const accessList = formatter.formatMined(record(await account.signTransaction({ ...common, type: 'eip2930', gasPrice: 9n, chainId: 31337, accessList: [] })), 1n);
  assert.deepEqual(sorted(accessList), [...BASE_TX_KEYS, 'accessList', 'chainId', 'yParity'].sort());
  assert.equal(accessList.v, accessList.yParity);
  const dynamic = formatter.formatMined(record(await account.signTransaction({ ...common, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, chainId: 31337 })), 50n);
  assert.deepEqual(sorted(dynamic), [...BASE_TX_KEYS, 'accessList', 'chainId', 'maxFeePerGas', 'maxPriorityFeePerGas', 'yParity'].sort());
  assert.equal(dynamic.gasPrice, '0x34', 'effective price = base fee 50 + tip 2');
  assert.equal(dynamic.nonce, '0x7');
  assert.equal(dynamic.transactionIndex, '0x1');
  const pending = formatter.formatPending({ hash: `0x${'ab'.repeat(32)}`, raw: await account.signTransaction({ ...common, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, chainId: 31337 }), from: DEV_ADDRESSES[0]! });
  assert.equal(pending.blockHash, null);
  assert.equal(pending.gasPrice, '0x64', 'pending reports the fee cap');
  const create = formatter.formatMined(record(await account.signTransaction({ data: '0x6000', gas: 60_000n, gasPrice: 1n, nonce: 0, chainId: 31337 })), 1n);
  assert.equal(create.to, null);
});

test('receipts have geth\'s key set', () => {
  const receipt = formatReceipt({
    transactionHash: `0x${'01'.repeat(32)}`, transactionIndex: 0, blockHash: `0x${'02'.repeat(32)}`, blockNumber: 1n,
    from: DEV_ADDRESSES[0]!, to: null, contractAddress: DEV_ADDRESSES[1]!, cumulativeGasUsed: 21_000n, gasUsed: 21_000n,
    effectiveGasPrice: 7n, status: 1, type: 2, logs: [], logsBloom: `0x${'00'.repeat(256)}`,
  });
  assert.deepEqual(sorted(receipt), ['blockHash', 'blockNumber', 'contractAddress', 'cumulativeGasUsed', 'effectiveGasPrice', 'from', 'gasUsed', 'logs', 'logsBloom', 'status', 'to', 'transactionHash', 'transactionIndex', 'type']);
  assert.equal(receipt.status, '0x1');
  assert.equal(receipt.type, '0x2');
});

test('quantities round-trip and refuse leading zeros, missing prefix and more than 256 bits', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => parseQuantity(quantity(n), 0) === n));
  for (const bad of ['0x', '0x01', '12', '0xg', 1, null, `0x1${'0'.repeat(64)}`]) assert.throws(() => parseQuantity(bad, 0), /invalid argument 0/);
  assert.equal(parseSlot('0x1', 1), `0x${'1'.padStart(64, '0')}`);
});

test('revert reasons: Error(string), Panic(uint256), and anything else undecoded', () => {
  const error = `0x08c379a0${encodeAbiParameters([{ type: 'string' }], ['nope ✓']).slice(2)}` as Hex;
  assert.equal(decodeRevertReason(error), 'nope ✓');
  assert.equal(decodeRevertReason(`0x4e487b71${encodeAbiParameters([{ type: 'uint256' }], [1n]).slice(2)}`), 'assert(false)');
  assert.equal(decodeRevertReason('0x'), undefined);
  assert.equal(decodeRevertReason('0x08c379a0ffff'), undefined, 'truncated');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    decodeRevertReason(`0x08c379a0${Buffer.from(bytes).toString('hex')}`); // never throws on garbage
  }));
});

test('log matching agrees with a naive matcher on random logs and filters', () => {
  const pool: Hex[] = ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32), '0x' + '03'.repeat(32)] as Hex[];
  const addresses: Hex[] = ['0x' + '0a'.repeat(20), '0x' + '0b'.repeat(20)] as Hex[];
  const topic = fc.constantFrom(...pool);
  const position = fc.oneof(fc.constant(null), topic, fc.array(topic, { minLength: 1, maxLength: 3 }));
  fc.assert(fc.property(
    fc.constantFrom(...addresses), fc.array(topic, { maxLength: 4 }),
    fc.option(fc.array(fc.constantFrom(...addresses), { maxLength: 2 }), { nil: undefined }), fc.array(position, { maxLength: 4 }),
    (address, topics, filterAddresses, filterTopics) => {
      const log: LogRecord = { address, topics, data: '0x', blockNumber: 1n, blockHash: pool[0]!, transactionHash: pool[0]!, transactionIndex: 0, logIndex: 0, removed: false };
      const criteria = { addresses: filterAddresses, topics: filterTopics };
      return logMatches(log, criteria) === naiveMatch(log, criteria);
    },
  ), { numRuns: 2000 });
});
