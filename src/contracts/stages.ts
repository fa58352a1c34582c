/** A registered version's stage: where it stands between registration and retirement. */
export const STAGES = ['none', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];
