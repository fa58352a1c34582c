import { z } from 'zod';
import 'zod-openapi';
import { ERROR_CODES } from '../../errors/index.js';

/**
 * What many operations share: the error bodies, the stamp headers and the route parameters.
 * Request bodies are never described here: each route's own zod schema is used as it is.
 */

/** The JSON API's and the admin API's error body (one shape, one renderer: middleware/error-handler.ts). */
export const ErrorBody = z
  .object({
    error: z.string().meta({ description: 'What went wrong, for a person; never a stack trace or a path.' }),
    code: z.enum(ERROR_CODES).meta({ description: 'Stable machine code: branch on this, not on the message.' }),
    request_id: z.string().optional().meta({ description: 'The x-request-id of the request.' }),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Error', description: 'An error outside /v2 (the JSON API, feedback, admin, console, docs).' });

/** OIP's error body: every path under /v2 answers in the protocol's own words. */
export const OipErrorBody = z
  .object({ error: z.string() })
  .meta({ id: 'OipError', description: 'An error under /v2 (Open Inference Protocol V2): the protocol has no code field; the status says what kind.' });

const RequestIdHeader = z.string().meta({ id: 'XRequestId', description: 'The request id: the one the client sent (1-128 of [A-Za-z0-9_.:@-]) or a new UUIDv7.' });

/** Every response carries the request id. */
export const RequestIdHeaders = z.object({ 'x-request-id': RequestIdHeader });

/** The stamps of a prediction: who answered, from where. */
export const StampHeaders = z.object({
  'x-request-id': RequestIdHeader,
  'x-model-name': z.string().meta({ description: 'The model that answered.' }),
  'x-model-version': z.string().meta({ description: 'The version that answered (after routing).' }),
  'x-model-route': z.string().meta({
    description: "Why that version: 'pinned' (path or x-model-version), 'flag:<variant>', or 'fallback:<reason>' (no_flag, flag_disabled, not_in_rollout, rollback, schema_mismatch, version_not_loaded, ...).",
  }),
  'x-cache': z.enum(['hit', 'miss', 'bypass']).meta({ description: 'Whether the answer came from the prediction cache.' }),
});

/** A shed or an unavailable store: when to try again. */
export const RetryHeaders = z.object({
  'x-request-id': RequestIdHeader,
  'retry-after': z.string().meta({ description: 'Seconds to wait before retrying.' }),
});

export const ModelParam = z.string().meta({ description: 'Model name ([a-z0-9][a-z0-9._-]*).' });
export const VersionParam = z.string().meta({ description: 'Version: semver or an integer.' });

export const BEARER = 'bearerAuth';

export const securitySchemes = {
  [BEARER]: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A role token (the registry's tokens, or MODELGATE_ADMIN_TOKEN as the bootstrap admin). Roles rank viewer < deployer < approver < admin; each operation names its minimum in `x-required-role`.",
  },
} as const;

export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';

/** Path parameters of a model's routes, and of a version's. */
export const Model = z.object({ model: ModelParam });
export const ModelVersion = z.object({ model: ModelParam, version: VersionParam });

/** An admin view: the fields named here, more allowed (the document does not pin every field of a view). */
export const View = (id: string, description: string, shape: z.ZodRawShape = {}) => z.object(shape).catchall(z.unknown()).meta({ id, description });
