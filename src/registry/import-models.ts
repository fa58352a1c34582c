import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { LoadFailure } from '../repository/load-failure.js';
import { DirectorySource } from '../repository/model-source.js';
import { highestVersion } from '../repository/semver.js';
import type { ModelRegistry } from './lifecycle.js';
import type { Principal } from '../contracts/roles.js';

/** Who imported the models/ folder, in the audit log and as `registeredBy`. */
export const IMPORTER: Principal = { name: 'system:import', role: 'admin' };

const IMPORTED_KEY = 'models_imported_at';
/** Versions of the models/ folder that failed to import: retried on every start until they import. */
const FAILED_KEY = 'models_import_failed';

export interface ImportReport {
  /** False when the registry had already imported and nothing was left to retry. */
  ran: boolean;
  imported: string[];
  skipped: { model: string; version: string; label: string; reason: string; cause: string }[];
  production: string[];
}

/**
 * First start: register every version of the models/ folder (lowest first, under the version
 * rules), then make the configured default (else the highest imported) version the production
 * one. Afterwards the registry is the source of truth, except that versions which failed are
 * tried again on each start (a repaired file imports then). A failed version does not cascade:
 * a child naming it as parent is judged on its own.
 */
export async function importModels(
  registry: ModelRegistry,
  modelsDir: string,
  opts: { production?: (model: string) => string | undefined; logger?: Logger; now?: () => Date } = {},
): Promise<ImportReport> {
  const { store } = registry;
  const report: ImportReport = { ran: false, imported: [], skipped: [], production: [] };
  const first = !(await store.getMeta(IMPORTED_KEY));
  const retry = new Set<string>(JSON.parse((await store.getMeta(FAILED_KEY)) ?? '[]') as string[]);
  if (!first && retry.size === 0) return report;
  report.ran = true;
  const source = new DirectorySource(modelsDir);
  for (const name of await source.names()) {
    const imported: string[] = [];
    const failed = new Set<string>();
    for (const version of await source.versions(name)) {
      const label = `${name}@${version}`;
      if (!first && !retry.has(label)) continue;
      try {
        const { manifest, artifact } = await source.read(name, version);
        const dir = join(modelsDir, name, version);
        const holdout = manifest.holdout ? await readFile(join(dir, manifest.holdout.path)).catch(() => undefined) : undefined;
        await registry.register(IMPORTER, { manifest, artifact, holdout, importContext: { failedParents: failed, late: !first } });
        imported.push(version);
        report.imported.push(label);
        retry.delete(label);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        failed.add(version);
        retry.add(label);
        report.skipped.push({ model: name, version, label, reason, cause: err instanceof LoadFailure ? err.reason : 'registration_refused' });
        opts.logger?.warn({ model: name, version, err: reason }, `import of ${label} skipped: ${reason}`);
      }
    }
    const wanted = opts.production?.(name);
    const production = wanted && imported.includes(wanted) ? wanted : highestVersion(imported);
    if (production && !(await store.versions(name)).some((v) => v.stage === 'production')) {
      await registry.bootstrapStage(IMPORTER.name, name, production, 'production', 'first-start import of the models folder');
      report.production.push(`${name}@${production}`);
    }
  }
  if (first) await store.setMeta(IMPORTED_KEY, (opts.now?.() ?? new Date()).toISOString());
  await store.setMeta(FAILED_KEY, JSON.stringify([...retry].sort()));
  opts.logger?.info({ imported: report.imported.length, skipped: report.skipped.length, production: report.production }, `imported ${modelsDir} into the registry`);
  return report;
}
