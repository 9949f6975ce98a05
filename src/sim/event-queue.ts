// The simulator's virtual clock: a binary min-heap of events ordered by (time, insertion order).
// Ties break by insertion order, so a run never depends on the heap's internal layout; that is
// half of what makes a run reproducible from its seed (the other half is sim/random.ts).

export const MAX_PENDING_EVENTS = 2_000_000; // bounds memory if a run misbehaves (a message storm)

export class EventQueueFullError extends Error {
  constructor(limit: number) {
    super(`simulator event queue exceeded ${limit} pending events: a message storm; lower --validators or inspect the seed`);
    this.name = 'EventQueueFullError';
  }
}

interface Entry<T> {
  readonly timeMs: number;
  readonly order: number;
  readonly event: T;
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private counter = 0;
  private clockMs = 0;

  constructor(private readonly limit = MAX_PENDING_EVENTS) {}

  /** Current virtual time: the time of the last event taken. */
  get nowMs(): number {
    return this.clockMs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at absolute virtual time `timeMs` (never in the past). */
  schedule(timeMs: number, event: T): void {
    if (!Number.isFinite(timeMs)) throw new RangeError(`event time must be finite, got ${timeMs}`);
    if (this.heap.length >= this.limit) throw new EventQueueFullError(this.limit);
    const entry: Entry<T> = { timeMs: Math.max(timeMs, this.clockMs), order: this.counter++, event };
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
  }

  /** Removes and returns the earliest event, advancing the clock to it; undefined when empty. */
  next(): { timeMs: number; event: T } | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as Entry<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.clockMs = top.timeMs;
    return { timeMs: top.timeMs, event: top.event };
  }

  peekTimeMs(): number | undefined {
    return this.heap[0]?.timeMs;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Entry<T>;
    const b = this.heap[j] as Entry<T>;
    return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.order < b.order);
  }

  private swap(i: number, j: number): void {
    const tmp = this.heap[i] as Entry<T>;
    this.heap[i] = this.heap[j] as Entry<T>;
    this.heap[j] = tmp;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    const n = this.heap.length;
    while (true) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.less(left, smallest)) smallest = left;
      if (right < n && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
