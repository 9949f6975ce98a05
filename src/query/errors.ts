// Why a query did not run to its end, in words a client can act on (geth's where it has them).

/** geth's wording for a call past `--rpc.evmtimeout`: "execution aborted (timeout = 5s)". */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`execution aborted (timeout = ${formatDuration(timeoutMs)})`);
  }
}

/** Every worker is busy and the wait queue is full: the client should retry later. */
export class QueryQueueFullError extends Error {
  override readonly name = 'QueryQueueFullError';
  constructor(readonly queued: number) {
    super(`too many EVM queries in progress (${queued} waiting): retry later`);
  }
}

/** Every worker stayed busy for as long as a query may wait: answered like a full queue (-32005). */
export class QueryQueueWaitError extends QueryQueueFullError {
  constructor(queued: number, waitedMs: number) {
    super(queued);
    this.message = `EVM query waited ${formatDuration(waitedMs)} for a free worker (${queued} waiting): retry later`;
  }
}

/** The worker running the query stopped (out of memory, crashed) or the pool is closed. */
export class QueryAbortedError extends Error {
  override readonly name = 'QueryAbortedError';
}

/** Go's time.Duration formatting for the round values operators use: 5s, 1.5s, 500ms. */
export function formatDuration(ms: number): string {
  return ms >= 1_000 ? `${ms / 1_000}s` : `${ms}ms`;
}
