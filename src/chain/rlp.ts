// A bound on the shape of RLP (Ethereum Yellow Paper, appendix B) before it is decoded. The
// decoder (@ethereumjs/rlp) recurses once per nested list and copies each list's contents at
// every level, so 120 KB of nested lists cost it seconds, and a frame of one-byte items becomes
// one object per byte: 16 MB took 52 s and 3.7 GB. Transactions and the node's wire messages
// nest a few lists deep, so this scan, linear in the bytes and reading only headers, refuses
// anything deeper or with more items than its format can hold before the decoder sees it.

export interface RlpShapeLimits {
  /** Most lists nested inside one another (a list of byte strings is depth 1). */
  readonly maxDepth: number;
  /** Most items in all, lists and byte strings, the outermost one included. */
  readonly maxItems: number;
}

/**
 * Lists nested in a signed transaction (legacy, EIP-2930, EIP-1559): the transaction, its access
 * list, an entry of it, the entry's storage keys.
 */
export const MAX_TRANSACTION_RLP_DEPTH = 4;

/** Why a signed transaction (a typed envelope or legacy RLP) is shaped as none is, or undefined. */
export function transactionShapeViolation(raw: Uint8Array): string | undefined {
  if (raw.length === 0) return undefined;
  const payload = raw[0]! >= 0xc0 ? raw : raw.subarray(1);
  // Every item takes a byte at least: the caller's size bound bounds the items.
  return rlpShapeViolation(payload, { maxDepth: MAX_TRANSACTION_RLP_DEPTH, maxItems: payload.length + 1 });
}

/**
 * Why `bytes` exceeds `limits`, or undefined when it does not. Framing errors (a length past
 * the end, a truncated header) are not reported here: the decoder refuses those itself, and
 * until it meets them it has descended no deeper than this scan allowed.
 */
export function rlpShapeViolation(bytes: Uint8Array, limits: RlpShapeLimits): string | undefined {
  const ends: number[] = []; // end offset of each open list, innermost last
  let items = 0;
  let offset = 0;
  while (offset < bytes.length) {
    while (ends.length > 0 && offset >= ends[ends.length - 1]!) ends.pop();
    const header = readHeader(bytes, offset);
    if (header === undefined) return undefined;
    if (++items > limits.maxItems) return `more than ${limits.maxItems} RLP items`;
    const end = offset + header.headerBytes + header.payloadBytes;
    if (end > (ends.length > 0 ? ends[ends.length - 1]! : bytes.length)) return undefined;
    if (header.list) {
      if (ends.length + 1 > limits.maxDepth) return `RLP lists nested more than ${limits.maxDepth} deep`;
      ends.push(end);
      offset += header.headerBytes;
    } else {
      offset = end;
    }
  }
  return undefined;
}

interface Header {
  readonly list: boolean;
  readonly headerBytes: number;
  readonly payloadBytes: number;
}

function readHeader(bytes: Uint8Array, offset: number): Header | undefined {
  const first = bytes[offset]!;
  if (first < 0x80) return { list: false, headerBytes: 0, payloadBytes: 1 };
  if (first <= 0xb7) return { list: false, headerBytes: 1, payloadBytes: first - 0x80 };
  if (first <= 0xbf) return longHeader(bytes, offset, first - 0xb7, false);
  if (first <= 0xf7) return { list: true, headerBytes: 1, payloadBytes: first - 0xc0 };
  return longHeader(bytes, offset, first - 0xf7, true);
}

function longHeader(bytes: Uint8Array, offset: number, lengthBytes: number, list: boolean): Header | undefined {
  if (offset + lengthBytes >= bytes.length) return undefined;
  let payloadBytes = 0;
  for (let i = 1; i <= lengthBytes; i++) {
    payloadBytes = payloadBytes * 256 + bytes[offset + i]!;
    // Longer than any input: the decoder refuses it as running past the end.
    if (payloadBytes > bytes.length) return undefined;
  }
  return { list, headerBytes: 1 + lengthBytes, payloadBytes };
}
