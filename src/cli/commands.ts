/**
 * Every `modelgate` sub-command: its one-line summary, its usage (printed by `--help`, and after
 * a usage error), and a lazy loader (so `modelgate token list` never loads onnxruntime).
 * To add a command, add a row here; `main.ts` handles --help, exit codes and errors for all.
 */
import { PERF_USAGE } from './perf-usage.js';

/** The gateway a command acts on, and who acts (every admin command). */
const REMOTE =
  ' [--url <gateway>] [--token <token>]\n\n' +
  '  --url (or MODELGATE_URL): act on a running gateway over its admin API, as the token\'s principal\n' +
  '  (--token, or MODELGATE_TOKEN); the change is in effect on the gateway when the command returns.\n' +
  '  Without --url the command works on the local registry database (config/gateway.json, MODELGATE_REGISTRY_DB,\n' +
  '  MODELGATE_DATABASE_URL): for bootstrap only (the first token on a fresh database); a running gateway\n' +
  '  notices such a change on its next poll, not at once.' +
  '\n  Exit codes: 0 ok, 1 failure, 2 usage, 3 refused by role (401/403).';

const REMOTE_ONLY =
  '\n\n  --url (or MODELGATE_URL) names the gateway; --token (or MODELGATE_TOKEN) who asks.\n' +
  '  Exit codes: 0 ok, 1 failure, 2 usage, 3 refused by role (401/403).';

/** Printed under the command list. */
export const EXIT_CODES =
  'Admin commands act on a running gateway with --url <http://host:port> --token <token> (or MODELGATE_URL,\n' +
  'MODELGATE_TOKEN); without --url they open the local registry database, for bootstrap only.\n' +
  'exit codes: 0 ok, 1 failure, 2 usage, 3 refused by role (401/403)';

export interface CommandSpec {
  summary: string;
  usage: string;
  run: () => Promise<(args: string[]) => Promise<void>>;
}

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  serve: {
    summary: 'start the gateway (config/gateway.json + env); --workers N|auto: N processes share the port',
    usage:
      'usage: modelgate serve [--workers <N|auto>]\n\n  Starts the gateway with config/gateway.json (or MODELGATE_CONFIG) and environment overrides.\n' +
      '  --workers N|auto: N worker processes (node:cluster; auto: one per core) behind one port and one /metrics;\n' +
      '  each loads its own model sessions.\n' +
      '  SIGTERM/SIGINT: graceful shutdown (see README, "Shutdown"); a second signal exits at once.',
    run: async () => (await import('./cluster.js')).serveWithWorkers,
  },
  import: {
    summary: 'serve an ONNX file exported elsewhere (manifest read from the graph)',
    usage:
      'usage: modelgate import <file.onnx> --name <model> --version <semver|integer> [--data-version <id>] [--description <text>]\n' +
      '         [--warmup <sample.json> | --no-warmup] [--models-dir <dir>] [--register [--token <token>]] [--force]',
    run: async () => (await import('./import-command.js')).importCommand,
  },
  register: {
    summary: 'register a version folder in the registry (deployer)',
    usage: `usage: modelgate register <version-dir> [--json]${REMOTE}`,
    run: async () => (await import('./register-command.js')).registerCommand,
  },
  promote: {
    summary: 'move a version: staging (deployer), production (approver, gate); in effect when it returns',
    usage: `usage: modelgate promote <model> <version> <none|staging|production|archived> [--reason <text>] [--override] [--json]${REMOTE}`,
    run: async () => (await import('./promote-command.js')).promoteCommand,
  },
  validate: {
    summary: 'run the validation gate against the production version',
    usage: `usage: modelgate validate <model> <version> [--json]${REMOTE}`,
    run: async () => (await import('./validate-command.js')).validateCommand,
  },
  audit: {
    summary: "walk the audit log's hash chain / print it",
    usage: `usage: modelgate audit verify | modelgate audit list [--after <seq>] [--limit <n>]   [--json]${REMOTE}`,
    run: async () => (await import('./audit-command.js')).auditCommand,
  },
  models: {
    summary: 'models on a running gateway: versions, stages, aliases, load state (viewer)',
    usage: `usage: modelgate models [--json] --url <gateway> [--token <token>]${REMOTE_ONLY}`,
    run: async () => (await import('./models-command.js')).modelsCommand,
  },
  routing: {
    summary: "a model's routing: stable version, flag, effective split, pins, rollback, shadow (viewer)",
    usage: `usage: modelgate routing <model> [--json] --url <gateway> [--token <token>]${REMOTE_ONLY}`,
    run: async () => (await import('./routing-command.js')).routingCommand,
  },
  rollback: {
    summary: 'all traffic of a model to its stable version now, on every replica; --clear ends it (deployer)',
    usage: `usage: modelgate rollback <model> [--reason <text>] [--clear] [--json] --url <gateway> [--token <token>]${REMOTE_ONLY}`,
    run: async () => (await import('./routing-command.js')).rollbackCommand,
  },
  predict: {
    summary: 'one prediction; prints the answer and its stamps: model, version, route, cache, request id',
    usage:
      `usage: modelgate predict <model> --json '<body>' [--version <v|alias>] [--request-id <id>] [--header <name:value>]... [--output json] --url <gateway>${REMOTE_ONLY}\n` +
      '  The body is the JSON API\'s (/v1/models/<model>/predict): {"instances": [{...}]}; @file reads it from a file.',
    run: async () => (await import('./predict-command.js')).predictCommand,
  },
  status: {
    summary: 'a running gateway: liveness, readiness, registry store, replicas seen, audit chain (viewer)',
    usage: `usage: modelgate status [--json] --url <gateway> [--token <token>]${REMOTE_ONLY}\n  Exit 1 when the gateway is not ready or its audit chain does not verify.`,
    run: async () => (await import('./status-command.js')).statusCommand,
  },
  perf: {
    summary: 'benchmark a model on a gateway: steps of load, p99, version split, cache, server breakdown (perf_analyzer)',
    usage: PERF_USAGE,
    run: async () => (await import('./perf-command.js')).perfCommand,
  },
  openapi: {
    summary: "print the HTTP API's OpenAPI 3.1 document (also served at /openapi.json)",
    usage: 'usage: modelgate openapi > openapi.json',
    run: async () => (await import('./openapi-command.js')).openapiCommand,
  },
  types: {
    summary: "write TypeScript types for a model's named features, from its manifest",
    usage: 'usage: modelgate types <model> [--version <v>] [--models-dir <dir>] [--out <file.ts>]   (default: the highest version on disk)',
    run: async () => (await import('./types-command.js')).typesCommand,
  },
  token: {
    summary: 'manage role tokens (admin)',
    usage:
      `usage: modelgate token create <principal> --role <viewer|deployer|approver|admin> | token list | token revoke <principal>   [--json]${REMOTE}`,
    run: async () => (await import('./token-command.js')).tokenCommand,
  },
};
