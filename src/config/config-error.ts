/**
 * A configuration the gateway cannot start with (a value out of range, a database URL that does
 * not parse or names no host): `modelgate` prints its one-line message and exits 2, like a usage
 * error, rather than 1 (a failure a restart may cure) with a stack trace.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
