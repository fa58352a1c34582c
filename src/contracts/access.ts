/** The roles of the ops API, a ladder: each holds the rights of those below it (registry/tokens.ts). */
export type RoleName = 'viewer' | 'deployer' | 'approver' | 'admin';

/**
 * The ops token check as a port, so a protocol adapter (grpc/) checks bearer tokens exactly as
 * the HTTP ops routes do without importing the registry or http/. The composition root builds it
 * from the same authenticator.
 */
export interface AccessControl {
  /**
   * The principal's name when `token` is valid and holds `min` or above. Throws a GatewayError:
   * 401 without a token or with an unknown one, 403 below the role or when ops access is disabled.
   */
  authorize(token: string | undefined, min: RoleName, what: string): Promise<string>;
}

/**
 * Loading and unloading versions (Triton's repository extension) as an operator makes them: each
 * change is audited with `actor`, the caller's principal, before the repository acts.
 */
export interface ModelLifecycle {
  /** Loads (or reloads) every version of `model`, or one; resolves with the versions loaded. */
  load(model: string, version: string | undefined, actor: string): Promise<readonly { version: string }[]>;
  /** Unloads every version of `model`, or one; resolves with the versions unloaded. */
  unload(model: string, version: string | undefined, actor: string): Promise<string[]>;
}
