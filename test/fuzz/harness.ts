// What every fuzz target shares: its contract (bytes in, a typed value or a typed error out,
// bounded work and output), the input generators (random, truncated, extended, mutated and
// oversized variants of valid seeds built with each module's own encoder), and the run count:
// a few hundred runs per target inside `npm test`, as many as asked under `npm run fuzz`.
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Runs per target when the test suite runs it; `npm run fuzz -- --runs N` raises it. */
export const TEST_RUNS_PER_TARGET = 300;

export interface FuzzTarget {
  /** `area/what`, as `npm run fuzz -- --only <name>` takes it. */
  readonly name: string;
  /** A fresh property; `tick` is called once per generated input (for progress). */
  readonly property: (tick: () => void) => fc.IRawProperty<any, boolean>;
}

/**
 * An input an async target has not answered within this long counts as a hang and fails the
 * run (sync targets cannot be interrupted: the test's own timeout catches them).
 */
export const INPUT_HANG_MS = 10_000;

/** fast-check's options for a run: the seed is printed with any failure, so it replays. */
export function runOptions(numRuns: number, seed?: number): fc.Parameters<unknown> {
  return { numRuns, timeout: INPUT_HANG_MS, ...(seed === undefined ? {} : { seed }) };
}

/** Nesting depths: mostly a few levels (where decoders branch), sometimes thousands (their stack). */
export const nestingDepth: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 20_000 }));

/** Runs `decode` and insists it either returns or throws a typed error; anything else fails, naming it. */
export function typedOutcome<T>(decode: () => T, isTyped: (error: unknown) => boolean, what: string): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (isTyped(error)) return { ok: false, error };
    const shown = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    assert.fail(`${what} threw an untyped exception: ${shown}`);
  }
}

/**
 * A rough size in bytes of a decoded value: byte arrays and strings by length, scalars at 8,
 * 16 per object or array. A decoder whose output outgrows its input by more than a constant
 * factor is allocating without bound.
 */
export function footprint(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || value === undefined) return 8;
  if (value instanceof Uint8Array) return 16 + value.byteLength;
  if (typeof value === 'string') return 16 + value.length;
  if (typeof value !== 'object') return 8;
  if (seen.has(value)) return 0;
  seen.add(value);
  let total = 16;
  for (const entry of Array.isArray(value) ? value : Object.values(value)) total += footprint(entry, seen);
  return total;
}

/** Most output bytes per input byte (a one-byte item becomes a small object) plus a constant. */
export const AMPLIFICATION_MAX = 64;
export const FOOTPRINT_SLACK_BYTES = 4_096;

export function assertBoundedOutput(value: unknown, inputBytes: number, what: string): void {
  const size = footprint(value);
  assert.ok(size <= AMPLIFICATION_MAX * inputBytes + FOOTPRINT_SLACK_BYTES, `${what}: ${inputBytes} input bytes decoded to about ${size} bytes`);
}

// ---------------------------------------------------------------- inputs

/** What a length or count field is pushed to: all ones, all zeros, only the top bit, the largest signed value. */
type Extreme = 'ones' | 'zeros' | 'top-bit' | 'max-signed';
const EXTREME_BYTE: Readonly<Record<Extreme, (index: number) => number>> = {
  ones: () => 0xff,
  zeros: () => 0x00,
  'top-bit': (i) => (i === 0 ? 0x80 : 0x00),
  'max-signed': (i) => (i === 0 ? 0x7f : 0xff),
};

type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'extreme'; readonly at: number; readonly width: 1 | 2 | 4 | 8; readonly fill: Extreme }
  | { readonly kind: 'append'; readonly bytes: Uint8Array };

const position = fc.nat({ max: 1 << 20 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('extreme' as const),
    at: position,
    width: fc.constantFrom<1 | 2 | 4 | 8>(1, 2, 4, 8),
    fill: fc.constantFrom<Extreme>('ones', 'zeros', 'top-bit', 'max-signed'),
  }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.kind === 'append' ? 0 : m.at % (bytes.length + (m.kind === 'insert' ? 1 : 0));
    switch (m.kind) {
      case 'set':
        if (bytes.length > 0) bytes[at] = m.value;
        break;
      case 'flip':
        if (bytes.length > 0) bytes[at]! ^= 1 << m.bit;
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
        break;
      case 'extreme':
        for (let i = 0; i < m.width && at + i < bytes.length; i++) bytes[at + i] = EXTREME_BYTE[m.fill](i);
        break;
      case 'append':
        bytes = Uint8Array.from([...bytes, ...m.bytes]);
        break;
    }
  }
  return bytes;
}

/**
 * Inputs around valid encodings: the seeds themselves, random bytes, every kind of mutation of a
 * seed, two seeds spliced together, and anything `extra` adds (structured garbage of the format).
 */
export function inputsAround(seeds: fc.Arbitrary<Uint8Array>, extra: readonly fc.Arbitrary<Uint8Array>[] = []): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: seeds },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }) },
    { weight: 6, arbitrary: fc.tuple(seeds, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => mutate(seed, ms)) },
    { weight: 1, arbitrary: fc.tuple(seeds, seeds, position, position).map(([a, b, i, j]) => Uint8Array.from([...a.subarray(0, i % (a.length + 1)), ...b.subarray(j % (b.length + 1))])) },
    ...extra.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

// ---------------------------------------------------------------- RLP structures

/** Random RLP items (byte strings and lists, nested a few levels): garbage with valid framing. */
export const rlpItem: fc.Arbitrary<unknown> = fc.letrec<{ item: unknown }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.uint8Array({ maxLength: 70 }),
    fc.constantFrom(new Uint8Array(), Uint8Array.of(0), Uint8Array.of(0x7f), Uint8Array.of(0x80), new Uint8Array(8).fill(0xff), new Uint8Array(9).fill(0xff)),
    fc.array(tie('item'), { maxLength: 8 }),
  ),
})).item;

/** `depth` nested empty RLP lists, built without recursion: [[[…[]…]]]. */
export function nestedRlpLists(depth: number): Uint8Array {
  const prefixes: number[][] = [];
  let length = 0;
  for (let i = 0; i < depth; i++) {
    const prefix = length < 56 ? [0xc0 + length] : longListPrefix(length);
    prefixes.push(prefix);
    length += prefix.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (let i = depth - 1; i >= 0; i--) {
    out.set(prefixes[i]!, offset);
    offset += prefixes[i]!.length;
  }
  return out;
}

/** One list of `count` one-byte items: the most items a frame of its size can carry. */
export function rlpItemFlood(count: number): Uint8Array {
  const prefix = count < 56 ? [0xc0 + count] : longListPrefix(count);
  const out = new Uint8Array(prefix.length + count);
  out.set(prefix);
  return out;
}

function longListPrefix(length: number): number[] {
  const bytes: number[] = [];
  for (let x = length; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return [0xf7 + bytes.length, ...bytes];
}

/** RLP headers that claim far more bytes than follow (a string and a list of 2^32 − 1 bytes). */
export const RLP_LYING_HEADERS: readonly Uint8Array[] = [
  Uint8Array.of(0xbb, 0xff, 0xff, 0xff, 0xff, 1, 2, 3),
  Uint8Array.of(0xfb, 0xff, 0xff, 0xff, 0xff, 0xc0),
  Uint8Array.of(0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0),
];
