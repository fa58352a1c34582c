import type { GateResult } from '../registry/validation-gate.js';

/** A gate result as a small table. */
export function formatGate(r: GateResult): string {
  const num = (x: number | null) => (x === null ? '-' : String(x));
  const lines = [
    `gate ${r.passed ? 'PASSED' : 'FAILED'}: ${r.model}@${r.candidate} vs ${r.baseline ?? '(no production version)'} ` +
      `(${r.comparison}, ${r.holdoutRows} holdout rows, ${r.durationMs} ms)`,
    `  ${'metric'.padEnd(12)}${'candidate'.padStart(14)}${'baseline'.padStart(14)}${'limit'.padStart(14)}  result`,
    ...r.metrics.map(
      (m) => `  ${m.name.padEnd(12)}${num(m.candidate).padStart(14)}${num(m.baseline).padStart(14)}${num(m.limit).padStart(14)}  ${m.passed ? 'ok' : 'FAIL'}`,
    ),
  ];
  if (r.latency) {
    const l = r.latency;
    lines.push(
      `  ${'p95 ms'.padEnd(12)}${num(l.candidateP95Ms).padStart(14)}${num(l.baselineP95Ms).padStart(14)}${num(l.limitMs).padStart(14)}  ${l.passed ? 'ok' : 'FAIL'}`,
    );
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}
