// synod_* extensions: the committee and its weights, finality certificates, consensus status
// and the genesis contracts. Quantities are hex like every other Ethereum RPC value.
import { parseBlockSelector, selectBlockNumber } from '../block-tags.js';
import type { Json } from '../format.js';
import { quantity } from '../params.js';
import { method, type MethodSpec } from './context.js';
import type { EpochCommitteeInfo } from '../backend.js';
import { invalidParam } from '../errors.js';

/** An epoch number: a non-negative integer or its 0x quantity. */
function epochParam(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^0x[0-9a-fA-F]{1,12}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw invalidParam(0, `epoch must be a non-negative integer or 0x quantity, got ${JSON.stringify(value)}`);
  return n;
}

function epochCommitteeJson(c: EpochCommitteeInfo): Record<string, Json> {
  return {
    epoch: c.epoch,
    firstBlock: quantity(c.firstBlock),
    lastBlock: c.lastBlock === null ? null : quantity(c.lastBlock),
    totalWeight: quantity(c.totalWeight),
    quorumWeight: quantity(c.quorumWeight),
    members: c.members.map((m) => ({
      index: m.index,
      id: m.id,
      publicKey: m.publicKey,
      address: m.address ?? null,
      weight: quantity(m.weight),
    })),
  };
}

export const synodMethods: Record<string, MethodSpec> = {
  synod_committee: method(0, 1, async (p, ctx): Promise<Json> => {
    const epoch = p[0] === undefined || p[0] === null ? undefined : epochParam(p[0]);
    const c = epoch === undefined ? ctx.backend.committee() : await ctx.backend.epochCommittee?.(epoch);
    if (c === undefined) return null;
    return { ...epochCommitteeJson(c), epochLength: c.epochLength, committeeSize: c.committeeSize, weightForm: c.weightForm, next: c.next === null ? null : epochCommitteeJson(c.next) };
  }),
  synod_validators: method(0, 0, async (_p, ctx): Promise<Json> => {
    const list = (await ctx.backend.validators?.()) ?? [];
    return list.map((v) => ({
      index: v.index,
      id: v.id,
      address: v.address,
      publicKey: v.publicKey,
      stake: quantity(v.stake),
      lock: quantity(v.lock),
      lockedUntil: quantity(v.lockedUntil),
      coefficient: v.coefficient,
      weight: quantity(v.weight),
      status: v.status,
      unbonding: quantity(v.unbonding),
      unbondingEnds: quantity(v.unbondingEnds),
    }));
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
