// A scenario: everything that determines one simulated run. Together with the code version, a
// scenario reproduces a run bit for bit; `replayCommand` prints it as the `synod sim` command.

export const STRATEGIES = ['silent', 'crash', 'equivocate', 'garbage', 'replay', 'twins', 'split', 'liar', 'flood', 'adversary'] as const;
export type Strategy = (typeof STRATEGIES)[number];
/** The concrete behaviours a Byzantine member can be given ('adversary' draws one per member). */
export type Behaviour = Exclude<Strategy, 'adversary'>;
export const BEHAVIOURS: readonly Behaviour[] = STRATEGIES.filter((s): s is Behaviour => s !== 'adversary');
/** Behaviours with an effect on the consensus core alone (what the consensus-layer run draws from). */
export const CONSENSUS_BEHAVIOURS: readonly Behaviour[] = ['silent', 'crash', 'equivocate', 'garbage', 'replay', 'twins'];

export const STAKE_MODES = ['unequal', 'equal'] as const;
export type StakeMode = (typeof STAKE_MODES)[number];
export const SIGNATURE_MODES = ['mixed', 'twin', 'ed25519'] as const;
/** 'twin': a cheap deterministic stand-in for ed25519; 'mixed': real ed25519 in a share of runs. */
export type SignatureMode = (typeof SIGNATURE_MODES)[number];
export const NETWORK_MODES = ['hostile', 'synchronous'] as const;
/** 'node': whole validator nodes (node-simulation.ts); 'consensus': the consensus cores alone (simulation.ts). */
export const LAYERS = ['node', 'consensus'] as const;
export type Layer = (typeof LAYERS)[number];
/** 'hostile': drawn from the seed, arbitrary until GST; 'synchronous': fixed delay, no faults. */
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const MAX_VALIDATORS = 256; // one process simulates all of them; beyond this a run is too slow
export const MAX_HEIGHTS = 10_000;
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export interface Scenario {
  readonly validators: number;
  readonly byzantine: number;
  readonly strategy: Strategy;
  readonly seed: number;
  readonly heights: number;
  readonly stakes: StakeMode;
  readonly signatures: SignatureMode;
  readonly network: NetworkMode;
  /** What runs: whole nodes or the consensus cores alone (absent: the cores alone). */
  readonly layer?: Layer;
  /**
   * Blocks per epoch: the committee changes every so many heights (absent or 0: one committee of
   * every validator). The consensus layer only.
   */
  readonly epochLength?: number;
  /** Seats per epoch's committee, drawn from the validators (absent: all of them). */
  readonly committee?: number;
}

export const SCENARIO_DEFAULTS = { byzantine: 0, strategy: 'adversary', seed: 1, heights: 5, stakes: 'unequal', signatures: 'mixed', network: 'hostile' } as const;

/** A scenario that cannot run; `field` names the CLI flag to fix. */
export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Throws ScenarioError naming the field and the fix when the scenario cannot run. */
export function validateScenario(s: Scenario): void {
  intIn('validators', s.validators, 1, MAX_VALIDATORS);
  intIn('heights', s.heights, 1, MAX_HEIGHTS);
  intIn('seed', s.seed, 0, MAX_SEED);
  intIn('byzantine', s.byzantine, 0, MAX_VALIDATORS);
  // Safety needs Byzantine weight below 1/3. Members are drawn so the Byzantine ones hold just
  // under 1/3 of the weight, which is only meaningful (and, with equal stakes, only true) when
  // they are fewer than a third of the members.
  if (3 * s.byzantine >= s.validators) {
    const maxF = Math.floor((s.validators - 1) / 3);
    throw new ScenarioError('byzantine', `${s.byzantine} of ${s.validators} validators would hold at least 1/3 of the weight; use --byzantine ${maxF} or less (3F < N)`);
  }
  oneOf('strategy', s.strategy, STRATEGIES);
  oneOf('stakes', s.stakes, STAKE_MODES);
  oneOf('signatures', s.signatures, SIGNATURE_MODES);
  oneOf('network', s.network, NETWORK_MODES);
  if (s.layer !== undefined) oneOf('layer', s.layer, LAYERS);
  if (s.epochLength !== undefined && s.epochLength !== 0) {
    intIn('epoch-length', s.epochLength, 2, MAX_HEIGHTS);
    if (s.layer === 'node') throw new ScenarioError('epoch-length', '--epoch-length runs on the consensus layer: add --layer consensus');
  }
  if (s.committee !== undefined) {
    intIn('committee', s.committee, 1, s.validators);
    if (s.committee < s.validators && !s.epochLength) throw new ScenarioError('committee', '--committee below --validators needs --epoch-length (the committee is drawn anew every epoch)');
  }
}

function intIn(field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ScenarioError(field, `--${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function oneOf(field: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new ScenarioError(field, `--${field} must be one of ${allowed.join(', ')}; got '${value}'`);
}

/** The single command that replays this scenario. Optional flags appear only when not default. */
export function replayCommand(s: Scenario): string {
  const parts = ['synod sim', `--validators ${s.validators}`, `--byzantine ${s.byzantine}`, `--strategy ${s.strategy}`, `--seed ${s.seed}`, `--heights ${s.heights}`];
  if (s.stakes !== SCENARIO_DEFAULTS.stakes) parts.push(`--stakes ${s.stakes}`);
  if (s.signatures !== SCENARIO_DEFAULTS.signatures) parts.push(`--signatures ${s.signatures}`);
  if (s.network !== SCENARIO_DEFAULTS.network) parts.push(`--network ${s.network}`);
  if ((s.layer ?? 'consensus') !== 'node') parts.push('--layer consensus');
  if (s.epochLength) parts.push(`--epoch-length ${s.epochLength}`);
  if (s.committee !== undefined && s.committee !== s.validators) parts.push(`--committee ${s.committee}`);
  return parts.join(' ');
}
