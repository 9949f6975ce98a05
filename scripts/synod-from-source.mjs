#!/usr/bin/env node
// The `synod` command run from the TypeScript sources through tsx, with no build: what the tests,
// the benchmarks and `synod devnet` started from source use, so they always run the code as it is
// in src/. Users run bin/synod.js (the compiled dist/).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
