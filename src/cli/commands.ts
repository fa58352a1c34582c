/**
 * Every `modelgate` sub-command: its one-line summary, its usage (printed by `--help`, and after
 * a usage error), and a lazy loader (so `modelgate token list` never loads onnxruntime).
 * To add a command, add a row here; `main.ts` handles --help, exit codes and errors for all.
 */
import { PERF_USAGE } from './perf-usage.js';

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
    usage: 'usage: modelgate register <version-dir> [--token <token>]',
    run: async () => (await import('./register-command.js')).registerCommand,
  },
  promote: {
    summary: 'move a version: staging (deployer), production (approver, gate)',
    usage: 'usage: modelgate promote <model> <version> <none|staging|production|archived> [--reason <text>] [--override] [--token <token>]',
    run: async () => (await import('./promote-command.js')).promoteCommand,
  },
  validate: {
    summary: 'run the validation gate against the production version',
    usage: 'usage: modelgate validate <model> <version> [--json] [--token <token>]',
    run: async () => (await import('./validate-command.js')).validateCommand,
  },
  audit: {
    summary: "walk the audit log's hash chain / print it",
    usage: 'usage: modelgate audit verify | modelgate audit list [--after <seq>] [--limit <n>]',
    run: async () => (await import('./audit-command.js')).auditCommand,
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
      'usage: modelgate token create <principal> --role <viewer|deployer|approver|admin> | token list | token revoke <principal>   [--token <admin token>]',
    run: async () => (await import('./token-command.js')).tokenCommand,
  },
};
