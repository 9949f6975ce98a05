// Which committee member proposes a sender's transactions (docs/decisions/0008-transaction-
// routing.md). One owner per sender keeps that sender's nonces in order inside one batch and
// stops every member from proposing the same transactions; the epoch seed re-deals the owners
// every epoch so no member keeps a sender for long.
import { createHash } from 'node:crypto';
import { fromHex } from '../crypto/bytes.js';
import type { Hex } from '../chain/types.js';

/** Domain tag: the routing hash can never collide with another use of SHA-256 in the protocol. */
const ROUTING_DOMAIN = new TextEncoder().encode('synod/mempool/owner/v1');
/**
 * Bytes of the digest read as the owner draw. 6 bytes (2^48) keep the modulo bias below
 * committeeSize / 2^48, negligible for any committee, and fit a JavaScript number exactly.
 */
const DRAW_BYTES = 6;
const ADDRESS_BYTES = 20;
const EMPTY_SEED = new Uint8Array(0);

/**
 * The committee member (0-based index in committee order) whose batch carries `sender`'s
 * transactions: SHA-256("synod/mempool/owner/v1" || epochSeed || sender) read as a big-endian
 * 48-bit integer, modulo `committeeSize`. Deterministic, so every node routes alike.
 */
export function ownerOf(sender: Hex, committeeSize: number, epochSeed: Uint8Array = EMPTY_SEED): number {
  if (!Number.isSafeInteger(committeeSize) || committeeSize < 1) {
    throw new RangeError(`ownerOf: committeeSize must be a positive integer, got ${committeeSize}`);
  }
  const address = fromHex(sender);
  if (address.length !== ADDRESS_BYTES) {
    throw new RangeError(`ownerOf: sender must be a 20-byte address, got ${address.length} bytes`);
  }
  const digest = createHash('sha256').update(ROUTING_DOMAIN).update(epochSeed).update(address).digest();
  return digest.readUIntBE(0, DRAW_BYTES) % committeeSize;
}
