// Progress on stderr: a redrawn bar on a terminal, one line per phase otherwise (CI logs).
import type { Progress } from '../suite.js';

const BAR_WIDTH = 30;

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let label = '';
  let durationMs = 1;
  let drawn = false;
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    phase(l, d) {
      clear();
      label = l;
      durationMs = Math.max(1, d);
      if (!tty) stream.write(`> ${l} (${(d / 1000).toFixed(0)} s)\n`);
    },
    tick(sent, elapsedMs) {
      if (!tty) return;
      const share = Math.min(1, elapsedMs / durationMs);
      const filled = Math.round(share * BAR_WIDTH);
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${label}  sent ${sent.toLocaleString('en-US')}  ${(elapsedMs / 1000).toFixed(1)}/${(durationMs / 1000).toFixed(0)} s`);
      drawn = true;
    },
    note(line) {
      clear();
      stream.write(`${line}\n`);
    },
  };
}

/** Progress that prints nothing (tests). */
export const silentProgress: Progress = { phase() {}, tick() {}, note() {} };
