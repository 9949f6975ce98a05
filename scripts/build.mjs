#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) and copies the files tsc does not
// emit but the compiled code reads next to itself (the explorer page). JSON artifacts outside
// src/ (contracts/build/*.json, package artifacts) are read where they are, from dist/ as from src/.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
/** Files under src/ that the compiled code reads at run time (everything else there is .ts or docs). */
const ASSET_PATTERN = /\.(html|css|svg|json)$/;

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.error('build: typescript is not installed; run `npm ci` (the build needs the dev dependencies)');
  process.exit(1);
}
if (process.argv.includes('--clean')) rmSync(DIST, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (ASSET_PATTERN.test(entry.name)) {
      const target = join(DIST, relative(SRC, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyAssets(SRC);
// Read by bin/synod.js to tell a built tree from a half-built one.
writeFileSync(join(DIST, 'BUILD'), `${new Date().toISOString()}\n`);
