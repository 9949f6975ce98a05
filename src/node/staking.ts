// The staking system contract (contracts/system/SynodStaking.sol) as the node sees it: its fixed
// address, its genesis state written from the genesis's staking records (no code runs: the slots
// are computed here, and a test reads them back through the contract), and the validators and
// weights read from it at a block, from which each epoch's committee is drawn.
import { readFileSync } from 'node:fs';
import { decodeFunctionResult, encodeFunctionData, type Abi } from 'viem';
import type { Hex } from '../chain/types.js';
import { concatBytes, fromHex, toHex, uintToBytes, utf8 } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/hash.js';
import type { EpochSegment, EpochValidator } from '../stake/epochs.js';
import { rational } from '../stake/rational.js';
import { exactStakeWeights, weightUnits, type WeightForm } from '../stake/weight.js';
import { ConfigError } from './errors.js';

/** Where every genesis puts the staking contract (synod_contracts "staking"). */
export const STAKING_ADDRESS: Hex = '0x0000000000000000000000000000000000005700';
/** Wei per token: S_i is the stake in whole tokens of the native currency. */
export const WEI_PER_TOKEN = 10n ** 18n;
/** C_i is stored as an integer over this scale (SynodStaking.COEFFICIENT_SCALE). */
export const COEFFICIENT_SCALE = 1_000_000n;
/** The least stake of a registration, and of what an unstake leaves (tokens), unless the genesis says. */
export const DEFAULT_MIN_STAKE_TOKENS = 1;
/** Epochs between an unstake request and its withdrawal, unless the genesis says. */
export const DEFAULT_UNBONDING_EPOCHS = 1;
export const STATUS_ACTIVE = 1n;
export const STATUS_EXITED = 2n;
/** Removed by validator governance: weighs nothing until admitted again. */
export const STATUS_REMOVED = 3n;
/** Registered where admission is by governance, not admitted yet. */
export const STATUS_PENDING = 4n;
export const STATUS_NAMES: Record<string, string> = { '1': 'active', '2': 'exited', '3': 'removed', '4': 'pending' };
/** Storage slots of SynodStaking (its source names them). */
const SLOT = { validators: 0n, indexOfKey: 1n, indexOfId: 2n, maxLock: 3n, epochLength: 4n, minStake: 5n, unbondingEpochs: 6n, defaultCoefficient: 7n, committeeSize: 8n, admissionByGovernance: 9n, totalStake: 10n, epochChanges: 11n } as const;
/** Slots per EpochChange struct (firstEpoch, firstBlock, length). */
const EPOCH_CHANGE_FIELDS = 3;
/** Slots per Validator struct: every field takes one. */
const VALIDATOR_FIELDS = ['id', 'publicKey', 'owner', 'stake', 'lock', 'lockedUntil', 'coefficient', 'unbonding', 'unbondingEnds', 'status', 'registeredAt'] as const;

interface SystemBuild {
  readonly contracts: Record<string, { readonly abi: Abi; readonly deployedBytecode: Hex }>;
}
let build: SystemBuild | undefined;
/** A system contract's ABI and runtime code from contracts/build/system.json. */
export function systemContract(name: string): { readonly abi: Abi; readonly deployedBytecode: Hex } {
  build ??= JSON.parse(readFileSync(new URL('../../contracts/build/system.json', import.meta.url), 'utf8')) as SystemBuild;
  const contract = build.contracts[name];
  if (contract === undefined) throw new Error(`contracts/build/system.json has no ${name}: run node scripts/compile-defi.mjs`);
  return contract;
}
export const stakingAbi = (): Abi => systemContract('SynodStaking').abi;

/** One validator's record in the contract. */
export interface StakingRecord {
  readonly index: number;
  readonly id: string;
  readonly publicKey: Hex;
  readonly owner: Hex;
  readonly stake: bigint; // wei
  readonly lock: bigint; // epochs
  readonly lockedUntil: bigint;
  readonly coefficient: bigint; // scaled by COEFFICIENT_SCALE
  readonly unbonding: bigint;
  readonly unbondingEnds: bigint;
  readonly status: bigint;
  /** Block of the registration (0: genesis). */
  readonly registeredAt: bigint;
}

export interface StakingParams {
  /** T, in epochs (an integer on chain). */
  readonly maxLock: number;
  readonly epochLength: number;
  readonly minStakeTokens?: number;
  readonly unbondingEpochs?: number;
  /** K, the seats of each committee drawn. */
  readonly committeeSize: number;
  /** 'governance': a registration waits for a validator-governance vote to admit it. */
  readonly admission?: StakingAdmission;
}

export type StakingAdmission = 'open' | 'governance';
export const STAKING_ADMISSIONS: readonly StakingAdmission[] = ['open', 'governance'];

export interface GenesisStaker {
  readonly id: string;
  readonly publicKey: Hex;
  readonly stake: number;
  readonly lock: number;
  readonly coefficient: number;
  readonly owner?: Hex;
}

/** The id as the contract's bytes32: UTF-8, left-aligned, at most 32 bytes. */
export function idToBytes32(id: string, field = 'id'): Hex {
  const bytes = utf8(id);
  if (bytes.length === 0 || bytes.length > 32) throw new ConfigError(`${field} "${id}" must be 1 to 32 bytes of UTF-8 to be registered in the staking contract`);
  const out = new Uint8Array(32);
  out.set(bytes);
  return `0x${toHex(out)}` as Hex;
}

/**
 * The id a bytes32 names: its UTF-8 text without the trailing zeros, or, when those bytes are not
 * valid UTF-8, the bytes32 itself in hex (66 characters: never the text of a valid id, which is at
 * most 32 bytes). Distinct bytes32 values therefore always give distinct ids, so no registration
 * can make the draw see one id twice.
 */
export function bytes32ToId(value: Hex): string {
  const bytes = fromHex(value);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  try {
    return strictUtf8.decode(bytes.subarray(0, end));
  } catch {
    return value.toLowerCase();
  }
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A decimal number of tokens as wei, exactly (at most 18 decimals). */
export function tokensToWei(tokens: number, field: string): bigint {
  const text = String(tokens);
  const match = /^(\d+)(?:\.(\d{1,18}))?$/.exec(text);
  if (!match) throw new ConfigError(`${field} must be a non-negative number of tokens with at most 18 decimals, got ${text}`);
  return BigInt(match[1]!) * WEI_PER_TOKEN + BigInt((match[2] ?? '').padEnd(18, '0'));
}

function wholeNumber(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${field} must be a whole number of epochs to be held by the staking contract, got ${value}`);
  return BigInt(value);
}

function scaledCoefficient(value: number, field: string): bigint {
  const scaled = value * Number(COEFFICIENT_SCALE);
  if (!Number.isFinite(value) || value < 0 || Math.abs(scaled - Math.round(scaled)) > 1e-9 * Math.max(1, scaled)) {
    throw new ConfigError(`${field} must be a non-negative number with at most 6 decimals, got ${value}`);
  }
  return BigInt(Math.round(scaled));
}

const word = (value: bigint): Hex => `0x${toHex(uintToBytes(value, 32))}` as Hex;
const slotKey = (slot: bigint): Hex => word(slot);
const mappingSlot = (key: Hex, slot: bigint): bigint => BigInt(`0x${toHex(keccak256(concatBytes(fromHex(key), uintToBytes(slot, 32))))}`);

/**
 * The contract's genesis account: its code, a balance holding every genesis stake, and the
 * storage that registers each genesis validator (locked from epoch 0 for its lock).
 */
export function stakingGenesisAccount(stakers: readonly GenesisStaker[], params: StakingParams): { balance: string; code: Hex; storage: Record<Hex, Hex> } {
  const storage: Record<Hex, Hex> = {};
  const put = (slot: bigint, value: bigint | Hex): void => {
    const v = typeof value === 'bigint' ? word(value) : value;
    if (BigInt(v) !== 0n) storage[slotKey(slot)] = v;
  };
  const base = BigInt(`0x${toHex(keccak256(uintToBytes(SLOT.validators, 32)))}`);
  let total = 0n;
  put(SLOT.validators, BigInt(stakers.length));
  stakers.forEach((s, i) => {
    const field = `staking.validators[${i}]`;
    const id = idToBytes32(s.id, `${field}.id`);
    const stake = tokensToWei(s.stake, `${field}.stake`);
    const lock = wholeNumber(s.lock, `${field}.lock`);
    const values: Record<(typeof VALIDATOR_FIELDS)[number], bigint | Hex> = {
      id,
      publicKey: s.publicKey,
      owner: s.owner === undefined ? 0n : BigInt(s.owner),
      stake,
      lock,
      lockedUntil: lock,
      coefficient: scaledCoefficient(s.coefficient, `${field}.coefficient`),
      unbonding: 0n,
      unbondingEnds: 0n,
      status: stake > 0n ? STATUS_ACTIVE : STATUS_EXITED,
      registeredAt: 0n,
    };
    VALIDATOR_FIELDS.forEach((name, f) => put(base + BigInt(i * VALIDATOR_FIELDS.length + f), values[name]));
    put(mappingSlot(s.publicKey, SLOT.indexOfKey), BigInt(i + 1));
    put(mappingSlot(id, SLOT.indexOfId), BigInt(i + 1));
    total += stake;
  });
  put(SLOT.maxLock, wholeNumber(params.maxLock, 'staking.maxLock'));
  put(SLOT.epochLength, BigInt(params.epochLength));
  put(SLOT.minStake, tokensToWei(params.minStakeTokens ?? DEFAULT_MIN_STAKE_TOKENS, 'staking.minStake'));
  put(SLOT.unbondingEpochs, wholeNumber(params.unbondingEpochs ?? DEFAULT_UNBONDING_EPOCHS, 'staking.unbondingEpochs'));
  put(SLOT.defaultCoefficient, COEFFICIENT_SCALE);
  put(SLOT.committeeSize, BigInt(params.committeeSize));
  put(SLOT.admissionByGovernance, params.admission === 'governance' ? 1n : 0n);
  put(SLOT.totalStake, total);
  return { balance: total.toString(), code: systemContract('SynodStaking').deployedBytecode, storage };
}

/** What the node needs to read the contract: a call at a block. */
export interface StakingReader {
  call(params: { to: Hex; data: Hex }, blockNumber?: bigint): Promise<{ returnData: Hex; reverted: boolean; error?: string }>;
}

/** Every registered validator, in registration order, in the state after block `height`. */
export async function readStakingRecords(reader: StakingReader, height?: bigint): Promise<StakingRecord[]> {
  const abi = stakingAbi();
  const result = await reader.call({ to: STAKING_ADDRESS, data: encodeFunctionData({ abi, functionName: 'validatorsList' }) }, height);
  if (result.reverted || result.error !== undefined) throw new Error(`reading the staking contract at block ${height ?? 'head'} failed: ${result.error ?? 'reverted'}`);
  const list = decodeFunctionResult({ abi, functionName: 'validatorsList', data: result.returnData }) as readonly Record<string, unknown>[];
  return list.map((v, index) => ({
    index,
    id: bytes32ToId(v.id as Hex),
    publicKey: (v.publicKey as Hex).toLowerCase() as Hex,
    owner: (v.owner as Hex).toLowerCase() as Hex,
    stake: v.stake as bigint,
    lock: v.lock as bigint,
    lockedUntil: v.lockedUntil as bigint,
    coefficient: v.coefficient as bigint,
    unbonding: v.unbonding as bigint,
    unbondingEnds: v.unbondingEnds as bigint,
    status: v.status as bigint,
    registeredAt: v.registeredAt as bigint,
  }));
}

/** T as the contract holds it. */
export async function readMaxLock(reader: StakingReader, height?: bigint): Promise<bigint> {
  const abi = stakingAbi();
  const result = await reader.call({ to: STAKING_ADDRESS, data: encodeFunctionData({ abi, functionName: 'maxLock' }) }, height);
  return decodeFunctionResult({ abi, functionName: 'maxLock', data: result.returnData }) as bigint;
}

/** Each record's V_i, exact (S_i in tokens, C_i unscaled), as the sampler's integer units; exited ones weigh 0. */
export function recordWeights(records: readonly StakingRecord[], maxLock: bigint, form: WeightForm): bigint[] {
  const exact = exactStakeWeights(
    records.map((r) => ({
      stake: r.status === STATUS_ACTIVE ? rational(r.stake, WEI_PER_TOKEN) : rational(0n),
      lock: rational(r.lock),
      coefficient: rational(r.coefficient, COEFFICIENT_SCALE),
    })),
    { maxLock: rational(maxLock), form },
  );
  return weightUnits(exact);
}

/** Reads the contract's storage slots directly (no EVM: what each epoch's draw does). */
export interface StakingStorageReader {
  getStorageAt(address: Hex, slot: Hex, blockNumber?: bigint): Promise<Hex>;
}

/**
 * The same records as readStakingRecords, from the storage layout the contract declares (its
 * source and stakingGenesisAccount): one slot read per field, no EVM. A test checks both agree.
 */
export async function readStakingStorage(reader: StakingStorageReader, height?: bigint): Promise<{ records: StakingRecord[]; maxLock: bigint }> {
  const slot = async (at: bigint): Promise<bigint> => BigInt(await reader.getStorageAt(STAKING_ADDRESS, word(at), height));
  const [stored, maxLock] = await Promise.all([slot(SLOT.validators), slot(SLOT.maxLock)]);
  // The contract refuses more (SynodStaking.MAX_VALIDATORS); never more than that is read.
  const count = stored > BigInt(MAX_STAKING_RECORDS) ? BigInt(MAX_STAKING_RECORDS) : stored;
  const base = BigInt(`0x${toHex(keccak256(uintToBytes(SLOT.validators, 32)))}`);
  const records = await Promise.all(
    Array.from({ length: Number(count) }, async (_, index): Promise<StakingRecord> => {
      const fields = await Promise.all(VALIDATOR_FIELDS.map((_f, f) => slot(base + BigInt(index * VALIDATOR_FIELDS.length + f))));
      const [id, publicKey, owner, stake, lock, lockedUntil, coefficient, unbonding, unbondingEnds, status, registeredAt] = fields as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
      return {
        index,
        id: bytes32ToId(word(id)),
        publicKey: word(publicKey),
        owner: `0x${owner.toString(16).padStart(40, '0')}` as Hex,
        stake,
        lock,
        lockedUntil,
        coefficient,
        unbonding,
        unbondingEnds,
        status,
        registeredAt,
      };
    }),
  );
  return { records, maxLock };
}

/** Most validators one draw reads (each costs eleven storage reads): SynodStaking.MAX_VALIDATORS. */
export const MAX_STAKING_RECORDS = 1024;

/** The validators the next committee is drawn from, read from the contract's storage after block `height`. */
export async function stakingValidatorsAt(reader: StakingStorageReader, height: bigint, form: WeightForm): Promise<EpochValidator[]> {
  const { records, maxLock } = await readStakingStorage(reader, height);
  const weights = recordWeights(records, maxLock, form);
  return records.map((r, i) => ({ id: r.id, publicKey: fromHex(r.publicKey), weight: weights[i]! }));
}

/** A registered validator as synod_validators lists it. */
export interface ValidatorListing extends StakingRecord {
  readonly weight: bigint;
}

/**
 * Every registered validator at the head with its V_i (the sampler's units). A genesis made before
 * the staking contract existed lists its staking records.
 */
export async function listValidators(
  genesis: { readonly alloc: Record<Hex, { code?: Hex }>; readonly validators: readonly { id: string; publicKey: Hex; stake: number; lock: number; coefficient: number; owner?: Hex; weight: bigint }[]; readonly form: WeightForm },
  reader: StakingReader,
): Promise<ValidatorListing[]> {
  if (genesis.alloc[STAKING_ADDRESS]?.code === undefined) {
    return genesis.validators.map((v, index) => ({
      index,
      id: v.id,
      publicKey: v.publicKey,
      owner: (v.owner ?? '0x0000000000000000000000000000000000000000').toLowerCase() as Hex,
      stake: tokensToWei(v.stake, 'stake'),
      lock: BigInt(Math.ceil(v.lock)),
      lockedUntil: BigInt(Math.ceil(v.lock)),
      coefficient: BigInt(Math.round(v.coefficient * Number(COEFFICIENT_SCALE))),
      unbonding: 0n,
      unbondingEnds: 0n,
      status: v.weight > 0n ? STATUS_ACTIVE : STATUS_EXITED,
      registeredAt: 0n,
      weight: v.weight,
    }));
  }
  const [records, maxLock] = await Promise.all([readStakingRecords(reader), readMaxLock(reader)]);
  const weights = recordWeights(records, maxLock, genesis.form);
  return records.map((r, i) => ({ ...r, weight: weights[i]! }));
}

/** What the next committee's draw takes from the staking state besides the weights. */
export interface ChainParameters {
  /** K (at least 1: the contract refuses less). */
  readonly committeeSize: number;
  /** Every change of the epoch length so far (src/stake/epochs.ts EpochPlan). */
  readonly epochChanges: readonly EpochSegment[];
}

/** Most epoch-length changes the contract records (SynodStaking.MAX_EPOCH_CHANGES). */
export const MAX_EPOCH_CHANGES = 1024;

/**
 * K and the epoch-length changes in the state after block `height`, from the contract's storage.
 * A genesis made before these slots existed reads K as 0: `fallbackCommitteeSize` (the genesis's K) then.
 */
export async function readChainParameters(reader: StakingStorageReader, height: bigint, fallbackCommitteeSize: number): Promise<ChainParameters> {
  const slot = async (at: bigint): Promise<bigint> => BigInt(await reader.getStorageAt(STAKING_ADDRESS, word(at), height));
  const [k, stored] = await Promise.all([slot(SLOT.committeeSize), slot(SLOT.epochChanges)]);
  const count = stored > BigInt(MAX_EPOCH_CHANGES) ? MAX_EPOCH_CHANGES : Number(stored);
  const base = BigInt(`0x${toHex(keccak256(uintToBytes(SLOT.epochChanges, 32)))}`);
  const epochChanges = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<EpochSegment> => {
      const [firstEpoch, firstHeight, length] = await Promise.all([0, 1, 2].map((f) => slot(base + BigInt(i * EPOCH_CHANGE_FIELDS + f))));
      return { firstEpoch: Number(firstEpoch), firstHeight: Number(firstHeight), length: Number(length) };
    }),
  );
  const committeeSize = k === 0n ? fallbackCommitteeSize : Number(k > BigInt(MAX_STAKING_RECORDS) ? BigInt(MAX_STAKING_RECORDS) : k);
  return { committeeSize, epochChanges };
}
