import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from '../errors/index.js';
import { checkJsonContentType } from './request-context.js';
import { header } from './request-headers.js';

/**
 * Read and validate a JSON body once: content type (415), syntax (400), then the schema (400 naming
 * the field). The size limit (413) is enforced before, by the body-limit middleware.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('the request body is empty; a JSON object is required');
  return parseJson(c, text, schema);
}

function parseJson<S extends z.ZodType>(c: Context, text: string, schema: S): z.infer<S> {
  checkJsonContentType(c);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest(describe(parsed.error));
  return parsed.data;
}

/** Like readJson, for endpoints whose body is optional: no body (or an empty one) gives undefined. */
export async function readOptionalJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S> | undefined> {
  if (c.req.raw.body === null || header(c, 'content-length') === '0') return undefined;
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  return parseJson(c, text, schema);
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request body';
  const path = issue.path.length > 0 ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'body';
  return `invalid request body: ${path}: ${issue.message}`;
}
