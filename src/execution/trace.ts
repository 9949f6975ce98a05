// debug_traceTransaction: the replay of a transaction on its block's state with a tracer
// attached, and geth's default tracer, the struct logger: one entry per EVM step with pc, op,
// gas, gasCost, depth, stack, and on request memory; storage on SLOAD/SSTORE as geth records it
// (every slot of that contract touched so far, values as the step sees them).
import type { Block } from '@ethereumjs/block';
import type { Common, StateManagerInterface } from '@ethereumjs/common';
import type { InterpreterStep } from '@ethereumjs/evm';
import type { Address } from '@ethereumjs/util';
import { hexToBytes, setLengthLeft } from '@ethereumjs/util';
import type { TypedTransaction } from '@ethereumjs/tx';
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { decodeTransaction } from './admission.js';
import { ExecutionError } from './errors.js';
import { MAX_TRACE_BYTES, MAX_TRACE_STEPS } from './limits.js';
import { blockContext, evmViewAt } from './state-view.js';

/** geth's logger.Config, as debug_traceTransaction's second argument carries it. */
export interface StructLoggerOptions {
  readonly enableMemory?: boolean; // geth's default: off
  readonly disableStack?: boolean;
  readonly disableStorage?: boolean;
  /** Stop recording after this many steps (0: no limit but MAX_TRACE_STEPS). */
  readonly limit?: number;
}

export interface StructLog {
  readonly pc: number;
  readonly op: string;
  readonly gas: number;
  readonly gasCost: number;
  readonly depth: number;
  readonly stack?: Hex[];
  readonly memory?: string[];
  readonly storage?: Record<string, string>;
  readonly refund?: number;
}

export interface TransactionTrace {
  readonly gas: number;
  readonly failed: boolean;
  readonly returnValue: string; // hex without 0x, as geth's struct logger prints it
  readonly structLogs: StructLog[];
}

/** What the EVM's 'step' event carries that the logger reads. */
interface Step {
  pc: number;
  opcode: { name: string; fee: number; dynamicFee?: bigint };
  gasLeft: bigint;
  gasRefund: bigint;
  depth: number;
  stack: bigint[];
  memory: Uint8Array;
  memoryWordCount: bigint;
  address: Address;
  stateManager: { getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> };
}

const WORD_HEX = 64;
const word = (value: bigint) => value.toString(16).padStart(WORD_HEX, '0');
/** JSON bytes of one struct log without its stack, memory and storage: pc, op, gas, gasCost, depth. */
const STRUCT_LOG_BASE_BYTES = 96;
/** JSON bytes of one memory word: 64 hex digits, quotes and a comma. */
const MEMORY_WORD_BYTES = WORD_HEX + 3;
/** JSON bytes of one storage entry: two words, quotes, a colon and a comma. */
const STORAGE_ENTRY_BYTES = 2 * WORD_HEX + 6;
/** JSON bytes a stack entry adds beyond its hex digits: "0x", quotes and a comma. */
const STACK_ENTRY_OVERHEAD_BYTES = 5;

/** The TRACE_TOO_LARGE refusal for a trace past `maxBytes` of JSON. */
export function traceTooLarge(maxBytes: number): ExecutionError {
  return new ExecutionError('TRACE_TOO_LARGE', `trace exceeds ${maxBytes} bytes: pass a "limit", disable memory/stack/storage capture, use callTracer with onlyTopCall, or trace a smaller transaction`);
}

function memoryWords(step: Step): string[] {
  const memory: string[] = [];
  const bytes = Number(step.memoryWordCount) * 32;
  for (let offset = 0; offset < bytes; offset += 32) {
    memory.push(Buffer.from(step.memory.subarray(offset, offset + 32)).toString('hex').padEnd(WORD_HEX, '0'));
  }
  return memory;
}

export class StructLogger implements Tracer<TransactionTrace> {
  readonly logs: StructLog[] = [];
  /** Slots each contract touched so far, as geth accumulates them per address. */
  private readonly storage = new Map<string, Map<string, string>>();
  /** The caller's own cut (steps past it are dropped), or 0 for none. */
  private readonly callerLimit: number;
  /** JSON bytes of the struct logs recorded so far (an estimate within a few bytes a step). */
  private bytes = 0;
  failure: Error | undefined;

  constructor(
    private readonly options: StructLoggerOptions,
    private readonly maxBytes = MAX_TRACE_BYTES,
  ) {
    this.callerLimit = options.limit !== undefined && options.limit > 0 && options.limit <= MAX_TRACE_STEPS ? options.limit : 0;
  }

  /** The EVM awaits a two-argument listener, so the storage read happens before the step runs. */
  readonly listener = (step: InterpreterStep, done?: (result?: unknown) => void): void => {
    this.record(step as unknown as Step).then(
      () => done?.(),
      (error: unknown) => {
        this.failure ??= error as Error;
        done?.();
      },
    );
  };

  get bytesUsed(): number {
    return this.bytes;
  }

  attach(evm: TracedEvm): void {
    evm.events!.on('step', this.listener);
  }

  detach(evm: TracedEvm): void {
    evm.events!.off('step', this.listener);
  }

  result(run: RunTxResult): TransactionTrace {
    if (this.failure !== undefined) throw this.failure;
    return {
      gas: Number(run.totalGasSpent),
      failed: run.execResult.exceptionError !== undefined,
      returnValue: Buffer.from(run.execResult.returnValue).toString('hex'),
      structLogs: this.logs,
    };
  }

  /** Counts `bytes` more of trace, refusing the trace before it passes the budget. */
  private spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) throw traceTooLarge(this.maxBytes);
  }

  private async record(step: Step): Promise<void> {
    if (this.failure !== undefined) return; // refused already: record nothing more
    if (this.callerLimit > 0 && this.logs.length >= this.callerLimit) return;
    if (this.logs.length >= MAX_TRACE_STEPS) {
      throw new ExecutionError('TRACE_TOO_LARGE', `trace exceeds ${MAX_TRACE_STEPS} steps: pass a "limit" of at most ${MAX_TRACE_STEPS} or trace a smaller transaction`);
    }
    // Counted before anything is built, so a refused step allocates nothing.
    this.spend(STRUCT_LOG_BASE_BYTES);
    if (this.options.enableMemory === true) this.spend(Number(step.memoryWordCount) * MEMORY_WORD_BYTES);
    const log: { -readonly [K in keyof StructLog]: StructLog[K] } = {
      pc: step.pc,
      op: step.opcode.name,
      gas: Number(step.gasLeft),
      // The EVM hands the step its whole cost (static fee included) as dynamicFee.
      gasCost: Number(step.opcode.dynamicFee ?? BigInt(step.opcode.fee)),
      depth: step.depth + 1, // geth counts the outermost frame as depth 1
    };
    if (this.options.disableStack !== true) {
      const stack = step.stack.map((v) => `0x${v.toString(16)}` as Hex);
      this.spend(stack.reduce((n, entry) => n + entry.length - 2 + STACK_ENTRY_OVERHEAD_BYTES, 0));
      log.stack = stack;
    }
    if (this.options.enableMemory === true) log.memory = memoryWords(step);
    if (this.options.disableStorage !== true) {
      const storage = await this.storageAt(step);
      if (storage !== undefined) log.storage = storage;
    }
    if (step.gasRefund > 0n) log.refund = Number(step.gasRefund);
    this.logs.push(log);
  }

  private async storageAt(step: Step): Promise<Record<string, string> | undefined> {
    const top = step.stack.length - 1;
    const isLoad = step.opcode.name === 'SLOAD' && top >= 0;
    const isStore = step.opcode.name === 'SSTORE' && top >= 1;
    if (!isLoad && !isStore) return undefined;
    const key = word(step.stack[top]!);
    const value = isStore
      ? word(step.stack[top - 1]!)
      : Buffer.from(setLengthLeft(await step.stateManager.getStorage(step.address, hexToBytes(`0x${key}`)), 32)).toString('hex');
    const address = step.address.toString();
    const slots = this.storage.get(address) ?? new Map<string, string>();
    this.storage.set(address, slots);
    slots.set(key, value);
    // geth repeats every slot touched so far on each SLOAD/SSTORE: count them all, each time.
    this.spend(slots.size * STORAGE_ENTRY_BYTES);
    return Object.fromEntries(slots);
  }
}

/** What a tracer sees of the EVM: its event emitter. */
export interface TracedEvm {
  readonly events?: { on(event: string, listener: (...args: any[]) => void): unknown; off(event: string, listener: (...args: any[]) => void): unknown };
}

/** A tracer follows one transaction's execution and then builds its answer from the run. */
export interface Tracer<T> {
  /** JSON bytes built so far, counted against the request's MAX_TRACE_BYTES. */
  readonly bytesUsed: number;
  /** Called before the transaction runs, on the state it starts from (geth's OnTxStart). */
  beforeTx?(state: StateManagerInterface, tx: TypedTransaction, from: Address, coinbase: Address): Promise<void>;
  attach(evm: TracedEvm): void;
  detach(evm: TracedEvm): void;
  /** `state` is the state after the transaction. */
  result(run: RunTxResult, tx: TypedTransaction, state: StateManagerInterface): T | Promise<T>;
}

/** Runs one transaction (or call) with `tracer` attached, and builds the tracer's answer. */
export async function runTraced<T>(vm: VM, tx: TypedTransaction, from: Address, block: Block, tracer: Tracer<T>, opts: { blockGasUsed?: bigint; skipNonce?: boolean; skipBalance?: boolean } = {}): Promise<{ run: RunTxResult; result: T }> {
  await tracer.beforeTx?.(vm.stateManager, tx, from, block.header.coinbase);
  tracer.attach(vm.evm);
  let run: RunTxResult;
  try {
    run = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true, ...opts });
  } finally {
    tracer.detach(vm.evm);
  }
  return { run, result: await tracer.result(run, tx, vm.stateManager) };
}

/** What replayBlock reports for each transaction it traced. */
export type ReplayOutcome<T> = { readonly hash: Hex; readonly result: T } | { readonly hash: Hex; readonly error: string };

/**
 * Re-executes `block` on its parent's state, transactions 0 to `last`, with the tracer
 * `tracerFor(i)` gives (none: the transaction just runs). A tracer that fails on its transaction
 * is reported as an error for that one; TRACE_TOO_LARGE ends the whole replay.
 */
export async function replayBlock<T>(store: ChainStore, common: Common, parent: BlockRecord, block: BlockRecord, last: number, tracerFor: (index: number) => Tracer<T> | undefined): Promise<ReplayOutcome<T>[]> {
  const { vm } = await evmViewAt(store, parent, common);
  const context = blockContext(block, common);
  const out: ReplayOutcome<T>[] = [];
  let gasUsed = 0n;
  for (let i = 0; i <= last && i < block.transactions.length; i++) {
    const record = store.getTransaction(block.transactions[i]!);
    if (record === undefined) throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction ${block.transactions[i]} of block ${block.number} is missing from the store`);
    const decoded = decodeTransaction(hexToBytes(record.raw), common);
    if (!decoded.ok) throw new ExecutionError('ENGINE_FAILED', `stored transaction ${record.hash} no longer decodes: ${decoded.reason}`);
    const tracer = tracerFor(i);
    if (tracer === undefined) {
      const result = await runTx(vm, { tx: decoded.tx, block: context, blockGasUsed: gasUsed, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
      gasUsed += result.totalGasSpent;
      continue;
    }
    try {
      const { run, result } = await runTraced(vm, decoded.tx, decoded.sender, context, tracer, { blockGasUsed: gasUsed });
      gasUsed += run.totalGasSpent;
      out.push({ hash: record.hash, result });
    } catch (error) {
      if (error instanceof ExecutionError && error.code === 'TRACE_TOO_LARGE') throw error;
      // The transaction itself failed to replay: the chain ran it, so the state is off from here.
      if (error instanceof ExecutionError) throw error;
      out.push({ hash: record.hash, error: (error as Error).message });
    }
  }
  return out;
}

/**
 * Re-executes `block` on its parent's state up to transaction `index`, with `tracer` attached
 * while that transaction runs.
 */
export async function replayTransaction<T>(store: ChainStore, common: Common, parent: BlockRecord, block: BlockRecord, index: number, tracer: Tracer<T>): Promise<T> {
  if (index >= block.transactions.length) throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction index ${index} is not in block ${block.number}`);
  const [outcome] = await replayBlock(store, common, parent, block, index, (i) => (i === index ? tracer : undefined));
  if (outcome === undefined) throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction index ${index} is not in block ${block.number}`);
  if ('error' in outcome) throw new Error(outcome.error);
  return outcome.result;
}

/** geth's default tracer over a replayed transaction; `maxBytes` is MAX_TRACE_BYTES unless a test lowers it. */
export function traceAt(store: ChainStore, common: Common, parent: BlockRecord, block: BlockRecord, index: number, options: StructLoggerOptions = {}, maxBytes = MAX_TRACE_BYTES): Promise<TransactionTrace> {
  return replayTransaction(store, common, parent, block, index, new StructLogger(options, maxBytes));
}
