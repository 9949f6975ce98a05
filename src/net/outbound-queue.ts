// A bounded FIFO of encoded frames waiting for the socket. The caller checks capacity before
// push (see Connection.send); this class only keeps the counts exact and the memory O(queued).

export class OutboundQueue {
  private frames: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  push(frame: Buffer): void {
    this.frames.push(frame);
    this.queuedBytes += frame.length;
  }

  /**
   * Removes frames from the front up to `maxBytes` in all and returns them as one buffer
   * (one write, one syscall). A single frame larger than `maxBytes` is returned alone, uncopied.
   */
  takeBatch(maxBytes: number): { data: Buffer; frames: number } | undefined {
    if (this.length === 0) return undefined;
    const first = this.frames[this.head]!;
    let end = this.head + 1;
    let total = first.length;
    while (end < this.frames.length && total + this.frames[end]!.length <= maxBytes) total += this.frames[end++]!.length;
    const batch = this.frames.slice(this.head, end);
    this.head = end;
    this.queuedBytes -= total;
    this.compact();
    return { data: batch.length === 1 ? first : Buffer.concat(batch, total), frames: batch.length };
  }

  clear(): void {
    this.frames = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  /** Drops consumed slots once they are the larger part, keeping shifts amortised O(1). */
  private compact(): void {
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }
}
