// Byte helpers shared by every layer: hex conversion, concatenation, comparison.

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new Error(`invalid hex string: ${hex.length > 80 ? hex.slice(0, 80) + '…' : hex}`);
  }
  return new Uint8Array(Buffer.from(body, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Big-endian unsigned encoding of a non-negative integer in exactly `width` bytes. */
export function uintToBytes(value: bigint | number, width: number): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new Error('uintToBytes: negative value');
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new Error(`uintToBytes: value does not fit in ${width} bytes`);
  return out;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + toHex(bytes));
}
