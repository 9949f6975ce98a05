// Entry of a query worker thread: the sources are TypeScript, loaded through tsx as bin/synod.js
// loads them, so a worker works the same under `node bin/synod.js` and `node --import tsx`.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
