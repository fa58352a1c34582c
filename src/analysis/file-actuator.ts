import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseFlags } from '../routing/file-flag-source.js';
import type { ClientFeatures, FeatureFlag } from '../routing/flags-schema.js';
import { splitVariants, type SplitTargets, type TrafficActuator } from './traffic-actuator.js';

/**
 * Acts through the embedded flags file: rewrites the flag's unconstrained strategy (variant
 * weights) or its `enabled` (kill switch) and replaces the file atomically (write + rename), the
 * way the file source expects edits. Constrained strategies (tenant pins) are left as they are.
 */
export class FileTrafficActuator implements TrafficActuator {
  readonly kind = 'file' as const;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly targets: SplitTargets,
    /** Make the new file live now (the source's own reload) rather than at the watcher's pace. */
    private readonly afterWrite: () => Promise<void> = async () => undefined,
  ) {}

  setSplit(percent: number): Promise<void> {
    return this.edit((f) => {
      f.enabled = true;
      let s = f.strategies.find((x) => (x.constraints?.length ?? 0) === 0);
      if (!s) f.strategies.push((s = { name: 'flexibleRollout', constraints: [] }));
      s.name = 'flexibleRollout';
      s.parameters = { ...s.parameters, rollout: '100', stickiness: String(s.parameters?.stickiness ?? 'default'), groupId: String(s.parameters?.groupId ?? this.targets.flag) };
      s.variants = splitVariants(this.targets, percent);
    });
  }

  kill(): Promise<void> {
    return this.edit((f) => {
      f.enabled = false;
    });
  }

  /** One edit at a time: read, change the flag (made if missing), write a temp file, rename over. */
  private edit(change: (f: FeatureFlag) => void): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(async () => {
      let doc: ClientFeatures;
      try {
        doc = parseFlags(await readFile(this.path, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        doc = { version: 2, features: [] };
      }
      let flag = doc.features.find((f) => f.name === this.targets.flag);
      if (!flag) doc.features.push((flag = { name: this.targets.flag, type: 'experiment', enabled: true, strategies: [], variants: [] }));
      change(flag);
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
      await rename(tmp, this.path);
      await this.afterWrite();
    });
    return this.writing;
  }
}
