/** A cell: null/undefined print as `-`. */
export type Cell = string | number | boolean | null | undefined;

const text = (c: Cell) => (c === null || c === undefined || c === '' ? '-' : String(c));

/** Columns padded to their widest cell, upper-case headers, two spaces between columns. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => text(r[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

/** `key  value` lines, keys padded to the longest. */
export function fields(pairs: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs.map(([k, v]) => `${k.padEnd(width)}  ${text(v)}`).join('\n')}\n`;
}

/** Print machine output (`--json`) or the human form. */
export function emit(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
