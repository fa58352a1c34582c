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
    expect(services.modelgate?.depends_on).toEqual({ unleash: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(services.unleash?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.grafana?.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('mounts files that exist (Prometheus config + rules, Grafana provisioning + dashboard)', () => {
    const { services } = compose();
    const mounts = [...(services.prometheus?.volumes ?? []), ...(services.grafana?.volumes ?? [])].map((v) => v.split(':')[0] as string);
    expect(mounts.length).toBe(4);
    for (const m of mounts) expect(existsSync(join('deploy', m)), m).toBe(true);
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
