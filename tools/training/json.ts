/**
 * Deterministic JSON text: 2-space indentation and a trailing newline, but arrays of plain
 * numbers/strings stay on one line so a 1000-row holdout is 1000 lines, not 10000.
 * Key order is insertion order (we build every object literal in a fixed order).
 */
export function formatJson(value: unknown): string {
  return `${render(value, '')}\n`;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function render(value: unknown, indent: string): string {
  if (isScalar(value)) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isScalar)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + render(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    // Like JSON.stringify, drop undefined members.
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  throw new Error(`cannot serialise ${typeof value} as JSON`);
}
