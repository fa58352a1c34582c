import { GatewayError } from '../../errors/index.js';
import { NAME_RE, SEMVER_RE } from '../../repository/manifest.js';

/** Model names and versions become file paths and metric labels: refuse anything else early. */
export function checkNames(model: string, version?: string): void {
  if (!NAME_RE.test(model)) throw new GatewayError('bad_request', 400, 'invalid model name: use 1-64 of [a-zA-Z0-9_-]');
  if (version !== undefined && !SEMVER_RE.test(version)) {
    throw new GatewayError('bad_request', 400, 'invalid model version: use a semver such as 1.2.0');
  }
}
