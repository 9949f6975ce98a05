// How far a write must get before the store says it is done: the one setting every durable
// store of the node reads (chain store, vote journal, pending transactions).
//
//   'machine'  fsync'ed: survives kill -9, a kernel panic and power loss. What a validator on a
//              real network runs (the default of `synod start`).
//   'process'  handed to the operating system (written, not fsync'ed): survives kill -9 and any
//              crash of the node process, not a crash of the machine, which may undo the last
//              writes of every store. `synod devnet --durability process` runs it: its validators
//              share one machine, so a machine crash takes all of them at once, and the fsyncs at
//              each of a height's steps sit on a lone transaction's path (opt-in for now).
// docs/decisions/0025-durability.md has the figures and the reasoning.
export const DURABILITY_MODES = ['machine', 'process'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

/** What `synod start` runs with unless told otherwise. */
export const DEFAULT_DURABILITY: Durability = 'machine';

export function isDurability(value: unknown): value is Durability {
  return typeof value === 'string' && (DURABILITY_MODES as readonly string[]).includes(value);
}

/** lmdb's `noSync`: commits reach the OS (lmdb writes its pages with write(2)) but are not fsync'ed. */
export function lmdbSyncOptions(durability: Durability): { readonly noSync?: true } {
  return durability === 'process' ? { noSync: true } : {};
}
