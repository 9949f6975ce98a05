// JSON-RPC dispatch (src/rpc/dispatch.ts) under random JSON, deep nesting, huge arrays, wrong
// types and batch edge cases, and the cases the fuzzing found.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dispatcher, MAX_BATCH_LENGTH } from '../../src/rpc/dispatch.js';
import { FilterManager } from '../../src/rpc/filters.js';
import { MethodContext } from '../../src/rpc/methods/context.js';
import { METHODS } from '../../src/rpc/methods/index.js';
import { describe } from '../../src/rpc/params.js';
import { MemoryBackend } from '../rpc/memory-backend.js';
import { testTargets } from './register.js';
import { RPC_TARGETS } from './targets/rpc-dispatch.js';

testTargets(RPC_TARGETS);

function dispatcher(): Dispatcher {
  const backend = new MemoryBackend();
  return new Dispatcher(new MethodContext(backend, new FilterManager(backend, { nowMs: () => 0 })), { methods: METHODS, maxBatchLength: MAX_BATCH_LENGTH });
}

// Found by fuzzing: the error message quoted the parameter through JSON.stringify, which
// overflowed the stack on deep input and answered -32603 "Maximum call stack size exceeded".
test('a parameter nested 100,000 deep is invalid params, quoted in 80 characters', async () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  for (const method of ['eth_getTransactionByHash', 'eth_getBalance', 'eth_getLogs', 'eth_call']) {
    const answer = JSON.parse((await dispatcher().handle(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":[${deep}]}`, { client: 'test' }))!);
    assert.equal(answer.error.code, -32602, `${method}: ${answer.error.message}`);
    assert.match(answer.error.message, /^invalid argument 0: .*\[\[\[\[\[\.\.\.$/);
    assert.ok(answer.error.message.length < 200);
  }
});

test('describe quotes ordinary values exactly as JSON, cut to 80 characters', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const text = JSON.stringify(value);
      assert.equal(describe(value), text.length > 80 ? `${text.slice(0, 77)}...` : text);
    }),
    { numRuns: 500 },
  );
  assert.equal(describe(undefined), 'undefined');
  assert.equal(describe(12n), '12');
});
