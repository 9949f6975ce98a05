// Entry point of the `synod` command: dispatches to one subcommand per file.
export async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log('usage: synod <command> [options]');
    return;
  }
  console.error(`synod: unknown command '${command}'. Run 'synod --help' for the list.`);
  process.exitCode = 2;
}
