// Start-up time of `synod start` on a 1-validator devnet: from spawning the process to its first
// JSON-RPC answer (eth_blockNumber), for the compiled command (bin/synod.js, dist/) and the same
// command run from source through tsx (scripts/synod-from-source.mjs), alternating A B A B.
//   npm run build && node --import tsx bench/startup.ts [--runs N] [--port P]
// Prints the median and range of each, in milliseconds. Decision: docs/decisions/0024-*.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = { dist: join(ROOT, 'bin/synod.js'), source: join(ROOT, 'scripts/synod-from-source.mjs') } as const;
/** Time one start may take before the run is called failed. */
const START_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 5;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: String(Number(process.env.SYNOD_TEST_PORT_BASE ?? 9000) + 5) } } });
const runs = Number(values.runs);
const rpcPort = Number(values.port);

async function answers(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' });
    return ((await r.json()) as { result?: string }).result !== undefined;
  } catch {
    return false;
  }
}

async function timeToFirstAnswer(entry: string, config: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, 'start', '--config', config, '--log-level', 'silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    while (!(await answers(rpcPort))) {
      if (child.exitCode !== null) throw new Error(`${entry} start exited (${child.exitCode}): ${stderr}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`${entry} start did not answer within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    return performance.now() - started;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'synod-startup-'));
try {
  // A devnet run writes the genesis, key and config; stopped once its validator answers.
  const devnet = spawn(process.execPath, [ENTRIES.source, 'devnet', '--validators', '1', '--data-dir', dataDir, '--rpc-port', String(rpcPort), '--log-level', 'warn'], { stdio: 'ignore' });
  const devnetExited = new Promise((r) => devnet.once('exit', r));
  while (!(await answers(rpcPort))) await new Promise((r) => setTimeout(r, 100));
  devnet.kill('SIGTERM');
  await devnetExited;
  const config = join(dataDir, 'validator-0', 'config.json');
  const figures: Record<keyof typeof ENTRIES, number[]> = { dist: [], source: [] };
  for (let i = 0; i < runs + 1; i++) {
    for (const name of ['dist', 'source'] as const) {
      const ms = await timeToFirstAnswer(ENTRIES[name], config);
      if (i > 0) figures[name].push(ms); // the first round warms the page cache
    }
  }
  for (const [name, list] of Object.entries(figures)) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(`${name.padEnd(6)} start → first RPC answer: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}, ${list.length} runs)`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
