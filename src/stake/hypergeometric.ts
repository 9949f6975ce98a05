// The hypergeometric tail: with equal weights the sampler draws a uniform K-subset, so the number
// of Byzantine members among K drawn from N (B of them Byzantine) is hypergeometric.
// Computed in log space from a table of log-factorials; relative error about N * 1e-16, far
// below anything the report prints. The tests check it against exact bigint binomials.

export class LogFactorials {
  private readonly table: Float64Array;

  constructor(max: number) {
    this.table = new Float64Array(max + 1);
    for (let i = 2; i <= max; i++) this.table[i] = this.table[i - 1]! + Math.log(i);
  }

  logChoose(n: number, k: number): number {
    if (k < 0 || k > n) return -Infinity;
    return this.table[n]! - this.table[k]! - this.table[n - k]!;
  }
}

/** P(X >= atLeast) for X ~ Hypergeometric(population, successes, draws). */
export function hypergeometricTail(population: number, successes: number, draws: number, atLeast: number, logs = new LogFactorials(population)): number {
  const from = Math.max(atLeast, 0, draws - (population - successes));
  const to = Math.min(successes, draws);
  const logTotal = logs.logChoose(population, draws);
  let sum = 0;
  for (let j = from; j <= to; j++) {
    sum += Math.exp(logs.logChoose(successes, j) + logs.logChoose(population - successes, draws - j) - logTotal);
  }
  return Math.min(1, sum);
}
