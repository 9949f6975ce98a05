// Entry of a swarm worker thread: the sources are TypeScript, loaded through tsx as bin/synod.js loads them.
import { register } from 'tsx/esm/api';

register();
await import('./swarm-worker.ts');
