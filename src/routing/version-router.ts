import { modelNotFound, versionNotFound, GatewayError } from '../errors/index.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import { isVersion } from '../contracts/names.js';
import type { LoadedVersions } from '../contracts/loaded-version.js';
import type { Pin, RoutingContext } from '../contracts/prediction.js';
import type { RouteDecision, VersionResolver } from './types.js';

/** The flag layer's answer for one request: a version (or alias) to try, or why there is none. */
export type FlagChoice = { variant: string; target: string } | { fallback: string };

export interface FlagRouter {
  choose(model: string, ctx: RoutingContext): FlagChoice;
}

export interface VersionRouterOptions {
  repository: LoadedVersions;
  /** The stable version of a model (config default or registry production), if one is set. */
  stableVersion: (model: string) => string | undefined;
  /** Aliases of a model, alias -> version (config and registry). */
  aliases: (model: string) => Record<string, string>;
  flags?: FlagRouter;
}

/**
 * Picks the version that answers a request. An explicit pin (path version, x-model-version,
 * alias) beats flags; flags pick a variant; anything unusable falls back to the stable version.
 */
export class VersionRouter implements VersionResolver {
  private flags: FlagRouter | undefined;

  constructor(private readonly opts: VersionRouterOptions) {
    this.flags = opts.flags;
  }

  /** Route by these flags from now on (set once the flag source is up). */
  useFlags(flags: FlagRouter): void {
    this.flags = flags;
  }

  resolve(model: string, pin: Pin | undefined, ctx: RoutingContext): RouteDecision {
    const { repository } = this.opts;
    if (!repository.has(model)) throw modelNotFound(model);
    if (pin) return { version: this.pinned(model, pin), route: 'pinned', kind: 'pinned', reason: pin.source };
    const stable = this.stable(model);
    const choice = this.flags?.choose(model, ctx) ?? { fallback: 'no_flag' };
    if ('fallback' in choice) return fallback(stable, choice.fallback);
    const target = this.lookup(model, choice.target);
    if (!target) return fallback(stable, 'version_not_loaded');
    if (!sameInputSchema(target, stable)) return fallback(stable, 'schema_mismatch');
    return { version: target, route: flagRoute(choice.variant), kind: 'flag', reason: 'variant' };
  }

  /** The stable version: configured/production if loaded, else the highest loaded semver. */
  stable(model: string): LoadedVersion {
    const lv = this.opts.repository.defaultVersion(model, this.opts.stableVersion(model));
    if (!lv) throw modelNotFound(model);
    return lv;
  }

  /** A version or alias -> the loaded version it names, if any. */
  lookup(model: string, versionOrAlias: string): LoadedVersion | undefined {
    const { repository } = this.opts;
    if (isVersion(versionOrAlias)) return repository.get(model, versionOrAlias);
    if (versionOrAlias === 'stable') return this.stable(model);
    if (versionOrAlias === 'latest') return repository.versions(model).at(-1);
    const aliased = this.opts.aliases(model)[versionOrAlias];
    return aliased ? repository.get(model, aliased) : undefined;
  }

  private pinned(model: string, pin: Pin): LoadedVersion {
    const lv = this.lookup(model, pin.value);
    if (lv) return lv;
    if (!isVersion(pin.value) && !/^[a-zA-Z0-9_-]{1,64}$/.test(pin.value)) {
      throw new GatewayError('bad_request', 400, 'x-model-version must be a version (semver or integer) or an alias');
    }
    throw versionNotFound(model, pin.value);
  }
}

/** Route names by variant or reason, made once: the same string every request (no concatenation; its hash is kept). */
function routeNames(prefix: string): (name: string) => string {
  const names = new Map<string, string>();
  return (name) => {
    let route = names.get(name);
    if (route === undefined) {
      // Variant names come from the flags in use; start over should they ever pile up.
      if (names.size >= 4096) names.clear();
      names.set(name, (route = prefix + name));
    }
    return route;
  };
}

const flagRoute = routeNames('flag:');
const fallbackRoute = routeNames('fallback:');

function fallback(stable: LoadedVersion, reason: string): RouteDecision {
  return { version: stable, route: fallbackRoute(reason), kind: 'fallback', reason };
}

const inputSchemas = new WeakMap<LoadedVersion, string>();

/** The major-version rule: traffic is only split among versions that take the same inputs. */
export function sameInputSchema(a: LoadedVersion, b: LoadedVersion): boolean {
  if (a === b) return true;
  const key = (lv: LoadedVersion) => {
    let k = inputSchemas.get(lv);
    if (k === undefined) {
      k = JSON.stringify([lv.manifest.inputs.map((i) => [i.name, i.datatype, i.shape]), lv.manifest.features.map((f) => f.name)]);
      inputSchemas.set(lv, k);
    }
    return k;
  };
  return key(a) === key(b);
}
