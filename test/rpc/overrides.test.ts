// Parsing of geth's state and block overrides, debug trace options and eth_simulateV1 requests:
// every malformed one is -32602 with a message naming what to fix, and well-formed ones decode.
import test from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../src/rpc/errors.js';
import { MAX_OVERRIDE_ACCOUNTS, MAX_OVERRIDE_CODE_BYTES, MAX_OVERRIDE_SLOTS, parseBlockOverrides, parseCallOverrides, parseStateOverrides } from '../../src/rpc/overrides.js';
import { parseTraceOptions } from '../../src/rpc/methods/debug.js';
import { startHarness } from './helpers.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000Bb';
const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof RpcError && e.code === -32602 && pattern.test(e.message), `expected -32602 matching ${pattern}`);
}

test('state overrides decode: balance, nonce, code, state, stateDiff; addresses lowercased; short slots padded', () => {
  const parsed = parseStateOverrides({ [B]: { balance: '0x10', nonce: '0x2', code: '0x6000', stateDiff: { '0x1': '0x2' } }, [A]: { state: { [word(3)]: word(4) } } }, 2)!;
  assert.deepEqual(parsed[B.toLowerCase() as `0x${string}`], { balance: 16n, nonce: 2n, code: '0x6000', stateDiff: { [word(1)]: word(2) } });
  assert.deepEqual(parsed[A], { state: { [word(3)]: word(4) } });
  assert.equal(parseStateOverrides(null, 2), undefined);
  assert.equal(parseCallOverrides(undefined, undefined), undefined);
  assert.deepEqual(parseBlockOverrides({ number: '0x5', time: '0x64', gasLimit: '0x1c9c380', feeRecipient: A, prevRandao: word(9), baseFeePerGas: '0x0', blobBaseFee: '0x1' }, 3), {
    number: 5n, time: 100n, gasLimit: 30_000_000n, feeRecipient: A, prevRandao: word(9), baseFeePerGas: 0n, blobBaseFee: 1n,
  });
});

test('bad overrides are -32602 with what to fix', () => {
  refused(() => parseStateOverrides({ [A]: { state: {}, stateDiff: {} } }, 2), new RegExp(`^invalid argument 2: account ${A} has both 'state' and 'stateDiff'$`));
  refused(() => parseStateOverrides([], 2), /state overrides must be an object/);
  refused(() => parseStateOverrides({ '0x12': {} }, 2), /state override address must be a 20-byte/);
  refused(() => parseStateOverrides({ [A]: { balance: 5 } }, 2), /balance of .* must be a 0x-prefixed hex number/);
  refused(() => parseStateOverrides({ [A]: { nonce: `0x1${'0'.repeat(16)}` } }, 2), /nonce of .* exceeds 64 bits/);
  refused(() => parseStateOverrides({ [A]: { code: '0x123' } }, 2), /code of .* even number of digits/);
  refused(() => parseStateOverrides({ [A]: { code: `0x${'00'.repeat(MAX_OVERRIDE_CODE_BYTES + 1)}` } }, 2), /larger than/);
  refused(() => parseStateOverrides({ [A]: { stateDiff: { [`0x${'1'.repeat(65)}`]: '0x1' } } }, 2), /storage slot must be/);
  refused(() => parseStateOverrides({ [A]: { balanse: '0x1' } }, 2), /has no field "balanse": use balance, nonce/);
  refused(() => parseStateOverrides({ [A]: { movePrecompileToAddress: B } }, 2), /movePrecompileToAddress is not supported/);
  refused(() => parseStateOverrides({ [A]: {}, [A.toUpperCase().replace('0X', '0x')]: {} }, 2), /overridden twice/);
  const many = Object.fromEntries(Array.from({ length: MAX_OVERRIDE_ACCOUNTS + 1 }, (_, i) => [`0x${i.toString(16).padStart(40, '0')}`, {}]));
  refused(() => parseStateOverrides(many, 2), new RegExp(`limit ${MAX_OVERRIDE_ACCOUNTS}`));
  const slots = Object.fromEntries(Array.from({ length: MAX_OVERRIDE_SLOTS + 1 }, (_, i) => [word(i), word(1)]));
  refused(() => parseStateOverrides({ [A]: { stateDiff: slots } }, 2), new RegExp(`more than ${MAX_OVERRIDE_SLOTS} storage slots`));
  refused(() => parseBlockOverrides({ number: 5 }, 3), /^invalid argument 3: block overrides number must be a 0x-prefixed/);
  refused(() => parseBlockOverrides({ withdrawals: [] }, 3), /block overrides has no field "withdrawals"/);
  refused(() => parseBlockOverrides({ feeRecipient: '0x1' }, 3), /feeRecipient must be a 20-byte/);
});

test('trace options: tracers by name with their configs; unknown tracers and fields refused', () => {
  assert.deepEqual(parseTraceOptions({ tracer: 'prestateTracer', tracerConfig: { diffMode: true, disableCode: false } }, 1), { tracer: 'prestateTracer', tracerConfig: { diffMode: true, disableCode: false } });
  assert.deepEqual(parseTraceOptions({ tracer: '4byteTracer' }, 1), { tracer: '4byteTracer', tracerConfig: {} });
  assert.deepEqual(parseTraceOptions({ enableMemory: true, limit: 5 }, 1), { enableMemory: true, limit: 5 });
  refused(() => parseTraceOptions({ tracer: 'flatCallTracer' }, 1), /tracer "flatCallTracer" is not supported by this node: omit "tracer"/);
  refused(() => parseTraceOptions({ tracer: 'prestateTracer', tracerConfig: { diffMode: 'yes' } }, 1), /tracerConfig.diffMode must be true or false/);
  assert.deepEqual(parseTraceOptions({ disableMemory: true, timeout: '10s' }, 1), {}, 'fields geth no longer reads are ignored, as geth does');
});

test('over the server: eth_call takes overrides, eth_simulateV1 refuses bad requests with geth\'s codes', async () => {
  const h = await startHarness();
  try {
    const bad = await h.rpc('eth_call', [{ to: A }, 'latest', { [A]: { state: { '0x1': 'zz' } } }]);
    assert.equal(bad.error.code, -32602);
    assert.match(bad.error.message, /^invalid argument 2: storage slot must be/);
    const badBlock = await h.rpc('eth_estimateGas', [{ to: A }, 'latest', null, { time: 'soon' }]);
    assert.equal(badBlock.error.code, -32602);
    assert.match(badBlock.error.message, /^invalid argument 3: block overrides time/);
    const empty = await h.rpc('eth_simulateV1', [{ blockStateCalls: [] }, 'latest']);
    assert.equal(empty.error.code, -32602);
    assert.match(empty.error.message, /empty input/);
    const tooMany = await h.rpc('eth_simulateV1', [{ blockStateCalls: Array.from({ length: 257 }, () => ({ calls: [] })) }]);
    assert.equal(tooMany.error.code, -38026);
    assert.equal(tooMany.error.message, 'too many blocks');
  } finally {
    await h.close();
  }
});
