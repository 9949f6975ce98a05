// synod_* extensions: the committee and its weights, finality certificates, consensus status
// and the genesis contracts. Quantities are hex like every other Ethereum RPC value.
import { parseBlockSelector, selectBlockNumber } from '../block-tags.js';
import type { Json } from '../format.js';
import { quantity } from '../params.js';
import { method, type MethodSpec } from './context.js';

export const synodMethods: Record<string, MethodSpec> = {
  synod_committee: method(0, 0, (_p, ctx): Json => {
    const c = ctx.backend.committee();
    return {
      epoch: c.epoch,
      totalWeight: quantity(c.totalWeight),
      quorumWeight: quantity(c.quorumWeight),
      members: c.members.map((m) => ({
        index: m.index,
        publicKey: m.publicKey,
        address: m.address ?? null,
        weight: quantity(m.weight),
      })),
    };
  }),
  synod_getCertificate: method(1, 1, (p, ctx): Json => {
    const height = selectBlockNumber(ctx.backend, parseBlockSelector(p[0], 0, false));
    const cert = height === undefined ? undefined : ctx.backend.certificate(height);
    if (cert === undefined) return null;
    return {
      chainId: quantity(cert.chainId),
      height: quantity(cert.height),
      epoch: cert.epoch,
      blockHash: cert.blockHash,
      stateRoot: cert.stateRoot,
      signatures: cert.signatures.map((s) => ({ validatorIndex: s.validatorIndex, signature: s.signature })),
    };
  }),
  synod_consensusStatus: method(0, 0, (_p, ctx): Json => {
    const s = ctx.backend.consensusStatus();
    return {
      height: quantity(s.height),
      epoch: s.epoch,
      pendingBatches: s.pendingBatches,
      mempoolSize: s.mempoolSize,
      peers: s.peers,
      proposers: s.proposers.map((p) => ({ index: p.index, included: quantity(p.included), excluded: quantity(p.excluded) })),
    };
  }),
  synod_contracts: method(0, 0, (_p, ctx): Json => ({ ...ctx.backend.contracts() })),
};
