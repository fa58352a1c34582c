import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_FILE, composeErrors, composeFile } from '../../scripts/deploy/compose-check.js';

interface Service {
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = () => composeFile() as { services: Record<string, Service> };

describe('deploy/docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(composeErrors(composeFile())).toEqual([]);
  });

  it('gives every service a healthcheck and a restart policy, and waits on health', () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual(['grafana', 'modelgate', 'postgres', 'prometheus', 'redis', 'unleash']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(s.restart, name).toBe('unless-stopped');
    }
    expect(services.modelgate?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      unleash: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(services.unleash?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.grafana?.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('mounts files that exist (Prometheus config + rules, Grafana provisioning + dashboard)', () => {
    const { services } = compose();
    const mounts = [...(services.prometheus?.volumes ?? []), ...(services.grafana?.volumes ?? []), ...(services.postgres?.volumes ?? [])]
      .map((v) => v.split(':')[0] as string)
      .filter((m) => m.startsWith('.'));
    expect(mounts.length).toBe(5);
    for (const m of mounts) expect(existsSync(join('deploy', m)), m).toBe(true);
  });

  it('runs the gateway as replicas sharing PostgreSQL, Redis and Unleash (shared mode)', () => {
    const gateway = composeFile() as { services: { modelgate: { deploy?: { replicas?: number }; environment: Record<string, string> } } };
    expect(gateway.services.modelgate.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(gateway.services.modelgate.environment.MODELGATE_DATABASE_URL).toMatch(/^postgres:\/\/modelgate:.*@postgres:5432\/modelgate$/);
    expect(gateway.services.modelgate.environment.MODELGATE_REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
    expect(gateway.services.modelgate.environment.UNLEASH_URL).toMatch(/unleash:4242/);
  });

  it('refuses a misspelt key or an unknown depends_on condition', () => {
    const doc = composeFile() as { services: Record<string, Record<string, unknown>> };
    (doc.services.redis as Record<string, unknown>).healthchek = {};
    (doc.services.modelgate as { depends_on: Record<string, { condition: string }> }).depends_on.redis = { condition: 'service_happy' };
    const errors = composeErrors(doc).join('\n');
    expect(errors).toMatch(/healthchek/);
    expect(errors).toMatch(/depends_on\/redis\/condition/);
  });
});
