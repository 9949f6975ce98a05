// Consensus messages per height by committee size: what a committee of K costs the network, from
// the simulator's whole nodes on a synchronous network with every member honest (the figure the
// latency issue sets at N = 31: at most 20,000). Driven through the `synod sim` command line, like
// the rest of the bench drives the node; deterministic (seeded), so one run per size is the figure.
//
//   node --import tsx bench/message-scaling.ts [--sizes 4,16,31,64] [--heights 3]
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SYNOD_BIN = fileURLToPath(new URL('../scripts/synod-from-source.mjs', import.meta.url));

export const DEFAULT_SCALING_SIZES = [4, 16, 31, 64] as const;
export const DEFAULT_SCALING_HEIGHTS = 3;
/** The target at N = 31, and what one envelope per member per step per destination comes to. */
export const MESSAGES_TARGET_AT_31 = 20_000;
/** Longest one size may take before the bench reports it as not measured. */
const SIZE_TIMEOUT_MS = 300_000;

export interface ScalingRow {
  readonly validators: number;
  readonly messagesPerHeight: number | null;
  /** Envelopes each member sends per height and destination: messages / (N × (N − 1)). */
  readonly perMemberPerPeer: number | null;
  readonly wallMs: number;
  readonly error?: string;
}

export async function measureMessageScaling(sizes: readonly number[] = DEFAULT_SCALING_SIZES, heights = DEFAULT_SCALING_HEIGHTS): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const n of sizes) {
    const started = Date.now();
    try {
      const { stdout } = await run(
        process.execPath,
        [SYNOD_BIN, 'sim', '--validators', String(n), '--byzantine', '0', '--network', 'synchronous', '--signatures', 'twin', '--heights', String(heights), '--seed', '1', '--json'],
        { timeout: SIZE_TIMEOUT_MS, maxBuffer: 1 << 20 },
      );
      const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as { messagesPerHeight: number };
      rows.push({ validators: n, messagesPerHeight: figures.messagesPerHeight, perMemberPerPeer: figures.messagesPerHeight / (n * (n - 1)), wallMs: Date.now() - started });
    } catch (error) {
      rows.push({ validators: n, messagesPerHeight: null, perMemberPerPeer: null, wallMs: Date.now() - started, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  return rows;
}

export function scalingTable(rows: readonly ScalingRow[]): string {
  const lines = ['consensus messages per height (synchronous network, all honest; target at N = 31: ≤ 20,000)', '   N   messages/height   per member per peer'];
  for (const r of rows) {
    if (r.messagesPerHeight === null) lines.push(`${String(r.validators).padStart(4)}   not measured: ${r.error ?? 'unknown error'}`);
    else lines.push(`${String(r.validators).padStart(4)}   ${Math.round(r.messagesPerHeight).toLocaleString('en-US').padStart(15)}   ${r.perMemberPerPeer!.toFixed(1).padStart(19)}`);
  }
  return lines.join('\n') + '\n';
}

function parse(argv: readonly string[]): { sizes: number[]; heights: number } {
  let sizes: number[] = [...DEFAULT_SCALING_SIZES];
  let heights = DEFAULT_SCALING_HEIGHTS;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    if (flag === '--sizes' && v !== undefined) {
      sizes = v.split(',').map(Number);
      if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) throw new Error(`--sizes takes committee sizes 1..256, comma-separated; got ${v}`);
      i++;
    } else if (flag === '--heights' && v !== undefined) {
      heights = Number(v);
      if (!Number.isInteger(heights) || heights < 1) throw new Error(`--heights takes a positive integer; got ${v}`);
      i++;
    } else throw new Error(`unknown flag ${flag}; usage: bench/message-scaling.ts [--sizes 4,16,31,64] [--heights 3]`);
  }
  return { sizes, heights };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { sizes, heights } = parse(process.argv.slice(2));
    process.stdout.write(scalingTable(await measureMessageScaling(sizes, heights)));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
