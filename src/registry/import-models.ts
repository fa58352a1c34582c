import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { DirectorySource } from '../repository/model-source.js';
import { highestVersion } from '../repository/semver.js';
import { readArtifact, readManifest } from '../repository/version-loader.js';
import type { ModelRegistry } from './lifecycle.js';
import type { Principal } from './tokens.js';

/** Who imported the models/ folder, in the audit log and as `registeredBy`. */
export const IMPORTER: Principal = { name: 'system:import', role: 'admin' };

const IMPORTED_KEY = 'models_imported_at';

export interface ImportReport {
  /** False when the registry had already imported (nothing was read). */
  ran: boolean;
  imported: string[];
  skipped: { version: string; reason: string }[];
  production: string[];
}

/**
 * First start: register every version of the models/ folder (lowest semver first, under the
 * version rules), then make the configured default (else the highest imported) version the
 * production one. Runs once per registry; afterwards the registry is the source of truth.
 */
export async function importModels(
  registry: ModelRegistry,
  modelsDir: string,
  opts: { production?: (model: string) => string | undefined; logger?: Logger; now?: () => Date } = {},
): Promise<ImportReport> {
  const { store } = registry;
  const report: ImportReport = { ran: false, imported: [], skipped: [], production: [] };
  if (store.getMeta(IMPORTED_KEY)) return report;
  report.ran = true;
  const source = new DirectorySource(modelsDir);
  for (const name of await source.names()) {
    const imported: string[] = [];
    for (const version of await source.versions(name)) {
      const label = `${name}@${version}`;
      try {
        const dir = join(modelsDir, name, version);
        const manifest = await readManifest(dir, { name, version });
        const artifact = await readArtifact(dir, manifest);
        const holdout = manifest.holdout ? await readFile(join(dir, manifest.holdout.path)).catch(() => undefined) : undefined;
        await registry.register(IMPORTER, { manifest, artifact, holdout });
        imported.push(version);
        report.imported.push(label);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        report.skipped.push({ version: label, reason });
        opts.logger?.warn({ model: name, version, err: reason }, `import of ${label} skipped: ${reason}`);
      }
    }
    const wanted = opts.production?.(name);
    const production = wanted && imported.includes(wanted) ? wanted : highestVersion(imported);
    if (production) {
      registry.bootstrapStage(IMPORTER.name, name, production, 'production', 'first-start import of the models folder');
      report.production.push(`${name}@${production}`);
    }
  }
  store.setMeta(IMPORTED_KEY, (opts.now?.() ?? new Date()).toISOString());
  opts.logger?.info({ imported: report.imported.length, skipped: report.skipped.length, production: report.production }, `imported ${modelsDir} into the registry`);
  return report;
}
