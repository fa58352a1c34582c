import { conflict } from '../errors/index.js';
import type { Manifest } from '../contracts/manifest.js';
import { compareSemver, parseSemver } from '../repository/semver.js';

/** The seed's version rules, each with a stable id a client can act on (`details.rule`). */
export type VersionRule =
  | 'version_exists'
  | 'semver_must_increase'
  | 'duplicate_artifact'
  | 'schema_change_requires_major'
  | 'data_change_requires_data_version'
  | 'unknown_parent';

/** What the rules need to know of a registered version. */
export interface RegisteredVersion {
  version: string;
  dataVersion: string | null;
  trainingDataHash: string | null;
  manifest: Pick<Manifest, 'inputs' | 'outputs' | 'features'>;
}

/**
 * How the models/ folder import relaxes the rules: a version whose parent failed to import is
 * judged on its own, and a version retried after a repair (`late`) is judged against its
 * predecessor, not against versions registered while it was broken.
 */
export interface ImportContext {
  failedParents: ReadonlySet<string>;
  late: boolean;
}

const violation = (rule: VersionRule, message: string, details: Record<string, unknown> = {}) =>
  conflict(message, { rule, ...details });

/**
 * The interface a version exposes to callers: tensors, and the named features in order. A
 * classifier's class labels (ZipMap's) are part of its output: reordered labels change what
 * each probability column means.
 */
export function schemaOf(m: Pick<Manifest, 'inputs' | 'outputs' | 'features'>) {
  return {
    inputs: m.inputs.map((t) => `${t.name}:${t.datatype}[${t.shape.join(',')}]`),
    outputs: m.outputs.map((t) => `${t.name}:${t.datatype}[${t.shape.join(',')}]${t.converted ? `${JSON.stringify(t.converted.labels)}` : ''}`),
    features: m.features.map((f) => `${f.name}:${f.dtype}`),
  };
}

/** Which parts of the schema differ (inputs, outputs, features); empty when compatible. */
export function schemaChanges(a: RegisteredVersion['manifest'], b: RegisteredVersion['manifest']): string[] {
  const x = schemaOf(a);
  const y = schemaOf(b);
  return (['inputs', 'outputs', 'features'] as const).filter((k) => x[k].join('|') !== y[k].join('|'));
}

/**
 * Refuse a new version that breaks the seed's rules against the versions already registered:
 * the semver increases; a changed input/output schema needs a major bump; a changed training
 * data hash needs a new dataVersion (and a dataVersion names one hash, ever); an artifact is
 * registered once; a parent version must exist. Throws a 409 naming the rule.
 */
export function checkVersionRules(
  candidate: Manifest,
  existing: readonly RegisteredVersion[],
  artifactOwner?: { model: string; version: string },
  importContext?: ImportContext,
): void {
  const label = `${candidate.name}@${candidate.version}`;
  if (existing.some((v) => v.version === candidate.version)) {
    throw violation('version_exists', `${label} is already registered`);
  }
  if (artifactOwner) {
    throw violation(
      'duplicate_artifact',
      `this artifact (sha256:${candidate.artifact.sha256.slice(0, 12)}) is already registered as ${artifactOwner.model}@${artifactOwner.version}`,
      { existing: `${artifactOwner.model}@${artifactOwner.version}` },
    );
  }
  const ordered = [...existing].sort((a, b) => compareSemver(a.version, b.version));
  const previous = importContext?.late ? ordered.filter((v) => compareSemver(v.version, candidate.version) < 0).at(-1) : ordered.at(-1);
  // A parent that failed to import does not take its children down (no cascade): they are judged on their own.
  const parentFailed = candidate.lineage.parentVersion !== null && importContext?.failedParents.has(candidate.lineage.parentVersion) === true;
  if (!previous) {
    if (candidate.lineage.parentVersion && !parentFailed) {
      throw violation('unknown_parent', `${label} names parent ${candidate.lineage.parentVersion}, which is not registered`);
    }
    return;
  }
  if (compareSemver(candidate.version, previous.version) <= 0) {
    throw violation(
      'semver_must_increase',
      `${label}: the version must be greater than the latest registered ${previous.version}`,
      { latest: previous.version },
    );
  }
  const changed = schemaChanges(previous.manifest, candidate);
  const major = (v: string) => parseSemver(v)?.major ?? 0;
  if (changed.length > 0 && major(candidate.version) <= major(previous.version)) {
    throw violation(
      'schema_change_requires_major',
      `${label} changes the ${changed.join(', ')} schema of ${previous.version}: a breaking change needs a major version (${major(previous.version) + 1}.0.0)`,
      { changed, latest: previous.version },
    );
  }
  // Unknown training data (an import) cannot contradict anything: the rule needs both sides known.
  const sameDataVersion = candidate.dataVersion && candidate.trainingDataHash
    ? existing.find((v) => v.dataVersion === candidate.dataVersion && v.trainingDataHash && v.trainingDataHash !== candidate.trainingDataHash)
    : undefined;
  if (sameDataVersion) {
    throw violation(
      'data_change_requires_data_version',
      `${label}: trainingDataHash differs from ${sameDataVersion.version}'s but dataVersion is still '${candidate.dataVersion}': new training data needs a new dataVersion`,
      { conflictsWith: sameDataVersion.version },
    );
  }
  const parent = candidate.lineage.parentVersion;
  if (parent && !parentFailed && !existing.some((v) => v.version === parent)) {
    throw violation('unknown_parent', `${label} names parent ${parent}, which is not registered`);
  }
}
