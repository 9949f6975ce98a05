// Child-process helpers for nodes under test: a free loopback port, waiting for a line of
// output, and a stop that always ends the process (SIGTERM, then SIGKILL).
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { BenchError } from '../errors.js';

export const STOP_GRACE_MS = 3_000;
/** Output kept for an error message when a node fails to start. */
export const MAX_STARTUP_LOG_CHARS = 4_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when the child prints a line matching `ready`; rejects if it exits or times out first. */
export function waitForOutput(child: ChildProcess, ready: RegExp, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      // Match before trimming: the ready line may be followed by pages of output in one chunk.
      const text = log + chunk.toString('utf8');
      log = text.slice(-MAX_STARTUP_LOG_CHARS);
      if (ready.test(text)) finish(() => resolve(log));
    };
    const onExit = (code: number | null) => finish(() => reject(new BenchError('TARGET_START', `${what} exited with code ${code} before it was ready:\n${log}`)));
    const timer = setTimeout(() => finish(() => reject(new BenchError('TARGET_START', `${what} not ready within ${timeoutMs} ms:\n${log}`))), timeoutMs);
    const finish = (then: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Keeps reading a child's output so a full pipe can never block it. */
export function discardOutput(child: ChildProcess): void {
  child.stdout?.resume();
  child.stderr?.resume();
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
