// Sorts the samples of V8 CPU profiles into the costs of a validator's height: each sample goes
// to the highest-priority category that any frame of its stack belongs to (signing inside a
// consensus step is signing; RLP inside execution is execution). Pure functions over profiles.

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds between consecutive samples. */
  readonly timeDeltas: readonly number[];
}

interface Rule {
  readonly category: string;
  readonly matches: (functionName: string, url: string) => boolean;
}

const inUrl = (re: RegExp) => (_f: string, url: string) => re.test(url);
const named = (re: RegExp, url?: RegExp) => (f: string, u: string) => re.test(f) && (url === undefined || url.test(u));

/** In priority order. What the issue asks to see first, then the node's other parts. */
export const CATEGORY_RULES: readonly Rule[] = [
  { category: 'signing', matches: named(/^sign$/, /src\/crypto\/ed25519/) },
  { category: 'verification', matches: (f, u) => (f === 'verify' && /src\/crypto\/ed25519/.test(u)) || /^(ecdsaRecover|ecrecover)$/.test(f) },
  { category: 'journal', matches: named(/^(appendJournal|pruneJournal|readJournal)$/) },
  { category: 'execution', matches: (_f, u) => /src\/execution\//.test(u) || /@ethereumjs\/(vm|evm|statemanager|mpt|block)\//.test(u) },
  { category: 'storage', matches: (_f, u) => /src\/storage\//.test(u) || /node_modules\/(lmdb|msgpackr)\//.test(u) },
  { category: 'encoding', matches: (f, u) => /@ethereumjs\/(rlp|tx)\//.test(u) || /src\/(node\/wire|consensus\/messages|chain\/)/.test(u) || /^(stringify|parse)$/.test(f) },
  { category: 'mempool', matches: inUrl(/src\/mempool\//) },
  { category: 'consensus core', matches: inUrl(/src\/consensus\//) },
  { category: 'network', matches: (_f, u) => /src\/net\//.test(u) || /^node:(net|internal\/stream_base_commons|internal\/streams)/.test(u) },
  { category: 'rpc', matches: (_f, u) => /src\/rpc\//.test(u) || /^node:(_http|http|internal\/http)/.test(u) || /node_modules\/ws\//.test(u) },
  { category: 'timers', matches: (f, u) => /^node:internal\/timers/.test(u) || /^(listOnTimeout|processTimers|processImmediate)$/.test(f) },
  { category: 'garbage collection', matches: named(/^\(garbage collector\)$/) },
  { category: 'node (other)', matches: inUrl(/src\/node\//) },
];
export const IDLE = '(idle)';
export const OTHER = 'other';
export const CATEGORIES: readonly string[] = [...CATEGORY_RULES.map((r) => r.category), OTHER];

/** CPU ms by category in one profile; the profiler's idle samples are not CPU and are left out. */
export function categorize(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = new Map<number, string | null>();
  const resolve = (leaf: number): string | null => {
    const cached = categoryOf.get(leaf);
    if (cached !== undefined) return cached;
    if (byId.get(leaf)?.callFrame.functionName === IDLE) return null;
    let best = CATEGORY_RULES.length;
    for (let at: number | undefined = leaf; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      for (let r = 0; r < best; r++) if (CATEGORY_RULES[r].matches(functionName, url)) best = r;
    }
    const category = best < CATEGORY_RULES.length ? CATEGORY_RULES[best].category : OTHER;
    categoryOf.set(leaf, category);
    return category;
  };
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const category = resolve(id);
    if (category === null) return;
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    out.set(category, (out.get(category) ?? 0) + ms);
  });
  return out;
}

/** Category → ms per height per validator, from every validator's profile of one window. */
export function perHeight(profiles: readonly CpuProfile[], heights: number): Map<string, number> {
  const sum = new Map<string, number>();
  for (const p of profiles) for (const [k, v] of categorize(p)) sum.set(k, (sum.get(k) ?? 0) + v);
  const out = new Map<string, number>();
  const divisor = Math.max(1, heights) * Math.max(1, profiles.length);
  for (const k of CATEGORIES) out.set(k, (sum.get(k) ?? 0) / divisor);
  return out;
}

/**
 * The breakdown as a text table: one row per category, one column per window. V8 samples on a
 * wall clock, so on a busy machine a profile's total exceeds the CPU the process got; each
 * category's share of the profile is therefore applied to the CPU time /proc counted.
 */
export function breakdownTable(windows: readonly { label: string; heights: number; byCategory: Map<string, number>; procMsPerHeight: number | null }[]): string {
  const head = ['CPU ms per height per validator', ...windows.map((w) => `${w.label} (${w.heights} heights)`)];
  const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(2));
  const total = (w: (typeof windows)[number]) => [...w.byCategory.values()].reduce((s, v) => s + v, 0);
  const scaled = (w: (typeof windows)[number], c: string) => {
    const raw = w.byCategory.get(c) ?? 0;
    const t = total(w);
    return w.procMsPerHeight === null || t === 0 ? raw : (raw / t) * w.procMsPerHeight;
  };
  const rows = CATEGORIES.map((c) => [c, ...windows.map((w) => fmt(scaled(w, c)))]);
  rows.push(['total (/proc utime+stime)', ...windows.map((w) => fmt(w.procMsPerHeight))]);
  rows.push(['profiled non-idle time (wall)', ...windows.map((w) => fmt(total(w)))]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
