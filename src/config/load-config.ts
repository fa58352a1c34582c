import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { applyEnv } from './env-overrides.js';
import { GatewayConfig, type GatewayConfigInput } from './schema.js';

/**
 * Read config once at start: config/gateway.json (or MODELGATE_CONFIG), then the environment
 * overrides of env-overrides.ts. A bad file or variable stops the start with the offending field named.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): GatewayConfig {
  const path = env.MODELGATE_CONFIG ?? `${cwd}/config/gateway.json`;
  let file: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (env.MODELGATE_CONFIG) {
    throw new Error(`config file ${path} does not exist`);
  }
  return parseConfig(applyEnv(file, env));
}

export function parseConfig(input: GatewayConfigInput | Record<string, unknown>): GatewayConfig {
  const parsed = GatewayConfig.safeParse(input);
  if (!parsed.success) {
    // One line: each issue as `path: message`.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${issues}`);
  }
  return parsed.data;
}
