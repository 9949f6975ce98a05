// Checks that code on chain is a published artifact's runtime code: byte for byte, except inside
// the 32-byte immutable slots that the artifact leaves zero (solc fills them in at construction),
// a library's own address in its call protection, and the 20-byte library placeholders, which must hold the address of code that is itself the
// library's published runtime code.
import type { Hex } from 'viem';
import type { Artifact, LinkReferences } from '../../src/defi/artifacts.js';

export interface Mismatch {
  readonly reason: string;
}

/** Library addresses found at the placeholders of `references` in `code`. */
export function linkedLibraries(code: Hex, references: LinkReferences): Record<string, Hex> {
  const out: Record<string, Hex> = {};
  for (const byName of Object.values(references)) {
    for (const [name, places] of Object.entries(byName)) {
      for (const { start } of places) out[name] = `0x${code.slice(2 + start * 2, 2 + (start + 20) * 2)}` as Hex;
    }
  }
  return out;
}

/** undefined when `onchain` is `artifact`'s runtime code with only immutables and library addresses filled in. */
export function compareRuntime(onchain: Hex, artifact: Artifact, address: Hex): Mismatch | undefined {
  let published = artifact.deployedBytecode.slice(2);
  // A library's code opens with PUSH20 of its own address (solc's call protection), zero as compiled.
  const LIBRARY_PREFIX = `73${'00'.repeat(20)}`;
  if (published.startsWith(LIBRARY_PREFIX)) published = `73${address.slice(2).toLowerCase()}${published.slice(LIBRARY_PREFIX.length)}`;
  // Library placeholders: take the on-chain address (checked separately against the library's code).
  for (const byName of Object.values(artifact.deployedLinkReferences)) {
    for (const places of Object.values(byName)) {
      for (const { start, length } of places) published = published.slice(0, start * 2) + onchain.slice(2 + start * 2, 2 + (start + length) * 2) + published.slice((start + length) * 2);
    }
  }
  const chain = onchain.slice(2);
  if (chain.length !== published.length) return { reason: `${artifact.name}: ${chain.length / 2} bytes on chain, ${published.length / 2} published` };
  for (let i = 0; i < chain.length; i += 2) {
    if (chain.slice(i, i + 2) === published.slice(i, i + 2)) continue;
    // A difference must sit in a 32-byte window that is all zero in the artifact (an immutable).
    const byte = i / 2;
    let inImmutable = false;
    for (let s = Math.max(0, byte - 31); s <= byte && !inImmutable; s++) {
      if (/^0{64}$/.test(published.slice(s * 2, s * 2 + 64))) inImmutable = true;
    }
    if (!inImmutable) return { reason: `${artifact.name}: byte ${byte} differs outside any immutable slot` };
  }
  return undefined;
}
