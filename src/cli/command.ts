// The shape every `synod` subcommand exports, and the error type for bad input.

export interface CliCommand {
  /** Full help text printed for `synod <name> --help`. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Bad input from the user: printed as one line naming the field and the fix, never a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
