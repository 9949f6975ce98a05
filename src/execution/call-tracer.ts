// debug_traceTransaction with geth's callTracer: the tree of call frames of one transaction
// (CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE, CREATE2), each with from, to, value, gas,
// gasUsed, input, output, error and revertReason as geth prints them. Explorers (Blockscout,
// Otterscan) and debugging tools read internal transactions from it.
import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, type Address } from '@ethereumjs/util';
import type { RunTxResult } from '@ethereumjs/vm';
import type { Hex } from '../chain/types.js';
import { ExecutionError } from './errors.js';
import { MAX_TRACE_BYTES, MAX_TRACE_CALL_FRAMES } from './limits.js';
import { traceTooLarge, type TracedEvm, type Tracer } from './trace.js';
import { gethErrorMessage } from './evm-errors.js';

export interface CallTracerOptions {
  /** Only the outermost frame, as geth's tracerConfig.onlyTopCall. */
  readonly onlyTopCall?: boolean;
}

export interface CallFrame {
  type: string;
  from: Hex;
  to?: Hex;
  value?: Hex;
  gas: Hex;
  gasUsed: Hex;
  input: Hex;
  output?: Hex;
  error?: string;
  revertReason?: string;
  calls?: CallFrame[];
}

/** What the EVM's beforeMessage / afterMessage / step events carry that the tracer reads. */
interface Message {
  to?: Address;
  caller: Address;
  value: bigint;
  gasLimit: bigint;
  data: Uint8Array;
  depth: number;
  salt?: Uint8Array;
  _codeAddress?: Address;
}
interface MessageResult {
  createdAddress?: Address;
  execResult: { returnValue: Uint8Array; executionGasUsed: bigint; exceptionError?: { error: string } };
}

const CALL_OPCODES: ReadonlySet<string> = new Set(['CALL', 'CALLCODE', 'DELEGATECALL', 'STATICCALL', 'CREATE', 'CREATE2']);
/** Frames whose value geth leaves out: they move no ether of their own. */
const NO_VALUE: ReadonlySet<string> = new Set(['DELEGATECALL', 'STATICCALL']);
const ERROR_STRING_SELECTOR = '0x08c379a0';

const quantity = (v: bigint): Hex => `0x${v.toString(16)}`;
/** JSON bytes of a call frame besides its input and output: type, from, to, value, gas, gasUsed, error. */
const CALL_FRAME_BASE_BYTES = 320;

/** The reason of a Solidity Error(string) revert, as geth's callTracer adds it. */
function revertReason(data: Uint8Array): string | undefined {
  const hex = bytesToHex(data);
  if (!hex.startsWith(ERROR_STRING_SELECTOR) || data.length < 4 + 64) return undefined;
  const body = data.subarray(4);
  const offset = Number(BigInt(bytesToHex(body.subarray(0, 32))));
  if (offset + 32 > body.length) return undefined;
  const length = Number(BigInt(bytesToHex(body.subarray(offset, offset + 32))));
  if (offset + 32 + length > body.length) return undefined;
  return Buffer.from(body.subarray(offset + 32, offset + 32 + length)).toString('utf8');
}

export class CallTracer implements Tracer<CallFrame> {
  private readonly stack: CallFrame[] = [];
  private root: CallFrame | undefined;
  /** The call opcode each frame executed last, by depth: it names the child frame's type. */
  private readonly lastOp: string[] = [];
  private frames = 0;
  /** JSON bytes of the frames kept so far (input and output hex included). */
  private bytes = 0;

  constructor(
    private readonly options: CallTracerOptions = {},
    private readonly maxBytes = MAX_TRACE_BYTES,
  ) {}

  get bytesUsed(): number {
    return this.bytes;
  }

  /** Counts a kept frame's bytes; inputs and outputs are hex, two characters a byte. */
  private spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) throw traceTooLarge(this.maxBytes);
  }

  private readonly onStep = (step: { depth: number; opcode: { name: string } }): void => {
    if (CALL_OPCODES.has(step.opcode.name)) this.lastOp[step.depth] = step.opcode.name;
  };

  private readonly onBefore = (message: Message): void => {
    if (++this.frames > MAX_TRACE_CALL_FRAMES) {
      throw new ExecutionError('TRACE_TOO_LARGE', `trace exceeds ${MAX_TRACE_CALL_FRAMES} call frames: pass tracerConfig.onlyTopCall`);
    }
    const kept = this.stack.length === 0 || this.options.onlyTopCall !== true;
    if (kept) this.spend(CALL_FRAME_BASE_BYTES + 2 * message.data.length);
    const type = this.typeOf(message);
    // DELEGATECALL and CALLCODE run the callee's code in the caller's account: geth names the
    // calling contract as `from` and the code's account as `to`.
    const borrowsCode = type === 'DELEGATECALL' || type === 'CALLCODE';
    const frame: CallFrame = {
      type,
      from: (borrowsCode ? message.to! : message.caller).toString() as Hex,
      gas: quantity(message.gasLimit),
      gasUsed: '0x0',
      input: bytesToHex(message.data) as Hex,
    };
    if (message.to !== undefined) frame.to = (borrowsCode ? message._codeAddress ?? message.to : message.to).toString() as Hex;
    if (!NO_VALUE.has(type)) frame.value = quantity(message.value);
    const parent = this.stack.at(-1);
    if (parent === undefined) this.root = frame;
    else if (this.options.onlyTopCall !== true) (parent.calls ??= []).push(frame);
    this.stack.push(frame);
  };

  private readonly onAfter = (result: MessageResult): void => {
    const frame = this.stack.pop();
    if (frame === undefined) return;
    const exec = result.execResult;
    frame.gasUsed = quantity(exec.executionGasUsed);
    if (result.createdAddress !== undefined) frame.to = result.createdAddress.toString() as Hex;
    if (exec.returnValue.length > 0) {
      const kept = this.stack.length === 0 || this.options.onlyTopCall !== true;
      if (kept) this.spend(2 * exec.returnValue.length);
      frame.output = bytesToHex(exec.returnValue) as Hex;
    }
    if (exec.exceptionError !== undefined) this.fail(frame, exec.exceptionError.error, exec.returnValue);
  };

  private typeOf(message: Message): string {
    if (message.depth === 0) return message.to === undefined ? 'CREATE' : 'CALL';
    return this.lastOp[message.depth - 1] ?? (message.to === undefined ? 'CREATE' : 'CALL');
  }

  private fail(frame: CallFrame, error: string, returnValue: Uint8Array): void {
    frame.error = gethErrorMessage(error);
    if (error !== 'revert') delete frame.output; // geth keeps output only for reverts
    else {
      const reason = revertReason(returnValue);
      if (reason !== undefined) frame.revertReason = reason;
    }
    if (frame.type === 'CREATE' || frame.type === 'CREATE2') delete frame.to;
  }

  attach(evm: TracedEvm): void {
    evm.events!.on('step', this.onStep);
    evm.events!.on('beforeMessage', this.onBefore);
    evm.events!.on('afterMessage', this.onAfter);
  }

  detach(evm: TracedEvm): void {
    evm.events!.off('step', this.onStep);
    evm.events!.off('beforeMessage', this.onBefore);
    evm.events!.off('afterMessage', this.onAfter);
  }

  /** The outermost frame carries the transaction's own gas limit and gas used, as in geth. */
  result(run: RunTxResult, tx: TypedTransaction): CallFrame {
    const root = this.root;
    if (root === undefined) throw new ExecutionError('ENGINE_FAILED', 'the EVM ran no call frame for this transaction');
    root.gas = quantity(tx.gasLimit);
    root.gasUsed = quantity(run.totalGasSpent);
    return root;
  }
}
