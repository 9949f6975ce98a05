// Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018), seeded by splitmix32.
// One seed drives a whole simulation, so every draw goes through an Rng created here; nothing in
// sim/ may call Math.random. `fork(label)` derives an independent stream, so adding a draw in one
// component (say the network) does not shift the draws of another (say the mempool).

const UINT32_RANGE = 4294967296; // 2^32
const MAX_SAFE_SEED = Number.MAX_SAFE_INTEGER;

/** splitmix32 step: a fast, well-mixed 32-bit generator used only to expand seeds. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

function hashLabel(label: string, start: number): number {
  let h = start | 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any non-negative safe integer; equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SAFE_SEED) {
      throw new RangeError(`Rng seed must be a non-negative safe integer, got ${seed}`);
    }
    let state = (seed % UINT32_RANGE) ^ Math.floor(seed / UINT32_RANGE) * 0x6a09e667;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // xoshiro must never have an all-zero state.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / UINT32_RANGE;
  }

  /** Uniform integer in [min, max] (inclusive), without modulo bias. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`Rng.int needs integers min <= max, got ${min}, ${max}`);
    }
    const span = max - min + 1;
    if (span > UINT32_RANGE) throw new RangeError(`Rng.int range too wide: ${span}`);
    // Rejection sampling: drop the top sliver of the 32-bit range that would bias low values.
    const limit = UINT32_RANGE - (UINT32_RANGE % span);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return min + (x % span);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Fisher-Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Exponentially distributed value with the given mean (for delays and gaps). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** `count` random bytes. */
  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) {
      let x = this.nextUint32();
      for (let k = 0; k < 4 && i + k < count; k++) {
        out[i + k] = x & 0xff;
        x >>>= 8;
      }
    }
    return out;
  }

  /** An independent stream named `label`, derived from this one's current state. */
  fork(label: string): Rng {
    const mixed = hashLabel(label, this.nextUint32());
    return new Rng(mixed * 0x200000 + (this.nextUint32() & 0x1fffff));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
