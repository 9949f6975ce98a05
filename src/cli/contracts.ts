// Prints a genesis's contract directory (what synod_contracts serves) as `synod devnet` shows it at start.
import { getAddress } from 'viem';
import type { GenesisFile } from '../node/genesis.js';

type ContractDirectory = NonNullable<GenesisFile['contracts']>;

export function formatContracts(directory: ContractDirectory): string {
  const lines: string[] = [];
  const width = Math.max(...Object.entries(directory).flatMap(([name, entry]) => (typeof entry === 'string' ? [name.length] : Object.keys(entry).map((k) => name.length + 1 + k.length))), 0);
  for (const [name, entry] of Object.entries(directory)) {
    if (typeof entry === 'string') lines.push(`  ${name.padEnd(width)}  ${getAddress(entry)}`);
    else for (const [key, address] of Object.entries(entry)) lines.push(`  ${`${name}.${key}`.padEnd(width)}  ${getAddress(address)}`);
  }
  return lines.join('\n');
}
