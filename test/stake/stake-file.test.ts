import test from 'node:test';
import assert from 'node:assert/strict';
import { parseStakeFile } from '../../src/stake/stake-file.js';
import { StakeError } from '../../src/stake/errors.js';

const node = (extra: object = {}) => ({ id: 'n1', stake: 100, lock: 60, ...extra });
const file = (top: object) => JSON.stringify({ T: 90, nodes: [node()], ...top });

test('stake file: defaults for form, coefficient and byzantine', () => {
  const parsed = parseStakeFile(JSON.stringify({ T: 90, nodes: [{ id: 'a', stake: 1.5, lock: 0 }] }));
  assert.deepEqual(parsed, { maxLock: 90, form: 'product', nodes: [{ id: 'a', stake: 1.5, lock: 0, coefficient: 1, byzantine: false }] });
  assert.equal(parseStakeFile(file({ form: 'normalized' })).form, 'normalized');
});

test('stake file: every bad input is a typed error naming the field', () => {
  const cases: [string, string, string][] = [
    ['{"T": 90, "nodes": [', 'MALFORMED_INPUT', 'file'],
    ['[]', 'MALFORMED_INPUT', 'file'],
    [file({ extra: 1 }), 'UNKNOWN_FIELD', 'extra'],
    [file({ nodes: [node({ stak: 1 })] }), 'UNKNOWN_FIELD', 'nodes[0].stak'],
    [file({ T: -1 }), 'INVALID_NUMBER', 'T'],
    [JSON.stringify({ nodes: [node()] }), 'MALFORMED_INPUT', 'T'],
    [file({ form: 'sum' }), 'INVALID_FORM', 'form'],
    [file({ nodes: [] }), 'MALFORMED_INPUT', 'nodes'],
    [file({ nodes: [node({ stake: -5 })] }), 'INVALID_NUMBER', 'nodes[0].stake'],
    [file({ nodes: [node({ lock: -1 })] }), 'INVALID_NUMBER', 'nodes[0].lock'],
    [file({ nodes: [node({ coefficient: -0.5 })] }), 'INVALID_NUMBER', 'nodes[0].coefficient'],
    [file({ nodes: [node({ stake: '100' })] }), 'INVALID_NUMBER', 'nodes[0].stake'],
    [file({ nodes: [node({ id: '' })] }), 'INVALID_ID', 'nodes[0].id'],
    [file({ nodes: [node({ byzantine: 'yes' })] }), 'MALFORMED_INPUT', 'nodes[0].byzantine'],
    [file({ nodes: [node(), node()] }), 'DUPLICATE_ID', 'nodes[1].id'],
  ];
  for (const [text, code, field] of cases) {
    assert.throws(
      () => parseStakeFile(text),
      (e: unknown) => e instanceof StakeError && e.code === code && e.field === field && e.message.includes(field === 'file' ? 'JSON' : field),
      `${code} ${field}`,
    );
  }
});
