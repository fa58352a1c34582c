import { parseArgs as parseNodeArgs } from 'node:util';
import { UsageError } from './usage-error.js';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/**
 * node:util parseArgs, strict: `--name value` / `--name=value` for valued options, `--flag` for
 * booleans, the rest positional. An unknown option or a missing value is a UsageError (exit 2).
 */
export function parseArgs(args: string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of valued) options[name] = { type: 'string' };
  for (const name of booleans) options[name] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    // node's messages name the option ("Unknown option '--x'", "Option '--token <value>' argument missing").
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  const out: ParsedArgs = { positional: parsed.positionals, options: new Map(), flags: new Set() };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') out.options.set(name, value);
    else if (value === true) out.flags.add(name);
  }
  return out;
}
