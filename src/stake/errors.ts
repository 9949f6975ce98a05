// Typed errors of the stake model. Each names the offending field and says how to fix it, so
// callers (the CLI, the node's config loader) can show the message as is.

export type StakeErrorCode =
  | 'INVALID_NUMBER' // a stake, lock, T or coefficient is negative, NaN or infinite
  | 'INVALID_FORM' // the weight form is neither 'product' nor 'normalized'
  | 'DUPLICATE_ID' // two validators share an id
  | 'INVALID_ID' // an id is empty or not a string
  | 'ALL_WEIGHTS_ZERO' // no validator has a positive weight
  | 'INVALID_K' // the committee size is not an integer in [1, positive-weight validators]
  | 'INVALID_SEED' // the sampler's seed is not 32 bytes
  | 'INVALID_WEIGHT' // a bigint weight is negative
  | 'UNKNOWN_FIELD' // a stake file has a field the model does not know
  | 'MALFORMED_INPUT' // a stake file is not the expected JSON shape
  | 'TOO_LARGE'; // an exact computation was asked for beyond its stated limit

export class StakeError extends Error {
  constructor(
    readonly code: StakeErrorCode,
    /** The input field at fault, as a path such as `nodes[2].stake`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StakeError';
  }
}
