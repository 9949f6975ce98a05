// The genesis file: chain parameters, funded accounts, and the validators' staking records from
// which the committee is drawn (the seed's model: V_i = S_i*C_i*(1-L_i/T), sampled by weight).
import { readFileSync } from 'node:fs';
import { pbkdf2Sync } from 'node:crypto';
import { HDKey, privateKeyToAddress } from 'viem/accounts';
import type { ContractDirectory, Hex } from '../chain/types.js';
import type { Committee } from '../consensus/types.js';
import { fromHex, toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { drawCommittee, MAX_EPOCH_LENGTH_BLOCKS, MIN_EPOCH_LENGTH_BLOCKS, NO_EPOCHS } from '../stake/epochs.js';
import { stakeWeights, weightUnits, type WeightForm } from '../stake/weight.js';
import { ConfigError } from './errors.js';
import { PREDEPLOYS } from './predeploys.js';
import { STAKING_ADDRESS, STAKING_ADMISSIONS, stakingGenesisAccount, type StakingAdmission } from './staking.js';
import { VALIDATOR_GOVERNANCE_ADDRESS, validatorGovernanceGenesisAccount } from './validator-governance.js';
import { EMPTY_BLOCK_INTERVAL_MS, MAX_EMPTY_BLOCK_INTERVAL_MS, MIN_EMPTY_BLOCK_INTERVAL_MS } from './proposals.js';
import { buildDefiGenesis } from '../defi/deploy.js';
import { MIN_TRANSFER_GAS } from '../execution/limits.js';

/** The standard development mnemonic of Hardhat and Anvil: the same 20 accounts and keys. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNT_COUNT = 20;
export const DEV_ACCOUNT_BALANCE_WEI = 10_000n * 10n ** 18n;
export const DEFAULT_CHAIN_ID = 31337n;
export const DEFAULT_BLOCK_GAS_LIMIT = 60_000_000n;
export const DEFAULT_BASE_FEE_PER_GAS = 1_000_000_000n;
export const MAX_VALIDATORS = 1024;

export interface GenesisValidator {
  readonly id: string;
  readonly publicKey: Hex; // ed25519
  readonly stake: number;
  readonly lock: number;
  readonly coefficient: number;
  /** The account that may add to, unstake and withdraw this stake in the staking contract (none: it stays). */
  readonly owner?: Hex;
}

export interface GenesisFile {
  readonly chainId: string;
  readonly timestamp: number;
  readonly gasLimit: string;
  readonly baseFeePerGas: string;
  readonly alloc: Record<string, { readonly balance: string; readonly code?: string; readonly nonce?: string; readonly storage?: Record<string, string> }>;
  readonly staking: {
    readonly maxLock: number; // T
    readonly form: WeightForm;
    readonly committeeSize: number; // K
    /**
     * Blocks per epoch (E): the committee is drawn again from the staking state after every
     * E-th block (src/stake/epochs.ts). Absent or 0: one committee for the whole chain.
     */
    readonly epochLength?: number;
    /** Least stake of a registration (tokens; default staking.ts DEFAULT_MIN_STAKE_TOKENS). */
    readonly minStake?: number;
    /** Epochs from an unstake request to its withdrawal (default staking.ts DEFAULT_UNBONDING_EPOCHS). */
    readonly unbondingEpochs?: number;
    /** "governance": a registration weighs nothing until a validator-governance vote admits it (default "open"). */
    readonly admission?: StakingAdmission;
    /** Blocks a validator-governance proposal stays open (default validator-governance.ts DEFAULT_VOTING_PERIOD_BLOCKS). */
    readonly votingPeriodBlocks?: number;
    readonly validators: readonly GenesisValidator[];
  };
  /** Contracts the genesis deployed (a DeFi genesis: `synod init --defi`, every devnet), served by synod_contracts. */
  readonly contracts?: ContractDirectory;
  /**
   * How long a committee waits, with nothing to propose, before it finalizes an empty block (ms;
   * default EMPTY_BLOCK_INTERVAL_MS). Chain-wide: epochs and governance delays count heights.
   */
  readonly emptyBlockIntervalMs?: number;
}

export interface DevAccount {
  readonly address: Hex;
  readonly privateKey: Hex;
}

/** BIP-39: PBKDF2-HMAC-SHA512 rounds and seed length of a mnemonic's seed. */
const BIP39_PBKDF2_ROUNDS = 2048;
const BIP39_SEED_BYTES = 64;
/** BIP-44 Ethereum accounts: account i is this path's child i. */
const DEV_ACCOUNT_PARENT_PATH = "m/44'/60'/0'/0";
let devAccountCache: readonly DevAccount[] = [];

/**
 * The first `count` accounts of DEV_MNEMONIC (BIP-44 m/44'/60'/0'/0/i, as Hardhat and Anvil
 * derive them). The seed comes from node:crypto's PBKDF2 once per process: derived 20 times in
 * JavaScript it cost a second of a validator's start, twice when it unlocks the accounts.
 */
export function devAccounts(count = DEV_ACCOUNT_COUNT): DevAccount[] {
  if (devAccountCache.length < count) {
    const seed = pbkdf2Sync(DEV_MNEMONIC.normalize('NFKD'), 'mnemonic', BIP39_PBKDF2_ROUNDS, BIP39_SEED_BYTES, 'sha512');
    const parent = HDKey.fromMasterSeed(seed).derive(DEV_ACCOUNT_PARENT_PATH);
    devAccountCache = Array.from({ length: count }, (_, addressIndex) => {
      const privateKey = `0x${toHex(parent.deriveChild(addressIndex).privateKey!)}` as Hex;
      return { address: privateKeyToAddress(privateKey).toLowerCase() as Hex, privateKey };
    });
  }
  return devAccountCache.slice(0, count);
}

export interface ParsedGenesis {
  readonly file: GenesisFile;
  readonly chainId: bigint;
  readonly gasLimit: bigint;
  readonly baseFeePerGas: bigint;
  readonly timestamp: bigint;
  readonly alloc: Record<Hex, { balance: bigint; nonce?: bigint; code?: Hex; storage?: Record<Hex, Hex> }>;
  /** The committee drawn at genesis (epoch 0), in committee order. */
  readonly committee: Committee;
  /** K: seats in every epoch's committee (fewer when fewer validators have a positive weight). */
  readonly committeeSize: number;
  /** E: blocks per epoch; NO_EPOCHS (0) when the committee never changes. */
  readonly epochLength: number;
  /** Every staked validator by id, with its weight (committee member or not). */
  readonly validators: readonly (GenesisValidator & { readonly weight: bigint })[];
  /** The genesis's contract directory (addresses lower-case; each holds code in alloc). */
  readonly contracts: ContractDirectory;
  readonly emptyBlockIntervalMs: number;
}

function quantity(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  throw new ConfigError(`genesis: ${field} must be a non-negative integer (decimal or 0x-hex string), got ${JSON.stringify(value)}`);
}

function hexField(value: unknown, field: string, bytes?: number): Hex {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value) || (bytes !== undefined && value.length !== 2 + 2 * bytes)) {
    throw new ConfigError(`genesis: ${field} must be a 0x-prefixed hex string${bytes ? ` of ${bytes} bytes` : ''}, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase() as Hex;
}

/** Seed of the genesis committee draw: a hash of the chain id and the staking records. */
export function genesisCommitteeSeed(file: GenesisFile): Uint8Array {
  return sha256(utf8('synod/genesis-committee/v1'), utf8(JSON.stringify({ chainId: file.chainId, staking: file.staking })));
}

function emptyBlockInterval(value: unknown): number {
  if (value === undefined) return EMPTY_BLOCK_INTERVAL_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_EMPTY_BLOCK_INTERVAL_MS || value > MAX_EMPTY_BLOCK_INTERVAL_MS) {
    throw new ConfigError(`genesis: emptyBlockIntervalMs must be an integer number of milliseconds from ${MIN_EMPTY_BLOCK_INTERVAL_MS} to ${MAX_EMPTY_BLOCK_INTERVAL_MS}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseGenesis(file: GenesisFile): ParsedGenesis {
  if (typeof file !== 'object' || file === null) throw new ConfigError('genesis: the file must hold a JSON object');
  const chainId = quantity(file.chainId, 'chainId');
  if (chainId === 0n) throw new ConfigError('genesis: chainId must be positive');
  const alloc: ParsedGenesis['alloc'] = {};
  for (const [address, account] of Object.entries(file.alloc ?? {})) {
    const key = hexField(address, `alloc key ${address}`, 20);
    alloc[key] = {
      balance: quantity(account.balance, `alloc[${address}].balance`),
      ...(account.nonce !== undefined ? { nonce: quantity(account.nonce, `alloc[${address}].nonce`) } : {}),
      ...(account.code !== undefined ? { code: hexField(account.code, `alloc[${address}].code`) } : {}),
      ...(account.storage !== undefined
        ? { storage: Object.fromEntries(Object.entries(account.storage).map(([k, v]) => [hexField(k, 'storage key', 32), hexField(v, 'storage value', 32)])) }
        : {}),
    };
  }
  const staking = file.staking;
  if (!staking || !Array.isArray(staking.validators) || staking.validators.length === 0) {
    throw new ConfigError('genesis: staking.validators must list at least one validator');
  }
  if (staking.validators.length > MAX_VALIDATORS) throw new ConfigError(`genesis: at most ${MAX_VALIDATORS} validators`);
  const ids = new Set<string>();
  const keys = new Set<string>();
  staking.validators.forEach((v, i) => {
    if (typeof v.id !== 'string' || v.id === '') throw new ConfigError(`genesis: staking.validators[${i}].id must be a non-empty string`);
    if (ids.has(v.id)) throw new ConfigError(`genesis: validator id "${v.id}" appears twice`);
    ids.add(v.id);
    const key = hexField(v.publicKey, `staking.validators[${i}].publicKey`, 32);
    if (v.owner !== undefined) hexField(v.owner, `staking.validators[${i}].owner`, 20);
    if (keys.has(key)) throw new ConfigError(`genesis: validator public key ${key} appears twice`);
    keys.add(key);
  });
  let weights: bigint[];
  try {
    weights = weightUnits(stakeWeights(staking.validators, { maxLock: staking.maxLock, form: staking.form ?? 'product' }));
  } catch (error) {
    throw new ConfigError(`genesis: staking: ${(error as Error).message}`);
  }
  const validators = staking.validators.map((v, i) => ({ ...v, publicKey: v.publicKey.toLowerCase() as Hex, weight: weights[i]! }));
  const positive = validators.filter((v) => v.weight > 0n).length;
  const k = staking.committeeSize ?? positive;
  if (!Number.isInteger(k) || k < 1 || k > positive) {
    throw new ConfigError(`genesis: staking.committeeSize must be an integer from 1 to ${positive} (validators with positive weight), got ${k}`);
  }
  const contracts = parseContracts(file.contracts, alloc);
  const committee: Committee = drawCommittee(0, validators.map((v) => ({ id: v.id, publicKey: fromHex(v.publicKey), weight: v.weight })), k, genesisCommitteeSeed(file));
  if (staking.admission !== undefined && !STAKING_ADMISSIONS.includes(staking.admission)) {
    throw new ConfigError(`genesis: staking.admission must be ${STAKING_ADMISSIONS.map((a) => `"${a}"`).join(' or ')}, got ${JSON.stringify(staking.admission)}`);
  }
  const epochLength = staking.epochLength ?? NO_EPOCHS;
  if (!Number.isInteger(epochLength) || (epochLength !== NO_EPOCHS && (epochLength < MIN_EPOCH_LENGTH_BLOCKS || epochLength > MAX_EPOCH_LENGTH_BLOCKS))) {
    throw new ConfigError(`genesis: staking.epochLength must be 0 (no epochs) or an integer number of blocks from ${MIN_EPOCH_LENGTH_BLOCKS} to ${MAX_EPOCH_LENGTH_BLOCKS}, got ${JSON.stringify(staking.epochLength)}`);
  }
  return {
    file,
    chainId,
    gasLimit: quantity(file.gasLimit ?? DEFAULT_BLOCK_GAS_LIMIT.toString(), 'gasLimit'),
    baseFeePerGas: quantity(file.baseFeePerGas ?? DEFAULT_BASE_FEE_PER_GAS.toString(), 'baseFeePerGas'),
    timestamp: quantity(file.timestamp ?? 0, 'timestamp'),
    alloc,
    committee,
    committeeSize: k,
    epochLength,
    validators,
    contracts,
    emptyBlockIntervalMs: emptyBlockInterval(file.emptyBlockIntervalMs),
  };
}

/** Most names (groups count their members) a genesis contract directory may hold. */
export const MAX_GENESIS_CONTRACT_NAMES = 256;

function parseContracts(value: unknown, alloc: ParsedGenesis['alloc']): ContractDirectory {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('genesis: contracts must be an object of name → address (or name → {name → address})');
  let names = 0;
  const address = (v: unknown, field: string): Hex => {
    const a = hexField(v, field, 20);
    if (alloc[a]?.code === undefined) throw new ConfigError(`genesis: ${field} is ${a}, which holds no code in alloc: the contracts section does not match the alloc`);
    if (++names > MAX_GENESIS_CONTRACT_NAMES) throw new ConfigError(`genesis: contracts may name at most ${MAX_GENESIS_CONTRACT_NAMES} addresses`);
    return a;
  };
  const out: Record<string, Hex | Record<string, Hex>> = {};
  for (const [name, entry] of Object.entries(value)) {
    out[name] =
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, address(v, `contracts.${name}.${k}`)]))
        : address(entry, `contracts.${name}`);
  }
  return out;
}

export function loadGenesis(path: string): ParsedGenesis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`genesis file ${path} cannot be read: check the "genesis" path in the config (relative paths are relative to the config file)`);
  }
  let json: GenesisFile;
  try {
    json = JSON.parse(text) as GenesisFile;
  } catch (error) {
    throw new ConfigError(`genesis file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseGenesis(json);
}

/** Chain ids of development chains (Hardhat and Anvil's 31337, geth --dev's 1337): wallets treat them as local. */
export const DEV_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];
/** geth's params.MinGasLimit: a block gas limit below it is refused. */
export const MIN_BLOCK_GAS_LIMIT = 5_000n;
/** geth's params.MaxGasLimit (2^63 - 1). */
export const MAX_BLOCK_GAS_LIMIT = 0x7fff_ffff_ffff_ffffn;
/** The lock-time ceiling T of a test network's staking ("maxLock"). */
export const TEST_NETWORK_MAX_LOCK = 90;
/** Every validator of a test network locks for this long (1 - 30/90 = 2/3 of its stake counts). */
export const TEST_NETWORK_LOCK = 30;

export type GenesisAlloc = GenesisFile['alloc'];

export interface GenesisOptions {
  readonly chainId: bigint;
  readonly timestamp: number;
  readonly gasLimit?: bigint;
  /** Funded accounts and their code; the predeploys (Multicall3, the CREATE2 deployer) come in front of them. */
  readonly alloc: GenesisAlloc;
  readonly maxLock: number;
  readonly form: WeightForm;
  /** K; at most the number of validators with positive weight. */
  readonly committeeSize: number;
  /** E, blocks per epoch (absent or 0: the genesis committee for ever). */
  readonly epochLength?: number;
  /** Least stake of a registration, tokens (staking.ts DEFAULT_MIN_STAKE_TOKENS). */
  readonly minStake?: number;
  /** Epochs from an unstake request to its withdrawal (staking.ts DEFAULT_UNBONDING_EPOCHS). */
  readonly unbondingEpochs?: number;
  /** Admission of new registrations (default open). */
  readonly admission?: StakingAdmission;
  /** Blocks a validator-governance proposal stays open. */
  readonly votingPeriodBlocks?: number;
  readonly validators: readonly GenesisValidator[];
}

/** A genesis file from its parts, checked by parseGenesis before it is returned. */
export function buildGenesis(options: GenesisOptions): GenesisFile {
  const alloc: Record<string, GenesisAlloc[string]> = Object.fromEntries(PREDEPLOYS.map((p) => [p.address, { balance: '0', code: p.code }]));
  for (const [address, account] of Object.entries(options.alloc)) {
    const key = address.toLowerCase();
    const predeploy = PREDEPLOYS.find((p) => p.address === key);
    if (alloc[key] !== undefined) throw new ConfigError(`genesis: account ${key} is allocated twice${predeploy === undefined ? '' : ` (it is the ${predeploy.name} predeploy)`}: list it once`);
    alloc[key] = account;
  }
  if (alloc[STAKING_ADDRESS] !== undefined) throw new ConfigError(`genesis: account ${STAKING_ADDRESS} is the staking contract: do not allocate it`);
  if (alloc[VALIDATOR_GOVERNANCE_ADDRESS] !== undefined) throw new ConfigError(`genesis: account ${VALIDATOR_GOVERNANCE_ADDRESS} is the validator governance contract: do not allocate it`);
  alloc[STAKING_ADDRESS] = stakingGenesisAccount(options.validators, {
    maxLock: options.maxLock,
    committeeSize: options.committeeSize,
    ...(options.admission === undefined ? {} : { admission: options.admission }),
    epochLength: options.epochLength ?? NO_EPOCHS,
    ...(options.minStake === undefined ? {} : { minStakeTokens: options.minStake }),
    ...(options.unbondingEpochs === undefined ? {} : { unbondingEpochs: options.unbondingEpochs }),
  });
  alloc[VALIDATOR_GOVERNANCE_ADDRESS] = validatorGovernanceGenesisAccount(options.votingPeriodBlocks);
  const file: GenesisFile = {
    chainId: options.chainId.toString(),
    timestamp: options.timestamp,
    gasLimit: (options.gasLimit ?? DEFAULT_BLOCK_GAS_LIMIT).toString(),
    baseFeePerGas: DEFAULT_BASE_FEE_PER_GAS.toString(),
    alloc,
    staking: {
      maxLock: options.maxLock,
      form: options.form,
      committeeSize: options.committeeSize,
      ...(options.epochLength === undefined || options.epochLength === NO_EPOCHS ? {} : { epochLength: options.epochLength }),
      ...(options.minStake === undefined ? {} : { minStake: options.minStake }),
      ...(options.unbondingEpochs === undefined ? {} : { unbondingEpochs: options.unbondingEpochs }),
      ...(options.admission === undefined ? {} : { admission: options.admission }),
      ...(options.votingPeriodBlocks === undefined ? {} : { votingPeriodBlocks: options.votingPeriodBlocks }),
      validators: options.validators,
    },
    contracts: { staking: STAKING_ADDRESS, validatorGovernance: VALIDATOR_GOVERNANCE_ADDRESS },
  };
  const parsed = parseGenesis(file);
  const perTransaction = parsed.gasLimit / BigInt(parsed.committee.members.length);
  if (perTransaction < MIN_TRANSFER_GAS) {
    throw new ConfigError(
      `gas limit ${parsed.gasLimit} / committee size ${parsed.committee.members.length} leaves ${perTransaction} gas per transaction, below the ${MIN_TRANSFER_GAS} of a transfer: raise the gas limit (--gas-limit) or lower K (--committee)`,
    );
  }
  return file;
}

/** The 20 development accounts with DEV_ACCOUNT_BALANCE_WEI each, in geth's alloc format. */
export function devAlloc(): GenesisAlloc {
  return Object.fromEntries(devAccounts().map((account) => [account.address, { balance: DEV_ACCOUNT_BALANCE_WEI.toString() }]));
}

/**
 * A test network's genesis (`synod devnet`, `synod init --validators N`): validator i stakes 100 + 10*i
 * tokens, so weights differ (as on a real chain) while any single validator stays below 1/3 of the
 * weight; K = N; the predeploys (Multicall3, the CREATE2 deployer) in place; `alloc` funded (the
 * devnet: the 20 development accounts).
 */
export function testNetworkGenesis(options: {
  chainId: bigint;
  validators: readonly { id: string; publicKey: Hex }[];
  timestamp: number;
  alloc: GenesisAlloc;
  gasLimit?: bigint;
  /** K (default: every validator). */
  committeeSize?: number;
  epochLength?: number;
  /** Validator i's stake owner in the staking contract (the devnet: development accounts). */
  owners?: readonly Hex[];
}): GenesisFile {
  return buildGenesis({
    chainId: options.chainId,
    timestamp: options.timestamp,
    ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
    ...(options.epochLength === undefined ? {} : { epochLength: options.epochLength }),
    alloc: options.alloc,
    maxLock: TEST_NETWORK_MAX_LOCK,
    form: 'product',
    committeeSize: options.committeeSize ?? options.validators.length,
    validators: options.validators.map((v, i) => ({
      id: v.id,
      publicKey: v.publicKey,
      stake: 100 + 10 * i,
      lock: TEST_NETWORK_LOCK,
      coefficient: 1,
      ...(options.owners?.[i] === undefined ? {} : { owner: options.owners[i] }),
    })),
  });
}

/** A development genesis: testNetworkGenesis with the 20 development accounts (and `extraAlloc`) funded. */
export function devGenesis(options: {
  chainId: bigint;
  validators: readonly { id: string; publicKey: Hex }[];
  timestamp: number;
  extraAlloc?: Record<Hex, bigint>;
}): GenesisFile {
  const extra = Object.fromEntries(Object.entries(options.extraAlloc ?? {}).map(([address, balance]) => [address.toLowerCase(), { balance: balance.toString() }]));
  return testNetworkGenesis({ chainId: options.chainId, validators: options.validators, timestamp: options.timestamp, alloc: { ...devAlloc(), ...extra } });
}

/** Most accounts an --alloc file may fund (geth has no limit; beyond this a genesis is not hand-made). */
export const MAX_ALLOC_ACCOUNTS = 100_000;

/**
 * An alloc file in geth's genesis format: {"0x<address>": {"balance": "…", "code"?, "nonce"?,
 * "storage"?}} (addresses with or without 0x, quantities decimal or 0x-hex), or a whole geth genesis
 * file, whose "alloc" is taken. Errors name `source` and the field.
 */
export function parseAllocFile(text: string, source: string): GenesisAlloc {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON (${(error as Error).message}); fix the syntax`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) throw new ConfigError(`${source} must be a JSON object {"0x<address>": {"balance": "<wei>"}} (geth's genesis alloc)`);
  const entries = isObject(json.alloc) ? json.alloc : json;
  if (Object.keys(entries).length > MAX_ALLOC_ACCOUNTS) throw new ConfigError(`${source} funds ${Object.keys(entries).length} accounts; at most ${MAX_ALLOC_ACCOUNTS}`);
  const alloc: Record<string, GenesisAlloc[string]> = {};
  for (const [rawAddress, account] of Object.entries(entries)) {
    if (!/^(0x)?[0-9a-fA-F]{40}$/.test(rawAddress)) throw new ConfigError(`${source}: "${rawAddress}" is not an address: keys must be 20-byte hex addresses (0x optional)`);
    const address = `0x${rawAddress.replace(/^0x/, '').toLowerCase()}`;
    if (alloc[address] !== undefined) throw new ConfigError(`${source}: ${address} appears twice: list each account once`);
    if (!isObject(account)) throw new ConfigError(`${source}: ${address} must be an object {"balance": "<wei>"}`);
    const unknown = Object.keys(account).find((k) => !['balance', 'code', 'nonce', 'storage'].includes(k));
    if (unknown !== undefined) throw new ConfigError(`${source}: ${address}.${unknown} is not an alloc field (balance, code, nonce, storage)`);
    const field = (name: string) => `${source}: ${address}.${name}`;
    const wei = (value: unknown, name: string): string => {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
      if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value).toString();
      throw new ConfigError(`${field(name)} must be a non-negative integer, decimal or 0x-hex (in wei for a balance), got ${JSON.stringify(value)}`);
    };
    if (account.balance === undefined) throw new ConfigError(`${field('balance')} is missing: give the account's balance in wei`);
    const hex = (value: unknown, name: string, bytes?: number): string => {
      if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value) || (bytes !== undefined && value.length !== 2 + 2 * bytes)) {
        throw new ConfigError(`${field(name)} must be 0x-hex${bytes === undefined ? '' : ` of ${bytes} bytes`}, got ${JSON.stringify(value)}`);
      }
      return value.toLowerCase();
    };
    const storage = account.storage;
    if (storage !== undefined && !isObject(storage)) throw new ConfigError(`${field('storage')} must be an object {"0x<slot>": "0x<value>"}`);
    alloc[address] = {
      balance: wei(account.balance, 'balance'),
      ...(account.nonce === undefined ? {} : { nonce: wei(account.nonce, 'nonce') }),
      ...(account.code === undefined ? {} : { code: hex(account.code, 'code') }),
      ...(storage === undefined ? {} : { storage: Object.fromEntries(Object.entries(storage).map(([k, v]) => [hex(k, `storage key ${k}`, 32), hex(v, `storage[${k}]`, 32)])) }),
    };
  }
  return alloc;
}

/**
 * `file` with the DeFi protocols deployed at its genesis (src/defi/): their accounts join the alloc and
 * their directory becomes `contracts`. `holders` receive the genesis tokens (on a devnet, the 20
 * development accounts). Deterministic: the same file and holders give the same alloc.
 */
export async function withDefi(file: GenesisFile, holders: readonly Hex[]): Promise<GenesisFile> {
  const parsed = parseGenesis(file);
  const defi = await buildDefiGenesis({ chainId: parsed.chainId, timestamp: parsed.timestamp, gasLimit: parsed.gasLimit, alloc: parsed.alloc, holders });
  const alloc: Record<string, GenesisFile['alloc'][string]> = {};
  for (const [address, account] of Object.entries(defi.alloc)) {
    alloc[address] = {
      balance: account.balance.toString(),
      ...(account.nonce !== undefined ? { nonce: account.nonce.toString() } : {}),
      ...(account.code !== undefined ? { code: account.code } : {}),
      ...(account.storage !== undefined ? { storage: account.storage } : {}),
    };
  }
  return { ...file, alloc, contracts: { ...file.contracts, ...(defi.directory as unknown as ContractDirectory) } };
}
