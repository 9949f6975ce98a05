// synod_* extensions: the committee and its weights, finality certificates, consensus status
// and the genesis contracts. Quantities are hex like every other Ethereum RPC value.
import { parseBlockSelector, selectBlockNumber } from '../block-tags.js';
import type { Json } from '../format.js';
import { quantity } from '../params.js';
import { method, type MethodSpec } from './context.js';
import type { EpochCommitteeInfo, ValidatorProposalInfo } from '../backend.js';
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

/** A 0x quantity or a non-negative safe integer, as a bigint. */
function quantityParam(value: unknown, index: number, name: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/.test(value)) return BigInt(value);
  throw invalidParam(index, `${name} must be a non-negative integer or 0x quantity, got ${JSON.stringify(value)}`);
}

/** synod_validatorProposals' optional filter: {before?: id, count?: 1..100}. */
function proposalListParam(value: unknown): { before?: bigint; count?: number } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(0, 'the filter must be an object {"before"?: id, "count"?: 1 to 100}');
  const { before, count, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalidParam(0, `unknown filter field ${JSON.stringify(unknown[0])}: use "before" and "count"`);
  const out: { before?: bigint; count?: number } = {};
  if (before !== undefined) out.before = quantityParam(before, 0, 'before');
  if (count !== undefined) {
    const n = Number(quantityParam(count, 0, 'count'));
    if (n < 1 || n > 100) throw invalidParam(0, `count must be from 1 to 100, got ${n}`);
    out.count = n;
  }
  return out;
}

function proposalJson(p: ValidatorProposalInfo): Json {
  return {
    id: quantity(p.id),
    kind: p.kind,
    target: p.target === null ? null : quantity(p.target),
    value: p.value === null ? null : quantity(p.value),
    proposer: quantity(p.proposer),
    snapshotBlock: quantity(p.snapshotBlock),
    deadlineBlock: quantity(p.deadlineBlock),
    yesStake: quantity(p.yesStake),
    noStake: quantity(p.noStake),
    totalStake: quantity(p.totalStake),
    state: p.state,
    executedBlock: p.executedBlock === null ? null : quantity(p.executedBlock),
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
      registeredAt: quantity(v.registeredAt),
    }));
  }),
  synod_validatorProposals: method(0, 1, async (p, ctx): Promise<Json> => {
    const options = proposalListParam(p[0]);
    return ((await ctx.backend.validatorProposals?.(options)) ?? []).map(proposalJson);
  }),
  synod_validatorProposal: method(1, 1, async (p, ctx): Promise<Json> => {
    const found = await ctx.backend.validatorProposal?.(quantityParam(p[0], 0, 'id'));
    return found === undefined ? null : proposalJson(found);
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
