import { GatewayError } from '../errors/index.js';

/**
 * The one place model names and versions are judged. Names and versions become file paths,
 * URL segments and metric labels, so every entry point (HTTP, CLI, config, registry, folders)
 * checks them here. A version is semver (MAJOR.MINOR.PATCH[-pre][+build]) or, as in Triton
 * and TF Serving repositories, a plain integer (`1`, `2`, ...).
 */

/** Semantic version, MAJOR.MINOR.PATCH with optional pre-release/build (semver.org). */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Triton / TF Serving version folders: a positive integer without leading zeros (bounded). */
export const INTEGER_VERSION_RE = /^[1-9]\d{0,14}$/;

/** Names that are safe as a path segment and a metric label: no dots-only, no slashes. */
export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

export const NAME_RULE = 'use 1-64 of [a-zA-Z0-9_-], starting with a letter or digit';
export const VERSION_RULE = 'use a semver such as 1.2.0 or an integer such as 3';

export const isModelName = (s: string): boolean => NAME_RE.test(s);
export const isVersion = (s: string): boolean => SEMVER_RE.test(s) || INTEGER_VERSION_RE.test(s);
export const isIntegerVersion = (s: string): boolean => INTEGER_VERSION_RE.test(s);

/** Refuse a bad model name or version with a 400 that says what is allowed. */
export function assertNames(model: string, version?: string): void {
  if (!isModelName(model)) throw new GatewayError('bad_request', 400, `invalid model name: ${NAME_RULE}`);
  if (version !== undefined && !isVersion(version)) {
    throw new GatewayError('bad_request', 400, `invalid model version: ${VERSION_RULE}`);
  }
}
