// The script that runs `synod` in the form this process runs: compiled (bin/synod.js, which loads
// dist/) or from source (scripts/synod-from-source.mjs, through tsx). `synod devnet` starts its
// validators with it, so a devnet started from source never runs a stale dist/.
import { fileURLToPath } from 'node:url';

/** True when this module is the TypeScript source (loaded through tsx), false in dist/. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

export const SYNOD_ENTRY = fileURLToPath(new URL(RUNNING_FROM_SOURCE ? '../../scripts/synod-from-source.mjs' : '../../bin/synod.js', import.meta.url));
