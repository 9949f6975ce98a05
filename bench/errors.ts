// Typed errors of the benchmark suite: a code for programs, a message that says what was
// wrong and what to do for people.

export type BenchErrorCode =
  | 'BAD_FLAG' // a command-line flag is missing, unknown or malformed
  | 'RPC_TRANSPORT' // the endpoint could not be reached or answered with something not JSON-RPC
  | 'RPC_ERROR' // the endpoint answered a call with a JSON-RPC error
  | 'SETUP_FAILED' // a setup transaction (funding, deploy, mint) failed or never confirmed
  | 'TARGET_START' // a node under test could not be started
  | 'COMPILE_FAILED'; // solc rejected a benchmark contract

export class BenchError extends Error {
  constructor(
    readonly code: BenchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BenchError';
  }
}
