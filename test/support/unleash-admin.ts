// Typed client for the parts of the Unleash Admin API that integration tests need
// (server started by scripts/services/unleash.sh; facts in shared/FLAGS.md).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Connection settings written by `scripts/services/unleash.sh start` to `.services/unleash.env`. */
export interface UnleashEnv {
  /** Client API base, e.g. http://127.0.0.1:4242/api (what unleash-client's `url` takes). */
  url: string;
  /** Client (backend) token for `url`. */
  apiToken: string;
  /** Server base for the Admin API and /health, e.g. http://127.0.0.1:4242. */
  adminUrl: string;
  adminToken: string;
}

const DEFAULT_ADMIN_URL = 'http://127.0.0.1:4242';
const DEFAULT_ADMIN_TOKEN = '*:*.modelgate-admin-secret';
const START_HINT = 'scripts/services/unleash.sh start';

/** The repository root: the nearest folder above this file that holds scripts/services/unleash.sh (works from src and dist). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'services', 'unleash.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const UNLEASH_ENV_FILE = join(repoRoot(), '.services', 'unleash.env');

/** Parses KEY=VALUE lines (no quoting, `#` comments), the format unleash.sh writes. */
function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) values.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }
  return values;
}

/** One setting: process.env wins over the env file, so CI or a developer can point elsewhere. */
function lookup(key: string, file: Map<string, string>): string | undefined {
  const fromProcess = process.env[key];
  return fromProcess !== undefined && fromProcess !== '' ? fromProcess : file.get(key);
}

function readEnvFile(path: string): Map<string, string> {
  return existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : new Map();
}

/** Base URL of the local Unleash server (for /health probes); never throws. */
export function unleashAdminUrl(path: string = UNLEASH_ENV_FILE): string {
  return (lookup('UNLEASH_ADMIN_URL', readEnvFile(path)) ?? DEFAULT_ADMIN_URL).replace(/\/+$/, '');
}

/**
 * Reads the Unleash settings from process.env, then `.services/unleash.env`.
 * Throws when no client token is known, which means the server was never set up by unleash.sh.
 */
export function readUnleashEnv(path: string = UNLEASH_ENV_FILE): UnleashEnv {
  const file = readEnvFile(path);
  const adminUrl = (lookup('UNLEASH_ADMIN_URL', file) ?? DEFAULT_ADMIN_URL).replace(/\/+$/, '');
  const apiToken = lookup('UNLEASH_API_TOKEN', file);
  if (apiToken === undefined) {
    throw new Error(`UNLEASH_API_TOKEN is set neither in the environment nor in ${path}; run ${START_HINT}`);
  }
  return {
    url: (lookup('UNLEASH_URL', file) ?? `${adminUrl}/api`).replace(/\/+$/, ''),
    apiToken,
    adminUrl,
    adminToken: lookup('UNLEASH_ADMIN_TOKEN', file) ?? DEFAULT_ADMIN_TOKEN,
  };
}

/** A payload attached to a variant, returned to the SDK as-is. */
export interface VariantPayload {
  type: 'string' | 'json' | 'csv' | 'number';
  value: string;
}

export interface RolloutVariant {
  name: string;
  /** Share of the strategy's traffic in thousandths (900 = 90 %). */
  weight: number;
  /** Context field that buckets users into variants, e.g. 'userId' or 'default'. */
  stickiness: string;
  payload?: VariantPayload;
  /**
   * 'fix' keeps `weight`; 'variable' variants share what the fixed ones leave. When no variant says,
   * the last one is sent as 'variable' (Unleash requires one) and the weights must add up to 1000.
   */
  weightType?: 'fix' | 'variable';
}

export type ConstraintOperator =
  | 'IN'
  | 'NOT_IN'
  | 'STR_CONTAINS'
  | 'STR_STARTS_WITH'
  | 'STR_ENDS_WITH'
  | 'NUM_EQ'
  | 'NUM_GT'
  | 'NUM_GTE'
  | 'NUM_LT'
  | 'NUM_LTE'
  | 'DATE_AFTER'
  | 'DATE_BEFORE'
  | 'SEMVER_EQ'
  | 'SEMVER_GT'
  | 'SEMVER_LT'
  | 'REGEX';

export interface Constraint {
  contextName: string;
  operator: ConstraintOperator;
  /** Multi-value operators (IN, NOT_IN, STR_*). */
  values?: string[];
  /** Single-value operators (NUM_*, DATE_*, SEMVER_*, REGEX). */
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export interface FlexibleRollout {
  /** Whole percentage of users enabled, 0-100. */
  rollout: number;
  /** Bucketing seed; always set it, or flags share buckets. */
  groupId: string;
  stickiness: string;
  variants: RolloutVariant[];
  constraints?: Constraint[];
}

/** A strategy as the Admin API returns it (fields the tests use). */
export interface CreatedStrategy {
  id: string;
  name: string;
  parameters: Record<string, string>;
  variants: Array<Required<Pick<RolloutVariant, 'name' | 'weight' | 'stickiness' | 'weightType'>> & Pick<RolloutVariant, 'payload'>>;
  constraints: Constraint[];
}

/** An Admin API call that answered with a non-2xx status. */
export class UnleashAdminError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`Unleash Admin API ${method} ${path}: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'UnleashAdminError';
  }
}

export interface UnleashAdminOptions {
  adminUrl: string;
  adminToken: string;
  project?: string;
  environment?: string;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'DELETE';

interface AdminResponse {
  status: number;
  body: string;
}

export class UnleashAdmin {
  private readonly adminUrl: string;
  private readonly adminToken: string;
  private readonly project: string;
  private readonly environment: string;
  private readonly timeoutMs: number;

  constructor(options: UnleashAdminOptions) {
    this.adminUrl = options.adminUrl.replace(/\/+$/, '');
    this.adminToken = options.adminToken;
    this.project = options.project ?? 'default';
    this.environment = options.environment ?? 'production';
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A client for the server described by `.services/unleash.env` / process.env. */
  static fromEnv(env: UnleashEnv = readUnleashEnv()): UnleashAdmin {
    return new UnleashAdmin({ adminUrl: env.adminUrl, adminToken: env.adminToken });
  }

  /**
   * Creates an 'experiment' flag. If the name exists (active or archived) it is deleted and created
   * again, so a test always starts from a flag with no strategies, no variants and disabled.
   */
  async createFlag(name: string, description = 'created by modelgate integration tests'): Promise<void> {
    const body = { name, type: 'experiment', description };
    const created = await this.request('POST', this.projectPath('/features'), body, [409]);
    if (created.status === 409) {
      await this.deleteFlag(name);
      await this.request('POST', this.projectPath('/features'), body);
    }
  }

  /** Adds a flexibleRollout strategy with strategy variants to the flag in this environment. */
  async addFlexibleRollout(name: string, strategy: FlexibleRollout): Promise<CreatedStrategy> {
    if (!Number.isInteger(strategy.rollout) || strategy.rollout < 0 || strategy.rollout > 100) {
      throw new RangeError(`rollout must be a whole percentage 0-100, got ${strategy.rollout}`);
    }
    const body = {
      name: 'flexibleRollout',
      parameters: {
        rollout: String(strategy.rollout),
        stickiness: strategy.stickiness,
        groupId: strategy.groupId,
      },
      constraints: strategy.constraints ?? [],
      variants: withWeightTypes(strategy.variants),
    };
    const response = await this.request('POST', this.environmentPath(name, '/strategies'), body);
    return JSON.parse(response.body) as CreatedStrategy;
  }

  /** Turns the flag on in this environment. */
  async enable(name: string): Promise<void> {
    await this.request('POST', this.environmentPath(name, '/on'));
  }

  /** Turns the flag off in this environment (the kill switch). */
  async disable(name: string): Promise<void> {
    await this.request('POST', this.environmentPath(name, '/off'));
  }

  /** Archives the flag, then deletes it from the archive; a missing flag is fine. */
  async deleteFlag(name: string): Promise<void> {
    // 404 when it is not active (already archived or never created); deleting from the archive is a no-op when absent.
    await this.request('DELETE', this.projectPath(`/features/${encodeURIComponent(name)}`), undefined, [404]);
    await this.request('DELETE', `/api/admin/archive/${encodeURIComponent(name)}`, undefined, [404]);
  }

  private projectPath(suffix: string): string {
    return `/api/admin/projects/${encodeURIComponent(this.project)}${suffix}`;
  }

  private environmentPath(flag: string, suffix: string): string {
    return this.projectPath(
      `/features/${encodeURIComponent(flag)}/environments/${encodeURIComponent(this.environment)}${suffix}`,
    );
  }

  /** Sends one request and reads the whole body; a status outside 2xx and `allowed` throws UnleashAdminError. */
  private async request(method: Method, path: string, body?: unknown, allowed: number[] = []): Promise<AdminResponse> {
    const headers: Record<string, string> = { Authorization: this.adminToken, Accept: 'application/json' };
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(this.timeoutMs) };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${this.adminUrl}${path}`, init);
    const text = await response.text();
    if (!response.ok && !allowed.includes(response.status)) {
      throw new UnleashAdminError(method, path, response.status, text);
    }
    return { status: response.status, body: text };
  }
}

/** Fills in weightType: when the caller set none, all are 'fix' but the last, which takes the rest. */
function withWeightTypes(variants: RolloutVariant[]): Array<RolloutVariant & { weightType: 'fix' | 'variable' }> {
  if (variants.length === 0) return [];
  if (variants.some((v) => v.weightType !== undefined)) {
    if (!variants.some((v) => v.weightType === 'variable')) {
      throw new Error('at least one variant must have weightType "variable" (Unleash rejects the strategy otherwise)');
    }
    return variants.map((v) => ({ ...v, weightType: v.weightType ?? 'fix' }));
  }
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total !== 1000) {
    throw new RangeError(`variant weights are thousandths and must add up to 1000, got ${total}`);
  }
  const last = variants.length - 1;
  return variants.map((v, i) => ({ ...v, weightType: i === last ? 'variable' : 'fix' }));
}
