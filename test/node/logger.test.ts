// Logs: JSON lines unless asked for pretty lines or writing to a terminal in "auto"; the level
// changes at run time for the logger and every child made from it, before or after the change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogControl, nextCycleLevel, SIGUSR2_LEVEL_CYCLE, wantsPretty } from '../../src/node/logger.js';

function sink(isTTY = false): Writable & { text(): string } {
  let out = '';
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) }) as Writable & { text(): string; isTTY?: boolean };
  if (isTTY) stream.isTTY = true;
  stream.text = () => out;
  return stream;
}

test('JSON lines by default and in auto off a terminal; pretty lines when asked or on a terminal', () => {
  for (const format of ['json', 'auto'] as const) {
    const out = sink();
    createLogControl('v0', 'info', { format, destination: out }).logger.info({ height: 7 }, 'block final');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'block final');
    assert.equal(line.height, 7);
    assert.equal(line.validator, 'v0');
  }
  for (const [format, tty] of [['pretty', false], ['auto', true]] as const) {
    const out = sink(tty);
    createLogControl('v0', 'info', { format, destination: out }).logger.info({ height: 7 }, 'block final');
    // eslint-disable-next-line no-control-regex
    const text = out.text().replace(/\x1b\[[0-9;]*m/g, '');
    assert.throws(() => JSON.parse(text.trim()), SyntaxError, `${format}: not JSON`);
    assert.match(text, /INFO/);
    assert.match(text, /block final/);
    assert.match(text, /height: 7/);
    assert.match(text, /\(v0\)/);
  }
  assert.equal(wantsPretty('json', sink(true)), false); // json is json even on a terminal
});

test('setLevel reaches the logger and its children and grandchildren, made before or after', () => {
  const out = sink();
  const control = createLogControl('v0', 'info', { destination: out });
  const child = control.logger.child({ part: 'net' });
  const grandchild = child.child({ peer: 'p1' });
  child.debug('hidden');
  assert.equal(out.text(), '');
  assert.equal(control.setLevel('debug'), 'info');
  assert.equal(control.level(), 'debug');
  child.debug('child shown');
  grandchild.debug('grandchild shown');
  control.logger.child({ part: 'rpc' }).debug('later child shown');
  const messages = out.text().trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.deepEqual(messages, ['child shown', 'grandchild shown', 'later child shown']);
  control.setLevel('error');
  grandchild.warn('hidden again');
  assert.equal(out.text().trim().split('\n').length, 3);
});

test('SIGUSR2 cycles info → debug → trace → warn → info, and from anywhere else to the first', () => {
  assert.deepEqual(SIGUSR2_LEVEL_CYCLE.map(nextCycleLevel), ['debug', 'trace', 'warn', 'info']);
  assert.equal(nextCycleLevel('silent'), 'info');
});
