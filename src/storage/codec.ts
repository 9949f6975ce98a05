// Value encoding for the store: JSON with two tagged forms, {"$big":"<decimal>"} for bigint and
// {"$bytes":"<hex>"} for Uint8Array, so records and journal entries round-trip exactly.
// JSON (not msgpack) because it is readable in a hex dump and its bigint handling is ours.

const BIG_TAG = '$big';
const BYTES_TAG = '$bytes';

function replacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify hands Uint8Array to the replacer as itself (no toJSON), bigint likewise.
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return { [BIG_TAG]: raw.toString(10) };
  if (raw instanceof Uint8Array) return { [BYTES_TAG]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const tagged = value as Record<string, unknown>;
      if (typeof tagged[BIG_TAG] === 'string') return BigInt(tagged[BIG_TAG]);
      if (typeof tagged[BYTES_TAG] === 'string') return new Uint8Array(Buffer.from(tagged[BYTES_TAG], 'hex'));
    }
  }
  return value;
}

export function encodeValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, replacer), 'utf8');
}

export function decodeValue<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), reviver) as T;
}
