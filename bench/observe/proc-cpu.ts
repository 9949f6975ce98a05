// CPU time a process has used, from /proc/<pid>/stat (proc(5): fields 14 and 15, utime and
// stime, in clock ticks; every thread of the process counts). Linux only: elsewhere the figure
// is unavailable and the report says so.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Clock ticks per second when `getconf CLK_TCK` cannot say (the Linux default). */
const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;

let ticksPerSecond: number | undefined;

export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(out) && out > 0 ? out : DEFAULT_CLOCK_TICKS_PER_SECOND;
    } catch {
      ticksPerSecond = DEFAULT_CLOCK_TICKS_PER_SECOND;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of one /proc/<pid>/stat line, in ms. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStatCpuMs(stat: string, ticks = clockTicksPerSecond()): number {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state), so field n is afterName[n - 3].
  const utime = Number(afterName[14 - 3]);
  const stime = Number(afterName[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return ((utime + stime) * 1000) / ticks;
}

/** CPU ms used so far by `pid`; undefined if the process is gone or /proc is absent. */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    return parseProcStatCpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}
