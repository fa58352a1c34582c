import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { AliasBody, PromoteBody, TokenBody } from '../routes/registry.js';
import { Model, ModelVersion, View } from './components.js';
import { operation } from './operation.js';

const Version = View('VersionRecord', 'A registered version with its lineage.', { model: z.string(), version: z.string(), stage: PromoteBody.shape.stage });

/** The registry's routes: models and versions, registration, the gate, promotion, aliases, tokens. */
export const registryPaths: ZodOpenApiPathsObject = {
  '/admin/models': {
    get: operation({ id: 'registryModels', tag: 'registry', summary: 'Registered models: stages, aliases, versions', role: 'viewer', ok: { 200: { description: 'The models.', schema: z.object({ models: z.array(View('RegistryModel', 'A registered model.', { name: z.string() })) }) } } }),
  },
  '/admin/models/{model}/versions': {
    get: operation({ id: 'registryVersions', tag: 'registry', summary: "A model's versions with lineage", role: 'viewer', path: Model, ok: { 200: { description: 'The versions.', schema: z.object({ model: z.string(), versions: z.array(Version) }) } }, errors: [404] }),
    post: operation({
      id: 'registerVersion',
      tag: 'registry',
      summary: 'Register a version by upload',
      description: 'multipart/form-data: manifest (manifest.json), model (model.onnx), optional holdout; or, without manifest, version (+ data_version, description, warmup) to read it from the graph.',
      role: 'deployer',
      path: Model,
      body: {
        content: {
          'multipart/form-data': {
            schema: z.object({ manifest: z.string().optional(), model: z.string().meta({ format: 'binary' }), holdout: z.string().optional(), version: z.string().optional(), data_version: z.string().optional(), description: z.string().optional(), warmup: z.string().optional() }),
          },
        },
      },
      ok: { 201: { description: 'Registered.', schema: Version } },
      errors: [400, 409, 413, 415, 503],
    }),
  },
  '/admin/models/{model}/versions/{version}': {
    get: operation({ id: 'registryVersion', tag: 'registry', summary: 'A version: lineage, aliases, stage history, gate results, manifest', role: 'viewer', path: ModelVersion, ok: { 200: { description: 'The version.', schema: Version } }, errors: [404] }),
  },
  '/admin/models/{model}/versions/{version}/gate': {
    get: operation({ id: 'gateResults', tag: 'registry', summary: "A version's validation gate results", role: 'viewer', path: ModelVersion, ok: { 200: { description: 'Gate results.', schema: View('GateResults', 'Each gate run.') } }, errors: [404] }),
  },
  '/admin/models/{model}/versions/{version}/promote': {
    post: operation({
      id: 'promote',
      tag: 'registry',
      summary: 'Move a version to a stage (production: approver, through the gate)',
      role: 'deployer',
      path: ModelVersion,
      body: { schema: PromoteBody },
      ok: { 200: { description: 'The move.', schema: View('Promotion', 'The version after the move.') } },
      errors: [404, 409, 412, 503],
    }),
  },
  '/admin/models/{model}/versions/{version}/validate': {
    post: operation({
      id: 'validate',
      tag: 'registry',
      summary: 'Run the validation gate (Accept: application/x-ndjson streams progress)',
      role: 'deployer',
      path: ModelVersion,
      ok: {
        200: {
          description: 'The gate result; or NDJSON progress lines and a final {result} or {error, code, status}.',
          content: { 'application/json': { schema: View('GateResult', 'Passed or not, with each check.') }, 'application/x-ndjson': { schema: z.string() } },
        },
      },
      errors: [404, 500, 503],
    }),
  },
  '/admin/models/{model}/aliases': {
    get: operation({ id: 'aliases', tag: 'registry', summary: "A model's aliases", role: 'viewer', path: Model, ok: { 200: { description: 'Aliases.', schema: z.object({ model: z.string(), aliases: z.array(z.object({ alias: z.string(), version: z.string() }).catchall(z.unknown())) }) } }, errors: [404] }),
  },
  '/admin/models/{model}/aliases/{alias}': {
    put: operation({
      id: 'setAlias',
      tag: 'registry',
      summary: 'Point an alias at a version',
      role: 'deployer',
      path: Model.extend({ alias: z.string() }),
      body: { schema: AliasBody },
      ok: { 200: { description: 'Set.', schema: z.object({ model: z.string(), alias: z.string(), version: z.string() }) } },
      errors: [404, 503],
    }),
    delete: operation({ id: 'deleteAlias', tag: 'registry', summary: 'Delete an alias', role: 'deployer', path: Model.extend({ alias: z.string() }), ok: { 204: { description: 'Deleted.' } }, errors: [404, 503] }),
  },
  '/admin/tokens': {
    get: operation({ id: 'tokens', tag: 'registry', summary: 'Role tokens (never their secrets)', role: 'admin', ok: { 200: { description: 'Tokens.', schema: z.object({ tokens: z.array(View('TokenInfo', 'A principal and its role.', { principal: z.string(), role: z.string() })) }) } } }),
    post: operation({ id: 'createToken', tag: 'registry', summary: 'Create a role token (shown once)', role: 'admin', body: { schema: TokenBody }, ok: { 201: { description: 'Created.', schema: View('CreatedToken', 'The principal, its role and its token.', { token: z.string() }) } }, errors: [400, 409, 503] }),
  },
};
