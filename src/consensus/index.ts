// Public surface of the consensus core.
export * from './types.js';
export { createConsensusCore, ConsensusInputError } from './core.js';
export {
  encodeSignedMessage,
  encodeEnvelopeBody,
  decodeSignedMessage,
  chainBinding,
  CHAIN_BINDING_BYTES,
  batchDigest,
  MessageDecodeError,
  WIRE_VERSION,
  type Batch,
  type ConsensusMessage,
  type MessageType,
  type Envelope,
  type SignedEnvelope,
  type DecodeLimits,
} from './messages.js';
export { ed25519Signer, ed25519Verifier } from './signing.js';
export { signingPayload, verifyItemProof, merkleRoot, merklePath, type ItemProof } from './commitment.js';
export { DEFAULT_LIMITS, DEFAULT_TIMING, ConsensusConfigError, RETAINED_HEIGHTS, roundTimeoutMs } from './limits.js';
export { StakeAggregator, weightOf, isQuorumOf, isWeakOf } from './stake-aggregator.js';
export { assembleSuperblock, superblockDigest, weightedMedianTimestamp } from './superblock.js';
export { coordinatorOf } from './agreement.js';
export { timerIds } from './height.js';
