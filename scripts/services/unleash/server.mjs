// Local Unleash server for modelgate integration tests and ops; started by scripts/services/unleash.sh.
// Every setting can be overridden by env; the defaults match scripts/services/postgres.sh.

// Set before unleash-server is loaded: its config reads these from the environment
// (options.telemetry=false would be ignored, it is OR-ed with the env value).
process.env.SEND_TELEMETRY ??= 'false';
process.env.CHECK_VERSION ??= 'false';
process.env.SCARF_ANALYTICS ??= 'false';

const { start, LogLevel } = await import('unleash-server');

const env = process.env;

/** Parses a TCP port from env, failing loudly instead of starting on a surprising port. */
function port(name, fallback) {
  const raw = env[name] ?? String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name} must be a TCP port, got "${raw}"`);
  }
  return value;
}

const adminToken = env.UNLEASH_ADMIN_TOKEN || '*:*.modelgate-admin-secret';

try {
  await start({
    db: {
      host: env.UNLEASH_DB_HOST || '127.0.0.1',
      port: port('UNLEASH_DB_PORT', 5432),
      user: env.UNLEASH_DB_USER || 'unleash',
      password: env.UNLEASH_DB_PASSWORD || 'unleash',
      database: env.UNLEASH_DB_NAME || 'unleash',
      ssl: false,
    },
    server: {
      host: '127.0.0.1',
      port: port('UNLEASH_PORT', 4242),
    },
    authentication: {
      // Only applied while the database holds no API token at all (i.e. on a fresh database).
      initApiTokens: [
        {
          type: 'admin',
          secret: adminToken,
          environment: '*',
          projects: ['*'],
          tokenName: 'admin',
        },
      ],
    },
    logLevel: LogLevel.warn,
  });

  // start() already stops gracefully on SIGINT/SIGHUP/SIGTERM; this only bounds how long that may take.
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) {
    process.once(signal, () => setTimeout(() => process.exit(1), 10_000).unref());
  }
} catch (error) {
  console.error('unleash: failed to start', error);
  process.exit(1);
}
