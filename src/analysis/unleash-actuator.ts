import { GatewayError } from '../errors/index.js';
import { splitVariants, type SplitTargets, type TrafficActuator } from './traffic-actuator.js';

export interface UnleashAdminSettings {
  /** Server base, e.g. http://127.0.0.1:4242 (not the client API's /api). */
  adminUrl: string;
  adminToken: string;
  project: string;
  environment: string;
  timeoutMs?: number;
}

interface StrategyRow {
  id: string;
  name: string;
  parameters?: Record<string, string>;
  constraints?: unknown[];
  segments?: number[];
}

/**
 * Acts through a real Unleash server's Admin API: the unconstrained flexibleRollout strategy of
 * the flag gets the split's variants (PUT, or POST when there is none), the environment is
 * switched on, or off for the kill switch. Gateways see it on their next poll.
 */
export class UnleashTrafficActuator implements TrafficActuator {
  readonly kind = 'unleash' as const;

  constructor(private readonly s: UnleashAdminSettings, private readonly targets: SplitTargets) {}

  async setSplit(percent: number): Promise<void> {
    const flag = encodeURIComponent(this.targets.flag);
    const env = this.envPath();
    const feature = (await this.call('GET', this.projectPath(`/features/${flag}`))) as { environments?: { name: string; strategies?: StrategyRow[] }[] };
    const strategies = feature.environments?.find((e) => e.name === this.s.environment)?.strategies ?? [];
    const open = strategies.find((x) => (x.constraints?.length ?? 0) === 0 && x.name === 'flexibleRollout');
    const body = {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: open?.parameters?.stickiness ?? 'default', groupId: open?.parameters?.groupId ?? this.targets.flag },
      constraints: [],
      segments: open?.segments ?? [],
      variants: splitVariants(this.targets, percent),
    };
    if (open) await this.call('PUT', `${env}/strategies/${encodeURIComponent(open.id)}`, body);
    else await this.call('POST', `${env}/strategies`, body);
    await this.call('POST', `${env}/on`);
  }

  async kill(): Promise<void> {
    await this.call('POST', `${this.envPath()}/off`);
  }

  private projectPath(suffix: string): string {
    return `/api/admin/projects/${encodeURIComponent(this.s.project)}${suffix}`;
  }

  private envPath(): string {
    return this.projectPath(`/features/${encodeURIComponent(this.targets.flag)}/environments/${encodeURIComponent(this.s.environment)}`);
  }

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Authorization: this.s.adminToken, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.s.adminUrl.replace(/\/+$/, '')}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.s.timeoutMs ?? 5_000),
    });
    const text = await res.text();
    if (!res.ok) throw new GatewayError('internal', 502, `Unleash Admin API ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
