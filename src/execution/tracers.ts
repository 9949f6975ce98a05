// Which tracer a debug_trace* request names: geth's struct logger (the default), callTracer,
// prestateTracer, 4byteTracer and noopTracer. The last two are here; the others have their files.
import { bytesToHex, type Address } from '@ethereumjs/util';
import { CallTracer, type CallTracerOptions } from './call-tracer.js';
import { MAX_TRACE_BYTES } from './limits.js';
import { PrestateTracer, type PrestateTracerOptions } from './prestate-tracer.js';
import { StructLogger, traceTooLarge, type StructLoggerOptions, type TracedEvm, type Tracer } from './trace.js';

export type TracerName = 'callTracer' | 'prestateTracer' | '4byteTracer' | 'noopTracer';

/** debug_trace*'s options: the struct logger's flags, or a named tracer and its tracerConfig. */
export interface TraceOptions extends StructLoggerOptions {
  readonly tracer?: TracerName;
  readonly tracerConfig?: CallTracerOptions & PrestateTracerOptions;
}

/** Precompiles of Prague: 0x01 to 0x11. geth's 4byteTracer skips calls to them. */
const LAST_PRECOMPILE = 0x11n;
/** JSON bytes of one 4byteTracer entry: "0x12345678-N": count. */
const FOUR_BYTE_ENTRY_BYTES = 32;

interface Message {
  to?: Address;
  data: Uint8Array;
}

/** geth's 4byteTracer: "selector-argument bytes" -> calls, over every call frame with 4 bytes of input or more. */
export class FourByteTracer implements Tracer<Record<string, number>> {
  private readonly ids = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_TRACE_BYTES) {}

  get bytesUsed(): number {
    return this.bytes;
  }

  private readonly onBefore = (message: Message): void => {
    // Creations carry init code, not a call: geth counts CALL, CALLCODE, DELEGATECALL, STATICCALL.
    if (message.to === undefined || message.data.length < 4) return;
    if (BigInt(message.to.toString()) <= LAST_PRECOMPILE) return;
    const id = `${bytesToHex(message.data.subarray(0, 4))}-${message.data.length - 4}`;
    if (!this.ids.has(id)) {
      this.bytes += FOUR_BYTE_ENTRY_BYTES;
      if (this.bytes > this.maxBytes) throw traceTooLarge(this.maxBytes);
    }
    this.ids.set(id, (this.ids.get(id) ?? 0) + 1);
  };

  attach(evm: TracedEvm): void {
    evm.events!.on('beforeMessage', this.onBefore);
  }

  detach(evm: TracedEvm): void {
    evm.events!.off('beforeMessage', this.onBefore);
  }

  result(): Record<string, number> {
    return Object.fromEntries(this.ids);
  }
}

/** geth's noopTracer: runs the transaction and answers {}. */
export class NoopTracer implements Tracer<Record<string, never>> {
  readonly bytesUsed = 0;
  attach(): void {}
  detach(): void {}
  result(): Record<string, never> {
    return {};
  }
}

/** The tracer `options` name, spending at most `maxBytes` of JSON. */
export function createTracer(options: TraceOptions, maxBytes = MAX_TRACE_BYTES): Tracer<unknown> {
  switch (options.tracer) {
    case 'callTracer':
      return new CallTracer({ onlyTopCall: options.tracerConfig?.onlyTopCall }, maxBytes);
    case 'prestateTracer':
      return new PrestateTracer(options.tracerConfig ?? {}, maxBytes);
    case '4byteTracer':
      return new FourByteTracer(maxBytes);
    case 'noopTracer':
      return new NoopTracer();
    default:
      return new StructLogger(options, maxBytes);
  }
}

