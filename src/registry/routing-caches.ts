import type { Stage } from '../contracts/stages.js';
import type { RegistryStore } from './registry-store.js';

/**
 * The registry as the request path reads it, in memory: each model's production and staging
 * versions (routing's stable version and canary candidate), its aliases with `production` and
 * `staging` among them, and each version's stage (read per traced prediction, so no key is built
 * per request). Reloaded whole from the store on every registry change.
 */
export class RoutingCaches {
  private stages = new Map<string, { production?: string; staging?: string }>();
  private aliasCache = new Map<string, Record<string, string>>();
  /** model -> version -> stage. */
  private stageByVersion = new Map<string, Map<string, Stage>>();

  /** The production version: routing's stable version. */
  stableVersion(model: string): string | undefined {
    return this.stages.get(model)?.production;
  }

  /** Registry aliases plus `production` and `staging` (the canary candidate). */
  aliases(model: string): Record<string, string> {
    return this.aliasCache.get(model) ?? {};
  }

  stageOf(model: string, version: string): Stage | undefined {
    return this.stageByVersion.get(model)?.get(version);
  }

  /** Re-read the store (a few small queries) and swap every cache at once. */
  async reload(store: RegistryStore): Promise<void> {
    const stages = await store.stageMap();
    const byModel = new Map<string, Map<string, Stage>>();
    for (const [key, stage] of await store.stageIndex()) {
      const at = key.lastIndexOf('@');
      const model = key.slice(0, at);
      let versions = byModel.get(model);
      if (!versions) byModel.set(model, (versions = new Map()));
      versions.set(key.slice(at + 1), stage);
    }
    const aliases = await store.aliasMap();
    const merged = new Map<string, Record<string, string>>();
    for (const model of new Set([...stages.keys(), ...aliases.keys()])) {
      const s = stages.get(model);
      merged.set(model, {
        ...(s?.production ? { production: s.production } : {}),
        ...(s?.staging ? { staging: s.staging } : {}),
        ...aliases.get(model),
      });
    }
    this.stages = stages;
    this.stageByVersion = byModel;
    this.aliasCache = merged;
  }
}
