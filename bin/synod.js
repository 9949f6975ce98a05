#!/usr/bin/env node
// The `synod` command: runs the compiled code in dist/ (`npm run build`, which `npm ci` and
// `npm install` run through the "prepare" script). From a clone, scripts/synod-from-source.mjs
// runs src/ through tsx instead.
import { existsSync } from 'node:fs';

const BUILD_STAMP = new URL('../dist/BUILD', import.meta.url);
if (!existsSync(BUILD_STAMP)) {
  console.error("synod: the compiled code (dist/) is missing; run 'npm run build' (npm ci runs it)");
  process.exit(1);
}
const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2));
