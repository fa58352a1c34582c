import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { BEARER, ErrorBody, OipErrorBody, RequestIdHeaders, RetryHeaders, type Role } from './components.js';

/** What each error status means here, and the codes it carries. */
const ERRORS: Readonly<Record<number, string>> = {
  400: 'The request is refused as sent (bad_request, invalid_input): the message says which field.',
  401: 'No bearer token, or an unknown one (unauthorized).',
  403: 'The token lacks the role, or the admin API is switched off (forbidden).',
  404: 'No such model, version or item (not_found, model_not_found, version_not_found).',
  409: 'It conflicts with the current state (conflict).',
  410: 'Too late for it (gone).',
  412: 'A precondition of the change does not hold (precondition_failed).',
  413: 'The body exceeds its limit (payload_too_large).',
  415: 'The body is not of a type this route takes (unsupported_media_type).',
  429: 'Too many failed bearer attempts from this address: wait Retry-After seconds (too_many_requests).',
  500: 'The model run or load failed (inference_failed, load_failed, internal): never a stack trace.',
  503: 'Shed or unavailable (overloaded, model_not_ready, store_unavailable): retry after Retry-After seconds.',
};

export interface Answer {
  description: string;
  /** A JSON body; or `content` for others. */
  schema?: z.ZodType;
  content?: ZodOpenApiResponseObject['content'];
  headers?: z.ZodObject;
}

export interface OperationSpec {
  id: string;
  summary: string;
  tag: string;
  description?: string;
  /** Minimum role of the bearer token; absent: no token needed. */
  role?: Role;
  /** The error body of the Open Inference Protocol (every path under /v2). */
  oip?: boolean;
  path?: z.ZodObject;
  query?: z.ZodObject;
  header?: z.ZodObject;
  body?: { schema: z.ZodType; required?: boolean; description?: string } | { content: NonNullable<ZodOpenApiOperationObject['requestBody']>['content']; required?: boolean; description?: string };
  /** Status -> answer; the first is the success. */
  ok: Readonly<Record<number, Answer>>;
  errors?: number[];
}

function response(a: Answer): ZodOpenApiResponseObject {
  return {
    description: a.description,
    headers: a.headers ?? RequestIdHeaders,
    ...(a.content ? { content: a.content } : a.schema ? { content: { 'application/json': { schema: a.schema } } } : {}),
  };
}

/** One operation: its parameters, body, answers, the errors it can give (in its protocol's shape) and its security. */
export function operation(spec: OperationSpec): ZodOpenApiOperationObject {
  const errorSchema = spec.oip ? OipErrorBody : ErrorBody;
  const statuses = new Set(spec.errors ?? []);
  if (spec.role) for (const s of [401, 403, 429]) statuses.add(s);
  if (spec.path) statuses.add(400);
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, a] of Object.entries(spec.ok)) responses[status] = response(a);
  for (const s of [...statuses].sort()) {
    const retry = s === 503 || s === 429;
    responses[String(s)] = { description: ERRORS[s] ?? 'An error.', headers: retry ? RetryHeaders : RequestIdHeaders, content: { 'application/json': { schema: errorSchema } } };
  }
  const body = spec.body;
  return {
    operationId: spec.id,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.path || spec.query || spec.header ? { requestParams: { ...(spec.path ? { path: spec.path } : {}), ...(spec.query ? { query: spec.query } : {}), ...(spec.header ? { header: spec.header } : {}) } } : {}),
    ...(body
      ? {
          requestBody: {
            required: body.required ?? true,
            ...(body.description ? { description: body.description } : {}),
            content: 'schema' in body ? { 'application/json': { schema: body.schema } } : body.content,
          },
        }
      : {}),
    responses: responses as ZodOpenApiOperationObject['responses'],
    security: spec.role ? [{ [BEARER]: [] }] : [],
    ...(spec.role ? { 'x-required-role': spec.role } : {}),
  };
}
