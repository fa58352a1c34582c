import { readFile } from 'node:fs/promises';
import { parseArgs as parseNodeArgs } from 'node:util';
import { requireRemote, seg } from './remote/gateway-client.js';
import { emit, fields } from './remote/table.js';
import type { ParsedArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** The response headers every prediction carries (README, "Version routing"). */
const STAMPS = [
  ['model', 'x-model-name'],
  ['version', 'x-model-version'],
  ['route', 'x-model-route'],
  ['cache', 'x-cache'],
  ['request id', 'x-request-id'],
] as const;

/**
 * `modelgate predict <model> --json '{...}' --url`: one prediction through the JSON API, printed
 * with its stamps (which version answered, by which route, from the cache or not, its request id
 * for `GET /admin/predictions/{id}`). Here `--json` is the request body (`@file` reads a file);
 * `--output json` prints the answer and stamps as one JSON document.
 */
export async function predictCommand(args: string[]): Promise<void> {
  const { parsed, headers } = predictArgs(args);
  const [model, ...rest] = parsed.positional;
  const raw = parsed.options.get('json');
  if (!model || raw === undefined) throw new UsageError('a model and a body are needed: modelgate predict <model> --json \'{"instances": [...]}\'');
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const output = parsed.options.get('output') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not '${output.slice(0, 50)}'`);
  const body = await requestBody(raw);
  const version = parsed.options.get('version');
  const requestId = parsed.options.get('request-id');
  if (version) headers['x-model-version'] = version;
  if (requestId) headers['x-request-id'] = requestId;
  const res = await requireRemote(parsed).post<unknown>(`/v1/models/${seg(model)}/predict`, { json: body, headers });
  const stamps = Object.fromEntries(STAMPS.map(([name, header]) => [name.replace(' ', '_'), res.headers.get(header)]));
  emit(output === 'json', { status: res.status, stamps, body: res.body }, () =>
    `${fields(STAMPS.map(([name, header]) => [name, res.headers.get(header)]))}\n${JSON.stringify(res.body)}\n`,
  );
}

function predictArgs(args: string[]): { parsed: ParsedArgs; headers: Record<string, string> } {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseNodeArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        version: { type: 'string' },
        'request-id': { type: 'string' },
        header: { type: 'string', multiple: true },
        output: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  const parsed: ParsedArgs = { positional: positionals, options: new Map(), flags: new Set() };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') parsed.options.set(name, value);
  }
  for (const h of (values.header as string[] | undefined) ?? []) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`--header must be name:value, not '${h.slice(0, 100)}'`);
    headers[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
  }
  return { parsed, headers };
}

/** The body as given, or read from `@file`; it must be JSON (the gateway checks the rest). */
async function requestBody(raw: string): Promise<unknown> {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = await readFile(raw.slice(1), 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${raw.slice(1)}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--json is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}
