// JSON-RPC dispatch (src/rpc/dispatch.ts) over the real method table and the in-memory backend:
// any text in gives nothing (notifications only) or a well-formed JSON-RPC answer: one response
// per request that is due one, in order, ids echoed, exactly one of result and error, an error
// code from the standard set, and never an "internal error" for what was only bad input.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { privateKeyToAccount } from 'viem/accounts';
import { Dispatcher, MAX_BATCH_LENGTH } from '../../../src/rpc/dispatch.js';
import { RpcErrorCode } from '../../../src/rpc/errors.js';
import { FilterManager } from '../../../src/rpc/filters.js';
import { MethodContext, type Session } from '../../../src/rpc/methods/context.js';
import { METHODS } from '../../../src/rpc/methods/index.js';
import { SubscriptionHub } from '../../../src/rpc/subscriptions.js';
import { COUNTER, DEV_ADDRESSES, DEV_KEYS, EMITTER, MemoryBackend } from '../../rpc/memory-backend.js';
import type { FuzzTarget } from '../harness.js';

const STANDARD_CODES = new Set<number>(Object.values(RpcErrorCode));
/** An answer may outgrow its request (a block, a receipt list) but not without bound. */
const ANSWER_GROWTH_MAX = 64;
const ANSWER_SLACK_BYTES = 1 << 20;

/** A backend with a few blocks, a log and a pending-free state, built once per target. */
async function seededBackend(): Promise<MemoryBackend> {
  const backend = new MemoryBackend();
  const account = privateKeyToAccount(DEV_KEYS[0]!);
  for (let nonce = 0; nonce < 3; nonce++) {
    const raw = await account.signTransaction({ to: nonce === 1 ? EMITTER : DEV_ADDRESSES[1], value: 1n, gas: 50_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n, nonce, chainId: 31337 });
    await backend.sendRawTransaction(raw);
    backend.mine();
  }
  return backend;
}

const clock = { nowMs: () => 1_000_000 };

interface Harness {
  readonly dispatcher: Dispatcher;
  readonly sessions: readonly Session[];
}

function harness(backend: MemoryBackend): Harness {
  const ctx = new MethodContext(backend, new FilterManager(backend, clock));
  const hub = new SubscriptionHub(ctx);
  const dispatcher = new Dispatcher(ctx, { methods: METHODS, maxBatchLength: MAX_BATCH_LENGTH });
  return { dispatcher, sessions: [{ client: '127.0.0.1' }, { client: '10.1.2.3', subscriptions: hub.connect(() => undefined) }] };
}

// ---------------------------------------------------------------- inputs

const METHOD_NAMES = [...METHODS.keys()];
const hexString = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((b) => `0x${Buffer.from(b).toString('hex')}`),
  fc.constantFrom('0x', '0x0', '0x00', '0x1', '0xg', '0x' + 'f'.repeat(65), '0x' + '0'.repeat(1000), 'latest', 'pending', 'earliest', 'safe', 'finalized', '', '-0x1'),
);
const address = fc.constantFrom<string>(...DEV_ADDRESSES, EMITTER, COUNTER, `0x${'00'.repeat(20)}`, '0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266');
const plausibleObject = fc.record(
  {
    from: address, to: fc.oneof(address, fc.constant(null)), data: hexString, input: hexString, value: hexString, gas: hexString, gasPrice: hexString,
    nonce: hexString, fromBlock: hexString, toBlock: hexString, blockHash: hexString, address: fc.oneof(address, fc.array(address, { maxLength: 3 })),
    topics: fc.array(fc.oneof(hexString, fc.constant(null), fc.array(hexString, { maxLength: 2 })), { maxLength: 5 }),
    blockNumber: hexString, requireCanonical: fc.boolean(), tracer: fc.constantFrom('callTracer', 'prestateTracer', 'x'), accessList: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
/** Parameters that look right to a handler until they do not: where the bugs hide. */
const param: fc.Arbitrary<unknown> = fc.oneof(hexString, address, plausibleObject, fc.boolean(), fc.integer(), fc.double(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.array(hexString, { maxLength: 4 }));
const id = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.double(), fc.constant({}), fc.constant([1]), fc.constant(2 ** 80), fc.boolean());
const request: fc.Arbitrary<unknown> = fc.record(
  {
    jsonrpc: fc.oneof({ weight: 9, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: fc.constantFrom('1.0', 2, null, '') }),
    id,
    method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHOD_NAMES) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'eth_', 'debug_traceCall') }, { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
    params: fc.oneof({ weight: 8, arbitrary: fc.array(param, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
  },
  { requiredKeys: ['method'] },
);

function deep(open: string, close: string, depth: number, inner = ''): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: request.map((r) => JSON.stringify(r)) },
  { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: request }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 12 }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  // Valid text, then cut, or with a character changed.
  { weight: 2, arbitrary: fc.tuple(request.map((r) => JSON.stringify(r)), fc.nat(), fc.string({ maxLength: 2 })).map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s) },
  // Deep nesting, as the batch itself, inside params and as an object chain.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom(...METHOD_NAMES)).chain(([depth, method]) =>
      fc.constantFrom(
        deep('[', ']', depth),
        `{"jsonrpc":"2.0","id":1,"method":"${method}","params":[${deep('[', ']', depth)}]}`,
        `{"jsonrpc":"2.0","id":1,"method":"${method}","params":[${deep('{"a":', '}', depth, '1')}]}`,
        `{"jsonrpc":"2.0","id":${deep('[', ']', depth)},"method":"${method}"}`,
      ),
    ),
  },
  // Batch edges: empty, at and past the limit, only notifications, nested batches.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[]',
      '[[]]',
      '[[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}]]',
      JSON.stringify(Array.from({ length: MAX_BATCH_LENGTH }, (_, i) => ({ jsonrpc: '2.0', id: i, method: i % 3 ? 'eth_getBalance' : 'eth_chainId', params: [DEV_ADDRESSES[0]] }))),
      JSON.stringify(Array.from({ length: MAX_BATCH_LENGTH + 1 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' }))),
      JSON.stringify(Array.from({ length: 50 }, () => ({ jsonrpc: '2.0', method: 'eth_blockNumber' }))),
      JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ jsonrpc: '2.0', id: 7, method: i % 2 ? 'eth_chainId' : 'nope' }))),
      `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":${JSON.stringify(Array.from({ length: 100_000 }, () => '0x0'))}}`,
      `{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"address":${JSON.stringify(Array.from({ length: 100_000 }, () => DEV_ADDRESSES[0]))}}]}`,
      `{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"topics":${JSON.stringify(Array.from({ length: 1_000 }, () => [DEV_ADDRESSES[0]]))}}]}`,
    ),
  },
);

// ---------------------------------------------------------------- the contract

/** Responses the dispatcher owes for one parsed element: none for a valid notification. */
function owed(element: unknown): { readonly id: unknown } | undefined {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return { id: null };
  const r = element as Record<string, unknown>;
  const validId = r.id === null || typeof r.id === 'string' || (typeof r.id === 'number' && Number.isFinite(r.id));
  if (!('id' in r)) return r.jsonrpc === '2.0' && typeof r.method === 'string' ? undefined : { id: null };
  return { id: validId ? r.id : null };
}

function expectedAnswers(input: string): { readonly ids: readonly unknown[]; readonly batch: boolean } | 'parse-error' | 'batch-error' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return 'parse-error';
  }
  if (!Array.isArray(parsed)) {
    const one = owed(parsed);
    return { ids: one === undefined ? [] : [one.id], batch: false };
  }
  if (parsed.length === 0 || parsed.length > MAX_BATCH_LENGTH) return 'batch-error';
  return { ids: parsed.map(owed).filter((o) => o !== undefined).map((o) => o.id), batch: true };
}

function checkResponse(response: unknown, input: string): void {
  assert.ok(typeof response === 'object' && response !== null && !Array.isArray(response), 'a response is an object');
  const r = response as Record<string, unknown>;
  assert.equal(r.jsonrpc, '2.0');
  assert.ok('id' in r, 'a response carries an id');
  assert.notEqual('result' in r, 'error' in r, 'exactly one of result and error');
  if (!('error' in r)) return;
  const error = r.error as { code?: unknown; message?: unknown };
  assert.ok(Number.isInteger(error.code) && STANDARD_CODES.has(error.code as number), `error code ${String(error.code)} is not a standard one`);
  assert.ok(typeof error.message === 'string' && error.message.length > 0, 'an error has a message');
  assert.notEqual(error.code, RpcErrorCode.internal, `bad input answered as an internal error: ${error.message as string} (input ${input.slice(0, 300)})`);
}

export const RPC_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'rpc/dispatch',
    property: (tick) => {
      const backend = seededBackend();
      return fc.asyncProperty(text, fc.nat({ max: 1 }), async (input, sessionIndex) => {
        tick();
        const { dispatcher, sessions } = harness(await backend);
        const answer = await dispatcher.handle(input, sessions[sessionIndex]!);
        const expected = expectedAnswers(input);
        if (answer === undefined) {
          assert.ok(typeof expected === 'object' && expected.ids.length === 0, `no answer to ${input.slice(0, 200)}`);
          return true;
        }
        assert.ok(answer.length <= ANSWER_GROWTH_MAX * input.length + ANSWER_SLACK_BYTES, `an answer of ${answer.length} bytes to ${input.length}`);
        const parsed: unknown = JSON.parse(answer);
        if (expected === 'parse-error' || expected === 'batch-error') {
          assert.ok(!Array.isArray(parsed));
          assert.equal((parsed as { error?: { code?: number } }).error?.code, expected === 'parse-error' ? RpcErrorCode.parseError : RpcErrorCode.invalidRequest);
          checkResponse(parsed, input);
          return true;
        }
        const responses = expected.batch ? parsed : [parsed];
        assert.ok(Array.isArray(responses), 'a batch is answered with an array');
        assert.deepEqual(responses.map((r) => (r as { id: unknown }).id), expected.ids, 'one response per request due one, in order, ids echoed');
        for (const response of responses) checkResponse(response, input);
        return true;
      });
    },
  },
];
