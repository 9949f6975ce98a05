// The validator governance system contract (contracts/system/SynodValidatorGovernance.sol) as
// the node sees it: its fixed address, its genesis state (the voting period; no code runs), and
// its proposals read through the EVM for synod_validatorProposals. What a passed proposal changes
// lives in the staking contract (staking.ts readChainParameters, the weights), read at each
// epoch boundary, so nothing here is on consensus's path.
import { decodeFunctionResult, encodeFunctionData, type Abi } from 'viem';
import type { Hex } from '../chain/types.js';
import { toHex, uintToBytes } from '../crypto/bytes.js';
import { ConfigError } from './errors.js';
import { systemContract, type StakingReader } from './staking.js';

/** Where every genesis with staking puts the validator governance (synod_contracts "validatorGovernance"). */
export const VALIDATOR_GOVERNANCE_ADDRESS: Hex = '0x0000000000000000000000000000000000005701';
/** Blocks a proposal stays open for votes, unless the genesis says. */
export const DEFAULT_VOTING_PERIOD_BLOCKS = 600;
/** Bounds of the voting period (blocks). */
export const MIN_VOTING_PERIOD_BLOCKS = 1;
export const MAX_VOTING_PERIOD_BLOCKS = 10_000_000;
/** Most proposals one synod_validatorProposals answer reads (the newest first). */
export const MAX_PROPOSALS_PER_ANSWER = 100;

/** Proposal kinds, as the contract numbers them. */
export const PROPOSAL_KINDS = ['', 'committeeSize', 'maxLock', 'epochLength', 'coefficient', 'removeValidator', 'admitValidator'] as const;
export type ProposalKind = Exclude<(typeof PROPOSAL_KINDS)[number], ''>;
export const PROPOSAL_STATES = ['active', 'passed', 'executed', 'defeated'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** Storage slots of SynodValidatorGovernance (its source names them). */
const SLOT = { proposals: 0n, votingPeriod: 1n } as const;

const contract = (): { readonly abi: Abi; readonly deployedBytecode: Hex } => systemContract('SynodValidatorGovernance');
export const validatorGovernanceAbi = (): Abi => contract().abi;

const word = (value: bigint): Hex => `0x${toHex(uintToBytes(value, 32))}` as Hex;

/** The contract's genesis account: code and the voting period. */
export function validatorGovernanceGenesisAccount(votingPeriodBlocks = DEFAULT_VOTING_PERIOD_BLOCKS): { balance: string; code: Hex; storage: Record<Hex, Hex> } {
  if (!Number.isSafeInteger(votingPeriodBlocks) || votingPeriodBlocks < MIN_VOTING_PERIOD_BLOCKS || votingPeriodBlocks > MAX_VOTING_PERIOD_BLOCKS) {
    throw new ConfigError(`the validator governance's voting period must be an integer number of blocks from ${MIN_VOTING_PERIOD_BLOCKS} to ${MAX_VOTING_PERIOD_BLOCKS}, got ${votingPeriodBlocks}`);
  }
  return { balance: '0', code: contract().deployedBytecode, storage: { [word(SLOT.votingPeriod)]: word(BigInt(votingPeriodBlocks)) } };
}

/** One proposal as synod_validatorProposals lists it. */
export interface ValidatorProposal {
  readonly id: bigint;
  readonly kind: ProposalKind;
  /** The validator index it concerns (coefficient, removeValidator, admitValidator), else null. */
  readonly target: bigint | null;
  /** The new K, T (epochs), E (blocks) or C_i (scaled by 1e6); null for removal and admission. */
  readonly value: bigint | null;
  readonly proposer: bigint;
  readonly snapshotBlock: bigint;
  readonly deadlineBlock: bigint;
  readonly yesStake: bigint;
  readonly noStake: bigint;
  readonly totalStake: bigint;
  readonly state: ProposalState;
  readonly executedBlock: bigint | null;
}

async function call<T>(reader: StakingReader, functionName: string, args: readonly unknown[], height?: bigint): Promise<T> {
  const abi = validatorGovernanceAbi();
  const result = await reader.call({ to: VALIDATOR_GOVERNANCE_ADDRESS, data: encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]) }, height);
  if (result.reverted || result.error !== undefined) throw new Error(`reading the validator governance (${functionName}) failed: ${result.error ?? 'reverted'}`);
  return decodeFunctionResult({ abi, functionName, data: result.returnData } as Parameters<typeof decodeFunctionResult>[0]) as T;
}

export async function readProposalCount(reader: StakingReader, height?: bigint): Promise<bigint> {
  return call<bigint>(reader, 'proposalCount', [], height);
}

/** Proposal `id` with its state at `height` (the head when absent). */
export async function readProposal(reader: StakingReader, id: bigint, height?: bigint): Promise<ValidatorProposal> {
  const [p, state] = await Promise.all([call<Record<string, bigint>>(reader, 'proposal', [id], height), call<bigint>(reader, 'state', [id], height)]);
  const kind = PROPOSAL_KINDS[Number(p.kind)] as ProposalKind;
  const targeted = kind === 'coefficient' || kind === 'removeValidator' || kind === 'admitValidator';
  return {
    id,
    kind,
    target: targeted ? p.target! : null,
    value: kind === 'removeValidator' || kind === 'admitValidator' ? null : p.value!,
    proposer: p.proposer!,
    snapshotBlock: p.snapshot!,
    deadlineBlock: p.deadline!,
    yesStake: p.yes!,
    noStake: p.no!,
    totalStake: p.total!,
    state: PROPOSAL_STATES[Number(state)]!,
    executedBlock: p.executedAt === 0n ? null : p.executedAt!,
  };
}

/**
 * Proposals newest first: from id `before - 1` down (every proposal when `before` is absent), at
 * most `count` (MAX_PROPOSALS_PER_ANSWER). None on a chain whose genesis lacks the contract.
 */
export async function listProposals(
  genesis: { readonly alloc: Record<Hex, { code?: Hex }> },
  reader: StakingReader,
  options: { readonly before?: bigint; readonly count?: number } = {},
): Promise<ValidatorProposal[]> {
  if (genesis.alloc[VALIDATOR_GOVERNANCE_ADDRESS]?.code === undefined) return [];
  const total = await readProposalCount(reader);
  const end = options.before === undefined || options.before > total ? total : options.before;
  const count = Math.min(options.count ?? MAX_PROPOSALS_PER_ANSWER, MAX_PROPOSALS_PER_ANSWER);
  const ids: bigint[] = [];
  for (let id = end - 1n; id >= 0n && ids.length < count; id--) ids.push(id);
  return Promise.all(ids.map((id) => readProposal(reader, id)));
}

/** One proposal, or undefined when there is none with this id. */
export async function findProposal(genesis: { readonly alloc: Record<Hex, { code?: Hex }> }, reader: StakingReader, id: bigint): Promise<ValidatorProposal | undefined> {
  if (genesis.alloc[VALIDATOR_GOVERNANCE_ADDRESS]?.code === undefined) return undefined;
  if (id >= (await readProposalCount(reader))) return undefined;
  return readProposal(reader, id);
}
