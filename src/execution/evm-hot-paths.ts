// Two caches on @ethereumjs's hot paths, each exact (the answer it remembers is a pure function of
// what it is keyed by), installed once per process or worker thread when the engine loads.
//
// 1. Jump-destination analysis, done once per contract code instead of once per call.
// @ethereumjs/evm analyses the whole bytecode at the first JUMP of every message call: it walks
// every byte, builds a BigInt for every PUSH immediate and an opcode table as long as the code.
// A Uniswap V2 swap makes about ten calls into 5–24 KB contracts, so the analysis was the largest
// single cost of executing one (14% of a swap block's CPU, 25% with its BigInts and GC; decision
// 0015). The analysis is a pure function of the code bytes and of the interpreter's opcode table
// (the hardfork's), so it is remembered per (opcode table, code buffer). The state manager hands
// out the same buffer for the same account code while it is cached, and code buffers are never
// written to (the EVM copies before padding), so an entry is exact; a new buffer with the same
// bytes is analysed afresh. Entries are held weakly and go with their code buffer.
//
// 2. Which EIPs are active: Common answers with a linear search of its array of active EIPs (about
// sixty under Prague), and the interpreter asks several times per opcode (6% of a swap block). The
// answer is read from a Set built once per such array; Common replaces the array (never changes it
// in place) whenever the hardfork or the EIPs change, so a new array gets a new Set.
//
// The interpreter is not exported by the package, so its module is loaded by the path the
// package's own entry point imports it from (the same module instance the EVM uses). If a future
// version renames the method, nothing is patched and execution is unchanged (only slower): the
// engine's tests do not depend on this.
import { Common } from '@ethereumjs/common';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Analysis {
  readonly jumps: Uint8Array;
  readonly pushes: Record<number, bigint>;
  readonly opcodesCached: unknown[];
}

interface InterpreterLike {
  readonly _evm: { readonly _opcodeMap: object };
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}

const PATCHED = Symbol.for('synod.jumpAnalysisCache');
let stats = { hits: 0, misses: 0 };

/** Analyses served from the cache and computed, since the process started (for benchmarks). */
export function jumpAnalysisStats(): { readonly hits: number; readonly misses: number } {
  return { ...stats };
}

async function install(): Promise<boolean> {
  const entry = fileURLToPath(import.meta.resolve('@ethereumjs/evm'));
  const module = (await import(pathToFileURL(join(dirname(entry), 'interpreter.js')).href)) as { Interpreter?: { prototype: InterpreterLike } };
  const proto = module.Interpreter?.prototype as (InterpreterLike & { [PATCHED]?: true }) | undefined;
  if (proto === undefined || typeof proto._getValidJumpDestinations !== 'function') return false;
  if (proto[PATCHED] === true) return true;
  const analyse = proto._getValidJumpDestinations;
  const byTable = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();
  proto._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
    const table = this._evm._opcodeMap;
    let byCode = byTable.get(table);
    if (byCode === undefined) {
      byCode = new WeakMap();
      byTable.set(table, byCode);
    }
    const known = byCode.get(code);
    if (known !== undefined) {
      stats.hits++;
      return known;
    }
    stats.misses++;
    const analysis = analyse.call(this, code);
    byCode.set(code, analysis);
    return analysis;
  };
  proto[PATCHED] = true;
  stats = { hits: 0, misses: 0 };
  return true;
}

/** True when the jump-analysis cache is in place. */
export const jumpAnalysisCached: boolean = await install();

const EIP_SET = Symbol('synod.activeEipSet');
const EIP_SET_SOURCE = Symbol('synod.activeEipSetSource');

interface CommonInternals {
  readonly _activatedEIPsCache: readonly number[];
  [EIP_SET]?: Set<number>;
  [EIP_SET_SOURCE]?: readonly number[];
}

function installEipLookup(): boolean {
  const proto = Common.prototype as unknown as { isActivatedEIP(eip: number): boolean; [PATCHED]?: true };
  if (typeof proto.isActivatedEIP !== 'function') return false;
  if (proto[PATCHED] === true) return true;
  proto.isActivatedEIP = function (this: CommonInternals, eip: number): boolean {
    const active = this._activatedEIPsCache;
    if (this[EIP_SET_SOURCE] !== active) {
      this[EIP_SET] = new Set(Array.isArray(active) ? active : []);
      this[EIP_SET_SOURCE] = active;
    }
    return this[EIP_SET]!.has(eip);
  };
  proto[PATCHED] = true;
  return true;
}

/** True when the EIP lookup reads a Set. */
export const eipLookupCached: boolean = installEipLookup();
