// A binary min-heap over an ordering function: O(log n) push and pop. The pool uses it for
// eviction (lowest priority first) and for batch building (best fee first, by inverting order).

export class BinaryHeap<T> {
  private readonly items: T[] = [];

  /** `before(a, b)` is true when `a` must come out before `b`. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last !== undefined) {
      this.items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Replaces the contents in O(n) (Floyd's heap construction). */
  rebuild(items: Iterable<T>): void {
    this.items.length = 0;
    for (const item of items) this.items.push(item);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(index: number): void {
    const items = this.items;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const items = this.items;
    const n = items.length;
    let i = index;
    while (true) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < n && this.before(items[left]!, items[best]!)) best = left;
      if (right < n && this.before(items[right]!, items[best]!)) best = right;
      if (best === i) return;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}
