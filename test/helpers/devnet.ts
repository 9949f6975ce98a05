// Starts a real `synod devnet` (one OS process per validator) for end-to-end tests, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `synod` command from source (tsx), so tests run src/ as it is, never a stale dist/. */
export const SYNOD_BIN = join(import.meta.dirname, '../../scripts/synod-from-source.mjs');
const DEVNET_START_TIMEOUT_MS = 90_000;

export interface TestDevnet {
  readonly dataDir: string;
  readonly rpcPort: number;
  readonly urls: readonly string[]; // http://127.0.0.1:<port>, one per validator
  readonly wsUrls: readonly string[];
  readonly process: ChildProcess;
  /** The OS process id of validator i (from its pid file). */
  pidOf(index: number): number;
  /** Starts validator i alone from its config (after it was killed); stopped by stop(). */
  startValidator(index: number): ChildProcess;
  stop(): Promise<void>;
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; output:\n${output}`));
    });
  });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * RPC ports are chosen below the ephemeral range, and so are the validators' p2p ports
 * (30300 + rpcPort - 8545), so that parallel test files with ephemeral sockets never collide.
 * `slot` separates test files that run devnets at the same time (use a distinct slot per file).
 * SYNOD_TEST_PORT_BASE (default 9000) moves every slot, so two checkouts can test side by side.
 */
export const TEST_PORT_BASE = Number(process.env.SYNOD_TEST_PORT_BASE ?? 9000);
export async function startTestDevnet(options: { validators?: number; slot: number; args?: readonly string[] }): Promise<TestDevnet> {
  const validators = options.validators ?? 4;
  const rpcPort = TEST_PORT_BASE + options.slot * 20;
  const dataDir = mkdtempSync(join(tmpdir(), 'synod-test-devnet-'));
  const child = spawn(process.execPath, [SYNOD_BIN, 'devnet', '--validators', String(validators), '--data-dir', dataDir, '--rpc-port', String(rpcPort), '--log-level', 'warn', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const extra: ChildProcess[] = [];
  const stop = async () => {
    for (const c of extra) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (process.env.SYNOD_KEEP_DEVNET === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(child, /Press Ctrl-C to stop/, DEVNET_START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  const ports = Array.from({ length: validators }, (_, i) => rpcPort + i);
  return {
    dataDir,
    rpcPort,
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    wsUrls: ports.map((p) => `ws://127.0.0.1:${p}`),
    process: child,
    pidOf: (index) => Number(readFileSync(join(dataDir, `validator-${index}`, 'pid'), 'utf8')),
    startValidator: (index) => {
      const c = spawn(process.execPath, [SYNOD_BIN, 'start', '--config', join(dataDir, `validator-${index}`, 'config.json'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout!.resume();
      c.stderr!.resume();
      extra.push(c);
      return c;
    },
    stop,
  };
}
