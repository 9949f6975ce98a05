// Block selectors: tags, numbers and EIP-1898 objects. On Synod every published block is final
// (docs/decisions/0006-rpc-block-tags.md), so latest, safe and finalized all name the head;
// pending names the head's state plus, for nonces only, the mempool.
import type { Hex } from '../chain/types.js';
import type { RpcBackend } from './backend.js';
import { invalidParam, serverError } from './errors.js';
import { describe, parseBool, parseHash, parseQuantity } from './params.js';

export type BlockTag = 'latest' | 'safe' | 'finalized' | 'pending' | 'earliest';
const TAGS: ReadonlySet<string> = new Set(['latest', 'safe', 'finalized', 'pending', 'earliest']);

export type BlockSelector =
  | { readonly kind: 'tag'; readonly tag: BlockTag }
  | { readonly kind: 'number'; readonly number: bigint }
  | { readonly kind: 'hash'; readonly hash: Hex };

export const LATEST: BlockSelector = { kind: 'tag', tag: 'latest' };

/** A tag or a number; with `allowHash`, also EIP-1898's {blockHash} / {blockNumber} objects. */
export function parseBlockSelector(value: unknown, index: number, allowHash: boolean): BlockSelector {
  if (value === undefined || value === null) return LATEST;
  if (typeof value === 'string') {
    if (TAGS.has(value)) return { kind: 'tag', tag: value as BlockTag };
    if (allowHash && value.length === 66) return { kind: 'hash', hash: parseHash(value, index, 'block hash') };
    return { kind: 'number', number: parseQuantity(value, index, 'block number or tag (latest, safe, finalized, pending, earliest)') };
  }
  if (allowHash && typeof value === 'object' && !Array.isArray(value)) {
    return parseEip1898(value as Record<string, unknown>, index);
  }
  throw invalidParam(index, `expected a block number or tag${allowHash ? ' or {blockHash}/{blockNumber}' : ''}, got ${describe(value)}`);
}

function parseEip1898(o: Record<string, unknown>, index: number): BlockSelector {
  const hasHash = o.blockHash !== undefined;
  const hasNumber = o.blockNumber !== undefined;
  if (hasHash === hasNumber) throw invalidParam(index, 'block object needs exactly one of blockHash or blockNumber');
  // Every block is canonical on a chain without forks, so requireCanonical is always met.
  if (o.requireCanonical !== undefined) parseBool(o.requireCanonical, index, 'requireCanonical');
  if (hasHash) return { kind: 'hash', hash: parseHash(o.blockHash, index, 'blockHash') };
  return parseBlockSelector(o.blockNumber, index, false);
}

/** The block number a selector names, or undefined when it names no block (yet). */
export function selectBlockNumber(backend: RpcBackend, selector: BlockSelector): bigint | undefined {
  switch (selector.kind) {
    case 'tag':
      return selector.tag === 'earliest' ? 0n : backend.headNumber();
    case 'number':
      return selector.number <= backend.headNumber() ? selector.number : undefined;
    case 'hash':
      return backend.getBlockByHash(selector.hash)?.number;
  }
}

/** For state queries: the block number, or geth's -32000 error when the block does not exist. */
export function stateBlockNumber(backend: RpcBackend, selector: BlockSelector): bigint {
  const number = selectBlockNumber(backend, selector);
  if (number !== undefined) return number;
  throw serverError(selector.kind === 'hash' ? 'header for hash not found' : 'header not found');
}
