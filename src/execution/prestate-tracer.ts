// geth's prestateTracer (eth/tracers/native/prestate.go): the accounts a transaction touches as
// they were before it (balance, nonce, code, the storage slots it read or wrote), or with
// diffMode the changes as {pre, post}: only modified accounts, post without unchanged fields,
// zero slots left out, accounts gone after the transaction (self-destructed) absent from post,
// and accounts the transaction created absent from pre.
import type { StateManagerInterface } from '@ethereumjs/common';
import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, createAddressFromString, hexToBytes, setLengthLeft, type Address } from '@ethereumjs/util';
import type { RunTxResult } from '@ethereumjs/vm';
import type { Hex } from '../chain/types.js';
import { MAX_TRACE_BYTES } from './limits.js';
import { traceTooLarge, type TracedEvm, type Tracer } from './trace.js';

export interface PrestateTracerOptions {
  readonly diffMode?: boolean;
  readonly disableCode?: boolean;
  readonly disableStorage?: boolean;
}

/** An account as geth's prestate tracer prints it: nonce a JSON number, the rest hex; empty fields omitted. */
export interface PrestateAccount {
  balance?: Hex;
  code?: Hex;
  nonce?: number;
  storage?: Record<Hex, Hex>;
}

export type PrestateResult = Record<Hex, PrestateAccount> | { pre: Record<Hex, PrestateAccount>; post: Record<Hex, PrestateAccount> };

interface Seen {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<Hex, Hex>;
}

const ZERO_WORD = `0x${'0'.repeat(64)}` as Hex;
/** JSON bytes of an account entry besides its code and storage: address, balance, nonce. */
const ACCOUNT_BASE_BYTES = 160;
/** JSON bytes of one storage entry: two 0x-words, quotes, a colon and a comma. */
const STORAGE_ENTRY_BYTES = 2 * 66 + 6;

const wordHex = (value: bigint) => `0x${value.toString(16).padStart(64, '0')}` as Hex;
const addressOf = (value: bigint) => createAddressFromString(`0x${(value & ((1n << 160n) - 1n)).toString(16).padStart(40, '0')}`);
const ACCOUNT_OPS: ReadonlySet<string> = new Set(['EXTCODECOPY', 'EXTCODEHASH', 'EXTCODESIZE', 'BALANCE', 'SELFDESTRUCT']);
const CALL_OPS: ReadonlySet<string> = new Set(['CALL', 'CALLCODE', 'DELEGATECALL', 'STATICCALL']);

interface Step {
  opcode: { name: string };
  stack: bigint[];
  address: Address;
  stateManager: StateManagerInterface;
}

function exists(seen: Seen): boolean {
  return seen.nonce > 0n || seen.code.length > 0 || seen.storage.size > 0 || seen.balance !== 0n;
}

export class PrestateTracer implements Tracer<PrestateResult> {
  private readonly pre = new Map<Hex, Seen>();
  private readonly created = new Set<Hex>();
  private failure: Error | undefined;
  private bytes = 0;

  constructor(
    private readonly options: PrestateTracerOptions = {},
    private readonly maxBytes = MAX_TRACE_BYTES,
  ) {}

  get bytesUsed(): number {
    return this.bytes;
  }

  private spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) throw traceTooLarge(this.maxBytes);
  }

  private async lookupAccount(state: StateManagerInterface, address: Address): Promise<void> {
    const key = address.toString() as Hex;
    if (this.pre.has(key)) return;
    const account = await state.getAccount(address);
    const code = account === undefined ? new Uint8Array() : await state.getCode(address);
    this.spend(ACCOUNT_BASE_BYTES + (this.options.disableCode === true ? 0 : 2 * code.length));
    this.pre.set(key, { balance: account?.balance ?? 0n, nonce: account?.nonce ?? 0n, code, storage: new Map() });
  }

  private async lookupStorage(state: StateManagerInterface, address: Address, slot: Hex): Promise<void> {
    if (this.options.disableStorage === true) return;
    await this.lookupAccount(state, address);
    const seen = this.pre.get(address.toString() as Hex)!;
    if (seen.storage.has(slot)) return;
    this.spend(STORAGE_ENTRY_BYTES);
    seen.storage.set(slot, bytesToHex(setLengthLeft(await state.getStorage(address, hexToBytes(slot)), 32)) as Hex);
  }

  private async onStep(step: Step): Promise<void> {
    const { stack, stateManager: state } = step;
    const top = stack.length - 1;
    const op = step.opcode.name;
    if ((op === 'SLOAD' || op === 'SSTORE') && top >= 0) await this.lookupStorage(state, step.address, wordHex(stack[top]!));
    else if (ACCOUNT_OPS.has(op) && top >= 0) await this.lookupAccount(state, addressOf(stack[top]!));
    else if (CALL_OPS.has(op) && top >= 4) await this.lookupAccount(state, addressOf(stack[top - 1]!));
  }

  /** The EVM awaits two-argument listeners: each lookup reads the state before the step runs. */
  private readonly stepListener = (step: Step, done?: () => void): void => {
    this.onStep(step).then(
      () => done?.(),
      (error: unknown) => {
        this.failure ??= error as Error;
        done?.();
      },
    );
  };

  /** A created account, read as it is before its init code runs (its earlier balance, nothing else). */
  private readonly contractListener = (event: { address: Address }, done?: () => void): void => {
    this.created.add(event.address.toString() as Hex);
    const state = this.state;
    if (state === undefined) return done?.();
    this.lookupAccount(state, event.address).then(
      () => done?.(),
      (error: unknown) => {
        this.failure ??= error as Error;
        done?.();
      },
    );
  };

  private state: StateManagerInterface | undefined;

  /** geth's OnTxStart: the sender, the recipient and the fee recipient, before gas is bought. */
  async beforeTx(state: StateManagerInterface, tx: TypedTransaction, from: Address, coinbase: Address): Promise<void> {
    this.state = state;
    await this.lookupAccount(state, from);
    if (tx.to !== undefined) await this.lookupAccount(state, tx.to);
    await this.lookupAccount(state, coinbase);
  }

  attach(evm: TracedEvm): void {
    evm.events!.on('step', this.stepListener);
    evm.events!.on('newContract', this.contractListener);
  }

  detach(evm: TracedEvm): void {
    evm.events!.off('step', this.stepListener);
    evm.events!.off('newContract', this.contractListener);
  }

  private format(seen: Seen): PrestateAccount {
    const out: PrestateAccount = { balance: `0x${seen.balance.toString(16)}` };
    if (this.options.disableCode !== true && seen.code.length > 0) out.code = bytesToHex(seen.code) as Hex;
    if (seen.nonce > 0n) out.nonce = Number(seen.nonce);
    if (seen.storage.size > 0) out.storage = Object.fromEntries(seen.storage) as Record<Hex, Hex>;
    return out;
  }

  async result(_run: RunTxResult, _tx: TypedTransaction, state?: StateManagerInterface): Promise<PrestateResult> {
    if (this.failure !== undefined) throw this.failure;
    const post: Record<Hex, PrestateAccount> = {};
    if (this.options.diffMode === true) {
      if (state === undefined) throw new Error('prestateTracer diffMode needs the state after the transaction');
      for (const [key, seen] of [...this.pre]) {
        const address = createAddressFromString(key);
        const account = await state.getAccount(address);
        // Gone after the transaction (self-destructed): kept in pre, absent from post.
        if (account === undefined && exists(seen)) continue;
        const changed: PrestateAccount = {};
        let modified = false;
        const balance = account?.balance ?? 0n;
        const nonce = account?.nonce ?? 0n;
        if (balance !== seen.balance) {
          modified = true;
          changed.balance = `0x${balance.toString(16)}`;
        }
        if (nonce !== seen.nonce) {
          modified = true;
          changed.nonce = Number(nonce);
        }
        if (this.options.disableCode !== true) {
          const code = account === undefined ? new Uint8Array() : await state.getCode(address);
          if (bytesToHex(code) !== bytesToHex(seen.code)) {
            modified = true;
            if (code.length > 0) changed.code = bytesToHex(code) as Hex;
            this.spend(2 * code.length);
          }
        }
        const after: Record<Hex, Hex> = {};
        for (const [slot, before] of [...seen.storage]) {
          if (before === ZERO_WORD) seen.storage.delete(slot);
          const now = bytesToHex(setLengthLeft(await state.getStorage(address, hexToBytes(slot)), 32)) as Hex;
          if (now === before) seen.storage.delete(slot);
          else {
            modified = true;
            if (now !== ZERO_WORD) after[slot] = now;
          }
        }
        if (Object.keys(after).length > 0) changed.storage = after;
        if (modified) {
          this.spend(ACCOUNT_BASE_BYTES + Object.keys(after).length * STORAGE_ENTRY_BYTES);
          post[key] = changed;
        } else this.pre.delete(key);
      }
    }
    // Accounts this transaction created were empty before it: not part of its prestate.
    for (const key of this.created) {
      const seen = this.pre.get(key);
      if (seen !== undefined && !exists(seen)) this.pre.delete(key);
    }
    const pre = Object.fromEntries([...this.pre].map(([key, seen]) => [key, this.format(seen)])) as Record<Hex, PrestateAccount>;
    return this.options.diffMode === true ? { pre, post } : pre;
  }
}
