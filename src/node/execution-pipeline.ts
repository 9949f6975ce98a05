// Delivered superblocks execute here, one after another, while consensus moves on: agreement on
// height h+1 overlaps the execution of h (DESIGN.md: "Heights may overlap"). Under load a
// validator that waited for h to execute before voting on h+1 sat idle about half the time,
// waiting for the slowest peer's execution (docs/decisions/0009-validator-hot-path.md).
// The proposer must leave out what is already in flight: `holds` answers that.
import type { Hex } from '../chain/types.js';

/** Delivered heights not yet executed; a further delivery waits for the oldest (backpressure). */
export const MAX_HEIGHTS_IN_FLIGHT = 2;

interface InFlight {
  readonly height: number;
  readonly hashes: ReadonlySet<Hex>;
  readonly done: Promise<void>;
}

export class ExecutionPipeline {
  private readonly inFlight: InFlight[] = [];
  private tail: Promise<void> = Promise.resolve();
  private failed = false;

  /** `onFailure` receives the first error; no later height runs after it (the node must stop). */
  constructor(
    private readonly onFailure: (error: unknown) => void,
    private readonly maxInFlight = MAX_HEIGHTS_IN_FLIGHT,
  ) {}

  /**
   * Queues `run` (the execution of `height`, whose transactions have `hashes`) behind the heights
   * already queued. Resolves once it is queued: at once, unless `maxInFlight` are in flight.
   */
  async submit(height: number, hashes: ReadonlySet<Hex>, run: () => Promise<void>): Promise<void> {
    while (this.inFlight.length >= this.maxInFlight) await this.inFlight[0]!.done;
    const done = this.tail.then(() => (this.failed ? undefined : run())).catch((error: unknown) => this.fail(error));
    const entry: InFlight = { height, hashes, done };
    this.inFlight.push(entry);
    this.tail = done.finally(() => this.inFlight.splice(this.inFlight.indexOf(entry), 1));
  }

  /** True while a delivered, unexecuted height holds the transaction with `hash`. */
  holds(hash: Hex): boolean {
    return this.inFlight.some((entry) => entry.hashes.has(hash));
  }

  /** Every transaction hash of the heights in flight. */
  *hashes(): IterableIterator<Hex> {
    for (const entry of this.inFlight) yield* entry.hashes;
  }

  get size(): number {
    return this.inFlight.length;
  }

  /** Resolves when every queued height has run (or been abandoned after a failure). */
  idle(): Promise<void> {
    return this.tail;
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.onFailure(error);
  }
}
