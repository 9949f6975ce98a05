// The stake file `synod analyze --stakes FILE` reads:
//   {"T": 90, "form": "product" | "normalized",
//    "nodes": [{"id": "n1", "stake": 100, "lock": 60, "coefficient": 1, "byzantine": false}]}
// `form` defaults to product, `coefficient` to 1, `byzantine` to false. Unknown fields are
// errors (a typo such as "stak" must not silently become a default). Every error names the field.
// A network's validators file (`synod init --validators-file`) is a superset: its extra node fields
// are passed in `extraNodeFields`, accepted here and read by its own parser (src/node/validators-file.ts).
import { StakeError } from './errors.js';
import type { StakeRecord, WeightForm } from './weight.js';

export interface StakeFileNode extends StakeRecord {
  readonly byzantine: boolean;
}

export interface StakeFile {
  readonly maxLock: number;
  readonly form: WeightForm;
  readonly nodes: readonly StakeFileNode[];
}

/** A stake file larger than this is not a hand-written analysis input. */
export const MAX_STAKE_FILE_NODES = 100_000;

const TOP_FIELDS = ['T', 'form', 'nodes'];
const NODE_FIELDS = ['id', 'stake', 'lock', 'coefficient', 'byzantine'];

export interface StakeFileOptions {
  /** Node fields besides NODE_FIELDS that are accepted (and left to the caller). */
  readonly extraNodeFields?: readonly string[];
}

export function parseStakeFile(text: string, options: StakeFileOptions = {}): StakeFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StakeError('MALFORMED_INPUT', 'file', `the stake file is not valid JSON (${(error as Error).message}); fix the syntax`);
  }
  const top = asObject(json, 'file', TOP_FIELDS);
  const form = top.form ?? 'product';
  if (form !== 'product' && form !== 'normalized') {
    throw new StakeError('INVALID_FORM', 'form', `form must be "product" or "normalized" (got ${JSON.stringify(form)})`);
  }
  if (!Array.isArray(top.nodes) || top.nodes.length === 0) {
    throw new StakeError('MALFORMED_INPUT', 'nodes', 'nodes must be a non-empty array of {"id", "stake", "lock"} objects');
  }
  if (top.nodes.length > MAX_STAKE_FILE_NODES) {
    throw new StakeError('TOO_LARGE', 'nodes', `nodes has ${top.nodes.length} entries; at most ${MAX_STAKE_FILE_NODES} are supported`);
  }
  const known = [...NODE_FIELDS, ...(options.extraNodeFields ?? [])];
  const nodes = top.nodes.map((raw, i) => parseNode(raw, i, known));
  checkUniqueIds(nodes);
  return { maxLock: nonNegative(top.T, 'T'), form, nodes };
}

function parseNode(raw: unknown, i: number, known: readonly string[]): StakeFileNode {
  const field = `nodes[${i}]`;
  const node = asObject(raw, field, known);
  if (typeof node.id !== 'string' || node.id.length === 0) {
    throw new StakeError('INVALID_ID', `${field}.id`, `${field}.id must be a non-empty string`);
  }
  if (node.byzantine !== undefined && typeof node.byzantine !== 'boolean') {
    throw new StakeError('MALFORMED_INPUT', `${field}.byzantine`, `${field}.byzantine must be true or false`);
  }
  return {
    id: node.id,
    stake: nonNegative(node.stake, `${field}.stake`),
    lock: nonNegative(node.lock, `${field}.lock`),
    coefficient: node.coefficient === undefined ? 1 : nonNegative(node.coefficient, `${field}.coefficient`),
    byzantine: node.byzantine === true,
  };
}

function asObject(value: unknown, field: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StakeError('MALFORMED_INPUT', field, `${field} must be a JSON object`);
  }
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    const where = field === 'file' ? unknown : `${field}.${unknown}`;
    throw new StakeError('UNKNOWN_FIELD', where, `unknown field "${where}"; allowed: ${known.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function nonNegative(value: unknown, field: string): number {
  if (value === undefined) throw new StakeError('MALFORMED_INPUT', field, `${field} is missing; give it a number >= 0`);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StakeError('INVALID_NUMBER', field, `${field} must be a number >= 0 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkUniqueIds(nodes: readonly StakeFileNode[]): void {
  const first = new Map<string, number>();
  nodes.forEach((node, i) => {
    const earlier = first.get(node.id);
    if (earlier !== undefined) {
      throw new StakeError('DUPLICATE_ID', `nodes[${i}].id`, `nodes[${i}].id "${node.id}" repeats nodes[${earlier}].id; give every node a unique id`);
    }
    first.set(node.id, i);
  });
}
