// Encoding of JSON-RPC values (hex quantities without leading zeros, lowercase data) and
// strict parsing of request parameters, with messages that name the argument and the fix.
import type { Hex } from '../chain/types.js';
import type { AccessListEntry, CallParams } from './backend.js';
import { invalidParam } from './errors.js';

/** A uint256 never needs more hex digits than this. */
const MAX_QUANTITY_HEX_DIGITS = 64;
const QUANTITY_RE = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;
const DATA_RE = /^0x([0-9a-fA-F]{2})*$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const HASH_RE = /^0x[0-9a-fA-F]{64}$/;

export function quantity(value: bigint | number): Hex {
  return `0x${value.toString(16)}`;
}

/** Characters of a client's value quoted back in an error message. */
const DESCRIBE_CHARS_MAX = 80;

/**
 * A client's value as JSON, cut to DESCRIBE_CHARS_MAX characters. It reads only as much of the
 * value as it shows: a parameter may be nested deeper than JSON.stringify's stack allows, or
 * megabytes long, and an error message must cost neither.
 */
export function describe(value: unknown): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  // Each level emits at least one character, so the budget also bounds the depth.
  const walk = (v: unknown): void => {
    if (length > DESCRIBE_CHARS_MAX) return;
    if (Array.isArray(v)) {
      emit('[');
      for (let i = 0; i < v.length && length <= DESCRIBE_CHARS_MAX; i++) {
        if (i > 0) emit(',');
        walk(v[i]);
      }
      emit(']');
    } else if (v !== null && typeof v === 'object') {
      emit('{');
      let first = true;
      for (const key in v) {
        if (length > DESCRIBE_CHARS_MAX) break;
        if (!Object.hasOwn(v, key)) continue;
        emit(`${first ? '' : ','}${JSON.stringify(key.slice(0, DESCRIBE_CHARS_MAX))}:`);
        first = false;
        walk((v as Record<string, unknown>)[key]);
      }
      emit('}');
    } else if (typeof v === 'string') {
      emit(JSON.stringify(v.length > DESCRIBE_CHARS_MAX ? v.slice(0, DESCRIBE_CHARS_MAX + 1) : v));
    } else {
      emit(typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? String(v)));
    }
  };
  walk(value);
  const text = parts.join('');
  return text.length > DESCRIBE_CHARS_MAX ? `${text.slice(0, DESCRIBE_CHARS_MAX - 3)}...` : text;
}

export function parseQuantity(value: unknown, index: number, what = 'quantity'): bigint {
  if (typeof value !== 'string' || !value.startsWith('0x') && !value.startsWith('0X')) {
    throw invalidParam(index, `${what} must be a 0x-prefixed hex number, got ${describe(value)}`);
  }
  if (!QUANTITY_RE.test(value)) {
    throw invalidParam(index, `${what} must be hex without leading zeros (e.g. "0x1a"), got ${describe(value)}`);
  }
  if (value.length - 2 > MAX_QUANTITY_HEX_DIGITS) throw invalidParam(index, `${what} exceeds 256 bits`);
  return BigInt(value);
}

export function parseData(value: unknown, index: number, what = 'data'): Hex {
  if (typeof value !== 'string' || !DATA_RE.test(value)) {
    throw invalidParam(index, `${what} must be 0x-prefixed hex with an even number of digits, got ${describe(value)}`);
  }
  return value.toLowerCase() as Hex;
}

export function parseAddress(value: unknown, index: number, what = 'address'): Hex {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) {
    throw invalidParam(index, `${what} must be a 20-byte 0x-prefixed hex address, got ${describe(value)}`);
  }
  return value.toLowerCase() as Hex;
}

export function parseHash(value: unknown, index: number, what = 'hash'): Hex {
  if (typeof value !== 'string' || !HASH_RE.test(value)) {
    throw invalidParam(index, `${what} must be a 32-byte 0x-prefixed hex hash, got ${describe(value)}`);
  }
  return value.toLowerCase() as Hex;
}

/** A storage slot: geth accepts any quantity or data up to 32 bytes and left-pads it. */
export function parseSlot(value: unknown, index: number): Hex {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw invalidParam(index, `storage slot must be 0x-prefixed hex of at most 32 bytes, got ${describe(value)}`);
  }
  return `0x${value.slice(2).toLowerCase().padStart(64, '0')}`;
}

export function parseBool(value: unknown, index: number, what = 'flag'): boolean {
  if (typeof value !== 'boolean') throw invalidParam(index, `${what} must be true or false, got ${describe(value)}`);
  return value;
}

export function parseObject(value: unknown, index: number, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam(index, `${what} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function optional<T>(obj: Record<string, unknown>, key: string, parse: (v: unknown) => T): T | undefined {
  const v = obj[key];
  return v === undefined || v === null ? undefined : parse(v);
}

function parseAccessList(value: unknown, index: number): AccessListEntry[] {
  if (!Array.isArray(value)) throw invalidParam(index, `accessList must be an array, got ${describe(value)}`);
  return value.map((entry) => {
    const e = parseObject(entry, index, 'accessList entry');
    const keys = e.storageKeys ?? [];
    if (!Array.isArray(keys)) throw invalidParam(index, 'accessList storageKeys must be an array');
    return {
      address: parseAddress(e.address, index, 'accessList address'),
      storageKeys: keys.map((k) => parseHash(k, index, 'accessList storage key')),
    };
  });
}

/** The transaction object of eth_call / eth_estimateGas (geth's TransactionArgs). */
export function parseCallParams(value: unknown, index: number): CallParams {
  const o = parseObject(value, index, 'transaction call object');
  const q = (what: string) => (v: unknown) => parseQuantity(v, index, what);
  // `input` is the current name, `data` the legacy one; geth refuses both when they differ.
  const input = optional(o, 'input', (v) => parseData(v, index, 'input'));
  const data = optional(o, 'data', (v) => parseData(v, index, 'data'));
  if (input !== undefined && data !== undefined && input !== data) {
    throw invalidParam(index, 'both "data" and "input" are set and not equal; please use "input" to pass transaction call data');
  }
  if (o.gasPrice != null && (o.maxFeePerGas != null || o.maxPriorityFeePerGas != null)) {
    throw invalidParam(index, 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified');
  }
  return {
    from: optional(o, 'from', (v) => parseAddress(v, index, 'from')),
    to: optional(o, 'to', (v) => parseAddress(v, index, 'to')),
    gas: optional(o, 'gas', q('gas')),
    gasPrice: optional(o, 'gasPrice', q('gasPrice')),
    maxFeePerGas: optional(o, 'maxFeePerGas', q('maxFeePerGas')),
    maxPriorityFeePerGas: optional(o, 'maxPriorityFeePerGas', q('maxPriorityFeePerGas')),
    value: optional(o, 'value', q('value')),
    data: input ?? data,
    nonce: optional(o, 'nonce', q('nonce')),
    accessList: optional(o, 'accessList', (v) => parseAccessList(v, index)),
  };
}
