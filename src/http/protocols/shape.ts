import type { z } from 'zod';
import { badRequest } from '../../errors/index.js';

/** JSON.parse with the protocol's 400 for malformed JSON. */
export function parseJson(text: string): unknown {
  if (text.length === 0 || text.trim() === '') throw badRequest('the request body is empty; a JSON object is required');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** Words for a body the fast shape check refused: zod describes the first problem, naming the field. */
export function refuse(schema: z.ZodType, json: unknown): never {
  const parsed = schema.safeParse(json);
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  if (!issue) throw badRequest('invalid request body');
  const path = issue.path.length > 0 ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'body';
  throw badRequest(`invalid request body: ${path}: ${issue.message}`);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Scalar parameters (OIP/v1 `parameters`): every value a string, number or boolean. */
export function isParameters(v: unknown): v is Record<string, string | number | boolean> {
  if (!isObject(v)) return false;
  for (const k in v) {
    const x = v[k];
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return false;
  }
  return true;
}

/**
 * JSON-quote a short string (ids, routes) for a response being assembled by hand: as is when
 * nothing in it needs escaping (printable ASCII without a quote or a backslash: minted request ids,
 * version routes), else JSON.stringify.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}
