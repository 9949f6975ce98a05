#!/usr/bin/env node
// The `synod` command: loads the TypeScript sources through tsx so that a fresh
// clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
