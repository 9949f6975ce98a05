// The plot: for each workload, throughput (linear) and median latency (log scale) over time,
// one line per target, with the one-validator-down window shaded. Plain SVG, no dependencies.
import type { SeriesPoint } from '../generator/metrics.js';

export interface PlotLine {
  readonly label: string;
  readonly color: string;
  readonly points: readonly SeriesPoint[];
}

export interface PlotPanel {
  readonly title: string;
  readonly lines: readonly PlotLine[];
  /** Shaded interval in ms on the x axis (the validator-down window), if any. */
  readonly shade?: { readonly fromMs: number; readonly toMs: number; readonly label: string };
}

const WIDTH = 900;
const CHART_HEIGHT = 200;
const MARGIN = { left: 70, right: 150, top: 34, bottom: 34 };
const PANEL_HEIGHT = 2 * (CHART_HEIGHT + MARGIN.top + MARGIN.bottom);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2));

interface Axis {
  readonly toX: (ms: number) => number;
  readonly toY: (v: number) => number;
  readonly top: number;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}

function path(points: readonly SeriesPoint[], pick: (p: SeriesPoint) => number | null, axis: Axis): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    const v = pick(p);
    if (v === null || !(v > 0 || pick === tpsOf)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${axis.toX(p.tMs).toFixed(1)},${axis.toY(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

const tpsOf = (p: SeriesPoint): number | null => p.tps;
const latOf = (p: SeriesPoint): number | null => p.p50Ms;

function chart(panel: PlotPanel, top: number, maxMs: number, kind: 'tps' | 'latency'): string {
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const toX = (ms: number) => MARGIN.left + (ms / maxMs) * innerW;
  const all = panel.lines.flatMap((l) => l.points.map(kind === 'tps' ? tpsOf : latOf)).filter((v): v is number => v !== null && v > 0);
  const out: string[] = [];
  let toY: (v: number) => number;
  const ticks: number[] = [];
  if (kind === 'tps') {
    const max = niceMax(Math.max(1, ...all));
    toY = (v) => top + CHART_HEIGHT - (v / max) * CHART_HEIGHT;
    for (let k = 0; k <= 4; k++) ticks.push((max * k) / 4);
  } else {
    const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...all, 1))));
    const hi = Math.ceil(Math.log10(Math.max(10, ...all)));
    toY = (v) => top + CHART_HEIGHT - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * CHART_HEIGHT;
    for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  }
  const axis: Axis = { toX, toY, top };
  if (panel.shade) {
    const x0 = toX(panel.shade.fromMs);
    const x1 = toX(panel.shade.toMs);
    out.push(`<rect x="${x0.toFixed(1)}" y="${top}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${CHART_HEIGHT}" fill="#d33" fill-opacity="0.12"/>`);
    if (kind === 'tps') out.push(`<text x="${(x0 + 4).toFixed(1)}" y="${top + 12}" font-size="11" fill="#a22">${esc(panel.shade.label)}</text>`);
  }
  for (const t of ticks) {
    const y = toY(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  const title = kind === 'tps' ? `${panel.title}: throughput (tx/s)` : `${panel.title}: median latency (ms, log scale)`;
  out.push(`<text x="${MARGIN.left}" y="${top - 10}" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${MARGIN.left}" y="${top}" width="${innerW}" height="${CHART_HEIGHT}" fill="none" stroke="#888"/>`);
  const stepS = niceMax(maxMs / 1000 / 8);
  for (let s = 0; s * 1000 <= maxMs; s += stepS) {
    out.push(`<text x="${toX(s * 1000).toFixed(1)}" y="${top + CHART_HEIGHT + 14}" font-size="11" text-anchor="middle">${s}</text>`);
  }
  out.push(`<text x="${WIDTH - MARGIN.right}" y="${top + CHART_HEIGHT + 28}" font-size="11" text-anchor="end">time since the target's first phase (s)</text>`);
  panel.lines.forEach((line, k) => {
    const d = path(line.points, kind === 'tps' ? tpsOf : latOf, axis);
    if (d) out.push(`<path d="${d}" fill="none" stroke="${line.color}" stroke-width="1.6"/>`);
    const ly = top + 14 + k * 16;
    out.push(`<line x1="${WIDTH - MARGIN.right + 10}" x2="${WIDTH - MARGIN.right + 30}" y1="${ly}" y2="${ly}" stroke="${line.color}" stroke-width="3"/>`);
    out.push(`<text x="${WIDTH - MARGIN.right + 36}" y="${ly}" font-size="12" dominant-baseline="middle">${esc(line.label)}</text>`);
  });
  return out.join('\n');
}

export function renderSvg(panels: readonly PlotPanel[], caption: string): string {
  const height = panels.length * PANEL_HEIGHT + 30;
  const body = panels.map((panel, i) => {
    const maxMs = Math.max(1000, ...panel.lines.flatMap((l) => l.points.map((p) => p.tMs)), panel.shade?.toMs ?? 0);
    const top = i * PANEL_HEIGHT + MARGIN.top;
    return chart(panel, top, maxMs, 'tps') + '\n' + chart(panel, top + CHART_HEIGHT + MARGIN.top + MARGIN.bottom, maxMs, 'latency');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    `<text x="${MARGIN.left}" y="${height - 10}" font-size="11" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
