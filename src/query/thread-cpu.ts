// A worker thread's own CPU time, read from another thread: what a query's timeout counts, so that
// a loaded machine (a worker below the node's priority waiting for a core) delays a query without
// ending it, while a query that really computes is ended on time. Linux only (procfs); elsewhere
// there is no clock and the pool falls back to wall time.
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The file that holds the CPU time of the calling thread, as a path any thread of the process can
 * read (`/proc/<pid>/task/<tid>/schedstat`), or undefined where there is none. Called in the
 * worker itself: /proc/thread-self names the thread that reads it.
 */
export function threadCpuClockOfThisThread(): string | undefined {
  try {
    const path = `/proc/${readlinkSync('/proc/thread-self')}/schedstat`;
    return readThreadCpuMs(path) === undefined ? undefined : path;
  } catch {
    return undefined;
  }
}

/** CPU time in ms the thread of `clock` has run (its schedstat's first field, in ns); undefined once it is gone. */
export function readThreadCpuMs(clock: string): number | undefined {
  try {
    const runNs = Number(readFileSync(clock, 'latin1').split(' ', 1)[0]);
    return Number.isFinite(runNs) ? runNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
