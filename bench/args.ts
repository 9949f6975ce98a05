// Flags of `npm run bench`. Bad input is a BAD_FLAG error naming the flag and the fix.
import { BenchError } from './errors.js';
import { WORKLOADS, workloadByName } from './workloads/index.js';
import type { Workload } from './workloads/types.js';

/** The nodes Synod can be compared against in the same run. */
export const PEERS = ['hardhat', 'anvil'] as const;
export type PeerName = (typeof PEERS)[number];
export const MAX_DURATION_S = 600;

export interface BenchOptions {
  readonly workloads: readonly Workload[];
  readonly quick: boolean;
  /** Peers in the order they run; empty with --peer none. The first is `peer` in latest.json when it is Hardhat. */
  readonly peers: readonly PeerName[];
  /** Seconds of the saturation phase; other phases scale with it. Undefined: the plan's default. */
  readonly durationS?: number;
  readonly out: string;
  /** Skip the Synod devnet even if it is available (peer and bound only). */
  readonly noSynod: boolean;
}

export const USAGE = `usage: npm run bench -- [--workload transfer|erc20|swap] [--quick] [--peer hardhat,anvil|hardhat|anvil|none]
                       [--duration SECONDS] [--out bench/results/latest.json] [--no-synod]
  --workload   one workload (default: every workload: ${WORKLOADS.map((w) => w.name).join(', ')})
  --quick      short phases; the whole run within 2 minutes
  --peer       the nodes compared against Synod in the same run, comma-separated (default: hardhat,anvil)
  --duration   seconds of the saturation phase; the other phases scale with it
  --out        where the JSON results go; the SVG plot is written beside it (.svg)
  --no-synod   measure the peer and the bound only`;

function value(argv: readonly string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new BenchError('BAD_FLAG', `${flag} needs a value; see --help`);
  return v;
}

export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  let workloads: readonly Workload[] = WORKLOADS;
  let quick = false;
  let peers: readonly PeerName[] = PEERS;
  let durationS: number | undefined;
  let out = 'bench/results/latest.json';
  let noSynod = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--quick':
        quick = true;
        break;
      case '--no-synod':
        noSynod = true;
        break;
      case '--workload': {
        const w = workloadByName(value(argv, i++, flag));
        if (!w) throw new BenchError('BAD_FLAG', `--workload must be one of ${WORKLOADS.map((x) => x.name).join(', ')}, got ${argv[i]}`);
        workloads = [w];
        break;
      }
      case '--peer': {
        peers = parsePeers(value(argv, i++, flag));
        break;
      }
      case '--duration': {
        const d = Number(value(argv, i++, flag));
        if (!Number.isFinite(d) || d < 1 || d > MAX_DURATION_S) throw new BenchError('BAD_FLAG', `--duration must be seconds in 1..${MAX_DURATION_S}, got ${argv[i]}`);
        durationS = d;
        break;
      }
      case '--out':
        out = value(argv, i++, flag);
        if (!out.endsWith('.json')) throw new BenchError('BAD_FLAG', `--out must name a .json file, got ${out}`);
        break;
      default:
        throw new BenchError('BAD_FLAG', `unknown flag ${flag}; see --help`);
    }
  }
  return { workloads, quick, peers, durationS, out, noSynod };
}

function parsePeers(text: string): PeerName[] {
  if (text === 'none') return [];
  const names = text.split(',');
  for (const name of names) {
    if (!(PEERS as readonly string[]).includes(name)) throw new BenchError('BAD_FLAG', `--peer takes none or a comma-separated list of ${PEERS.join(', ')}, got ${name}`);
  }
  if (new Set(names).size !== names.length) throw new BenchError('BAD_FLAG', `--peer names a peer twice: ${text}`);
  return names as PeerName[];
}
