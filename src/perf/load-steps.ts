/**
 * Load steps as perf_analyzer takes them: `START:END:STEP` where STEP is `xF` (multiply) or
 * `+N` (add); `START` alone is one step. `1:64:x4` -> 1, 4, 16, 64 (END always included).
 */
export function parseSteps(spec: string): number[] {
  const parts = spec.split(':');
  const nums = parts.slice(0, 2).map(Number);
  const bad = () => new Error(`invalid range '${spec.slice(0, 40)}': START[:END[:xF|+N]], e.g. 1:64:x2 or 100:2000:+100`);
  if (parts.length > 3 || nums.some((n) => !Number.isFinite(n) || n <= 0)) throw bad();
  const start = nums[0] as number;
  const end = nums[1] ?? start;
  if (end < start) throw bad();
  const stepText = parts[2] ?? (end === start ? '+1' : 'x2');
  const match = /^([x+])(\d+(?:\.\d+)?)$/.exec(stepText);
  if (!match) throw bad();
  const by = Number(match[2]);
  const multiply = match[1] === 'x';
  if ((multiply && by <= 1) || (!multiply && by <= 0)) throw bad();
  const out: number[] = [];
  for (let v = start; v < end && out.length < 1000; v = multiply ? v * by : v + by) out.push(Math.round(v));
  out.push(end);
  return [...new Set(out)];
}

/** `5s`, `500ms`, `2m` or plain seconds -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration '${text.slice(0, 40)}': e.g. 5s, 500ms, 2m`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
}
