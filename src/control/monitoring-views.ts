import type { AnalysisService } from '../analysis/analysis-service.js';
import type { LoadedVersions } from '../contracts/loaded-version.js';
import { assertNames } from '../contracts/names.js';
import type { DriftMonitor } from '../drift/drift-monitor.js';
import { modelNotFound, versionNotFound } from '../errors/index.js';
import type { FeedbackService } from '../quality/feedback-service.js';
import type { LiveQuality } from '../quality/live-quality.js';

export interface MonitoringParts {
  drift: DriftMonitor;
  quality: LiveQuality;
  analysis: AnalysisService;
  feedback: FeedbackService;
}

/** Ground truth for answered predictions, as the protocols hand it in. */
export type FeedbackIntake = Pick<FeedbackService, 'submit' | 'submitMany'>;

/** Drift, live quality and the canary analysis of served versions, by name (400 bad names, 404 not loaded). */
export class MonitoringViews {
  constructor(
    private readonly parts: MonitoringParts,
    private readonly loaded: LoadedVersions,
  ) {}

  get feedback(): FeedbackIntake {
    return this.parts.feedback;
  }

  drift(model: string, version: string) {
    const lv = this.version(model, version);
    return this.parts.drift.report(lv.name, lv.version, lv.manifest.features.some((f) => lv.manifest.referenceStats[f.name]));
  }

  quality(model: string, version: string) {
    const lv = this.version(model, version);
    return this.parts.quality.view(lv.name, lv.version, lv.manifest.task);
  }

  analysis(model: string) {
    assertNames(model);
    // A model that is not loaded is named as such; a loaded one without an analysis gets the analysis's own 404.
    if (!this.loaded.has(model)) throw modelNotFound(model);
    return this.parts.analysis.view(model);
  }

  async startAnalysis(model: string) {
    assertNames(model);
    await this.parts.analysis.start(model);
    return this.parts.analysis.view(model);
  }

  private version(model: string, version: string) {
    assertNames(model, version);
    const lv = this.loaded.get(model, version);
    if (!lv) throw versionNotFound(model, version);
    return lv;
  }
}
