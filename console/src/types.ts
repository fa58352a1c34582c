// The admin API's JSON, as the console reads it (src/http/routes/*.ts are the source of truth).
export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';
export interface Principal {
  name: string;
  role: Role;
}
export interface ModelSummary {
  name: string;
  production: string | null;
  staging: string | null;
  aliases: Record<string, string>;
  versions: { version: string; stage: string; data_version: string }[];
}
export interface VersionDetail {
  model: string;
  version: string;
  stage: string;
  data_version: string;
  parent_version: string | null;
  learner: string | null;
  registered_by: string;
  registered_at: string;
  aliases: string[];
  manifest: { metrics?: Record<string, number> };
}
export interface Share {
  version: string;
  percent: number;
  via: string;
}
export interface RoutingView {
  model: string;
  stable_version: string;
  flag: { name: string; source: string; defined: boolean; enabled: boolean };
  rollback: { since: string; actor: string; reason: string } | null;
  effective_split: Share[];
  conditional: { constraints: unknown; variants: { name: string; weight: number; target: string }[] }[];
  shadow: unknown;
  /** The model's canary analysis (GET /admin/models/{m}/analysis), when one is configured. */
  analysis?: AnalysisView;
}
export interface AnalysisCheck {
  name: string;
  verdict: string;
  value: number | null;
  stable: number | null;
  threshold: string;
  samples: number;
  p_value?: number;
}
export interface AnalysisView {
  status: string;
  canary: string | null;
  step: { index: number; percent: number; steps: number[] };
  checks: AnalysisCheck[] | null;
}
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
}
export interface AuditVerify {
  ok: boolean;
  rows: number;
  brokenAt?: number;
  reason?: string;
}
export interface PredictionExplanation {
  requestId: string;
  at: string;
  model: string;
  version: string;
  stage: string | null;
  route: string;
  pin: string | null;
  cache: string;
  latencyMs: number;
  why: string;
  promotion: { stage: string; by: string; at: string; reason: string | null } | null;
}
