import type { ModelFile } from '../contracts/model-file.js';
import type { Stage } from '../contracts/stages.js';
import type { StoredGateResult } from './registry-store.js';
import type { GateProgress } from './validation-gate.js';
import type { ImportContext } from './version-rules.js';

/** What ModelRegistry's callers hand it and get back; the rules themselves are in lifecycle.ts. */
export interface RegisterInput {
  /** The manifest as parsed JSON (validated here). */
  manifest: unknown;
  /** The ONNX bytes, or an uploaded file (checked, loaded and stored from disk, never read whole). */
  artifact: Uint8Array | ModelFile;
  /** holdout.json bytes, the set the validation gate runs on. */
  holdout?: Uint8Array;
  /** Set by the models/ folder import only (version-rules.ts ImportContext). */
  importContext?: ImportContext;
}

export interface PromoteOptions {
  reason?: string;
  /** Admin only, with a reason: promote despite four eyes or a failed gate. */
  override?: boolean;
  onProgress?: (p: GateProgress) => void;
}

export interface PromotionResult {
  model: string;
  version: string;
  from: Stage;
  to: Stage;
  /** The version that left the stage to make room (old production archived, old staging back to none). */
  replaced: { version: string; stage: Stage } | null;
  gate: StoredGateResult | null;
  overrides: string[];
}

/** What the registry tells the serving side. Without hooks (the CLI) the gateway catches up by polling. */
export interface LifecycleHooks {
  /** Make the version servable before it becomes production/staging (load it); a rejection aborts the move. */
  beforeServe?(model: string, version: string): Promise<void>;
  /** After a committed change of this model's versions, stages or aliases. */
  changed?(model: string): Promise<void> | void;
}
