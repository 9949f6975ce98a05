// The committee of every epoch, as this node knows it. Epoch 0's is genesis's; epoch e's is drawn
// (src/stake/epochs.ts) once block eE, the last of epoch e-1, has executed here: from the
// validators' weights in the state after it, seeded by its consensus digest. Every node computes
// the same committee from the same certified block, so nothing of it travels on the wire and
// nothing is stored: a restarted node draws again the committee of its head's next height.
// K and the epoch length are read from the same state (validator governance changes them in the
// staking contract), so a change voted during an epoch holds from the next one on.
import type { BlockRecord } from '../chain/types.js';
import { fromHex } from '../crypto/bytes.js';
import type { Committee } from '../stake/committee.js';
import type { ParsedGenesis } from './genesis.js';
import { readChainParameters, STAKING_ADDRESS, stakingValidatorsAt, type ChainParameters, type StakingStorageReader } from './staking.js';
import { drawCommittee, epochCommitteeSeed, EpochPlan, NO_EPOCHS, type EpochValidator } from '../stake/epochs.js';

/** Committees kept in memory besides genesis's (older ones are drawn again when asked for). */
export const MAX_CACHED_COMMITTEES = 64;

/** The committee of an epoch this node has not drawn yet (its previous epoch has not ended here). */
export class UnknownCommitteeError extends Error {
  override readonly name = 'UnknownCommitteeError';
}

export interface CommitteeScheduleOptions {
  readonly genesis: Committee;
  /** Blocks per epoch at genesis (NO_EPOCHS: genesis's committee for ever). */
  readonly epochLength: number;
  /** K of genesis's committee. */
  readonly committeeSize: number;
  /** K and the epoch-length changes in the state after block `height` (absent: genesis's for ever). */
  readonly parametersAt?: (height: bigint) => Promise<ChainParameters>;
  /** The validators and their weights in the state after block `height` (the staking state). */
  readonly validatorsAt: (height: bigint) => Promise<readonly EpochValidator[]>;
  /** A block this node holds (undefined when it does not). */
  readonly blockAt: (height: bigint) => Pick<BlockRecord, 'number' | 'extraData'> | undefined;
}

export class CommitteeSchedule {
  private readonly cache = new Map<number, { readonly committee: Committee; readonly committeeSize: number }>();
  private planValue: EpochPlan;
  /** K as last read (the next draw's, until the next boundary). */
  private latestCommitteeSize: number;

  constructor(private readonly options: CommitteeScheduleOptions) {
    this.planValue = new EpochPlan(options.epochLength);
    this.latestCommitteeSize = options.committeeSize;
  }

  /** The genesis's E (NO_EPOCHS: no epochs). */
  get epochLength(): number {
    return this.options.epochLength;
  }

  /** The chain's epochs as far as this node knows them (every length change up to its head). */
  get plan(): EpochPlan {
    return this.planValue;
  }

  /** K as of this node's latest epoch boundary. */
  get committeeSize(): number {
    return this.latestCommitteeSize;
  }

  /** K of `epoch`'s draw (genesis's for epoch 0; undefined before the draw). */
  committeeSizeOfEpoch(epoch: number): number | undefined {
    return epoch === 0 ? this.options.committeeSize : this.cache.get(epoch)?.committeeSize;
  }

  get genesis(): Committee {
    return this.options.genesis;
  }

  epochOf(height: number | bigint): number {
    return this.planValue.epochOf(height);
  }

  /** The committee of `height`; throws UnknownCommitteeError before its epoch's draw (the core waits). */
  committeeForHeight(height: number | bigint): Committee {
    const epoch = this.epochOf(height);
    const committee = this.committeeOfEpoch(epoch);
    if (committee === undefined) throw new UnknownCommitteeError(`the committee of epoch ${epoch} (height ${height}) is not drawn yet`);
    return committee;
  }

  /** An epoch's committee if this node has drawn it (synchronous: what consensus and sync ask). */
  committeeOfEpoch(epoch: number): Committee | undefined {
    if (epoch === 0) return this.options.genesis;
    return this.cache.get(epoch)?.committee;
  }

  /** The parameters last read, and after which block: the draw that follows a boundary reuses them. */
  private learned: { readonly height: bigint; readonly parameters: ChainParameters } | undefined;

  private async parametersAt(height: bigint): Promise<ChainParameters> {
    if (this.options.parametersAt === undefined) return { committeeSize: this.options.committeeSize, epochChanges: [] };
    if (this.learned?.height === height) return this.learned.parameters;
    return this.options.parametersAt(height);
  }

  /** Takes the epoch-length changes and K recorded in the state after block `height`. */
  private async learn(height: bigint): Promise<ChainParameters> {
    const parameters = await this.parametersAt(height);
    this.learned = { height, parameters };
    if (this.options.epochLength !== NO_EPOCHS && parameters.epochChanges.length >= this.planValue.changes.length) {
      this.planValue = new EpochPlan(this.options.epochLength, parameters.epochChanges);
    }
    return parameters;
  }

  /**
   * Draws what a node starting at `head` needs: the committee of its next height's epoch, and of
   * the epoch of the head itself (to check the certificate shares of the head block).
   */
  async prepare(head: bigint): Promise<void> {
    if (head > 0n && this.options.blockAt(head) !== undefined) this.latestCommitteeSize = (await this.learn(head)).committeeSize;
    for (const epoch of new Set([this.epochOf(head), this.epochOf(head + 1n)])) await this.draw(epoch);
  }

  /** After a block executed here: when it ends an epoch, draw the next committee. */
  async onBlockExecuted(height: bigint): Promise<Committee | undefined> {
    if (!this.planValue.endsEpoch(height)) return undefined;
    this.latestCommitteeSize = (await this.learn(height)).committeeSize;
    return this.draw(this.epochOf(height) + 1);
  }

  /**
   * The committee of `epoch`, drawn if need be from the state after the previous epoch's last
   * block (undefined when this node does not hold that block yet).
   */
  async draw(epoch: number): Promise<Committee> {
    const known = this.committeeOfEpoch(epoch);
    if (known !== undefined) return known;
    if (this.options.epochLength === NO_EPOCHS) throw new UnknownCommitteeError(`this chain has no epochs: epoch ${epoch} does not exist`);
    const boundary = BigInt(this.planValue.lastHeight(epoch - 1)!);
    const block = this.options.blockAt(boundary);
    if (block === undefined) throw new UnknownCommitteeError(`the committee of epoch ${epoch} is drawn from block ${boundary}, which this node does not hold yet`);
    const [validators, parameters] = await Promise.all([this.options.validatorsAt(boundary), this.parametersAt(boundary)]);
    const committeeSize = parameters.committeeSize;
    let committee: Committee;
    if (validators.some((v) => v.weight > 0n)) {
      committee = drawCommittee(epoch, validators, committeeSize, epochCommitteeSeed(epoch, fromHex(block.extraData)));
    } else {
      // Everyone unstaked: nothing the chain holds may stop it, so the last committee carries on.
      const previous = await this.draw(epoch - 1);
      committee = { ...previous, epoch };
    }
    if (this.cache.size >= MAX_CACHED_COMMITTEES) this.cache.delete(Math.min(...this.cache.keys()));
    this.cache.set(epoch, { committee, committeeSize });
    return committee;
  }
}

/** One committee for ever (a chain without epochs; tests). */
export function fixedCommittee(committee: Committee): CommitteeSchedule {
  return new CommitteeSchedule({
    genesis: committee,
    epochLength: NO_EPOCHS,
    committeeSize: committee.members.length,
    validatorsAt: () => Promise.reject(new UnknownCommitteeError('a chain without epochs draws no committee')),
    blockAt: () => undefined,
  });
}

/**
 * The schedule of a chain from its genesis: epochs of the genesis's E blocks, K seats, and the
 * validators' weights of the staking records.
 */
export function genesisCommittees(
  genesis: Pick<ParsedGenesis, 'committee' | 'committeeSize' | 'epochLength' | 'validators' | 'alloc' | 'file'>,
  engine: { getBlockByNumber(height: bigint): Pick<BlockRecord, 'number' | 'extraData'> | undefined } & StakingStorageReader,
): CommitteeSchedule {
  const records: EpochValidator[] = genesis.validators.map((v) => ({ id: v.id, publicKey: fromHex(v.publicKey), weight: v.weight }));
  // A genesis made before the staking contract existed keeps its records' weights for ever.
  const staked = genesis.alloc[STAKING_ADDRESS]?.code !== undefined;
  const form = genesis.file.staking.form ?? 'product';
  return new CommitteeSchedule({
    genesis: genesis.committee,
    epochLength: genesis.epochLength,
    committeeSize: genesis.committeeSize,
    validatorsAt: (height) => (staked ? stakingValidatorsAt(engine, height, form) : Promise.resolve(records)),
    ...(staked ? { parametersAt: (height: bigint) => readChainParameters(engine, height, genesis.committeeSize) } : {}),
    blockAt: (height) => engine.getBlockByNumber(height),
  });
}
