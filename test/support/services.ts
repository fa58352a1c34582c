// Gates integration tests on real services: skip loudly on a laptop, fail in CI (MODELGATE_REQUIRE_SERVICES=1).
import { unleashAdminUrl } from './unleash-admin.js';

/** The script that starts each service, named in skip warnings and errors. */
const START_COMMANDS: Readonly<Record<string, string>> = {
  unleash: 'scripts/services/unleash.sh start',
  postgres: 'scripts/services/postgres.sh',
  redis: 'scripts/services/redis.sh start',
  chromium: 'scripts/services/chromium.sh',
};

function startCommand(name: string): string {
  return START_COMMANDS[name.toLowerCase()] ?? `scripts/services/${name.toLowerCase()}.sh start`;
}

/**
 * True when the service is available. Otherwise throws when MODELGATE_REQUIRE_SERVICES=1 (a skipped
 * integration test in CI is a failure), else warns visibly and returns false so the caller can skip.
 *
 * @example describe.skipIf(!requireService('unleash', await unleashAvailable()))('unleash flag source', ...)
 */
export function requireService(name: string, available: boolean): boolean {
  if (available) return true;
  const start = startCommand(name);
  if (process.env.MODELGATE_REQUIRE_SERVICES === '1') {
    throw new Error(`${name} is required (MODELGATE_REQUIRE_SERVICES=1) but is not reachable; start it with ${start}`);
  }
  console.warn(`SKIPPED: ${name} integration tests, ${name} is not reachable (start it with ${start})`);
  return false;
}

/** Whether the Unleash server answers GET /health with GOOD within `timeoutMs`. */
export async function unleashAvailable(baseUrl: string = unleashAdminUrl(), timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return false;
    }
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null && (body as { health?: unknown }).health === 'GOOD';
  } catch {
    return false;
  }
}
