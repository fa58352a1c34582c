import { GatewayError } from '../errors/index.js';
import { isModelName, isVersion, NAME_RULE, VERSION_RULE } from '../contracts/names.js';

/** Refuse a bad model name or version with a 400 that says what is allowed. */
export function assertNames(model: string, version?: string): void {
  if (!isModelName(model)) throw new GatewayError('bad_request', 400, `invalid model name: ${NAME_RULE}`);
  if (version !== undefined && !isVersion(version)) {
    throw new GatewayError('bad_request', 400, `invalid model version: ${VERSION_RULE}`);
  }
}

export { compareVersions, highestVersion } from './semver.js';
