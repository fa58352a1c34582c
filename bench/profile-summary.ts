// `node dist/bench/profile-summary.js <file.cpuprofile> [top] [--requests=N]`: where a --cpu-prof profile
// spent its time (idle excluded); with the number of requests served, each line also in µs a request.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** Monotonic clock, µs (CLOCK_MONOTONIC on Linux: process.hrtime's clock, in ns there). */
  startTime: number;
}

/** node_modules/<pkg>, src/<folder>, node:internal, or (program)/(gc)/(idle). */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const src = /\/dist\/(src\/[^/]+|bench)/.exec(url);
  if (src) return src[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const requests = Number(opt('requests') ?? 0);
  // --window=FROM,TO (monotonic µs, e.g. process.hrtime.bigint() / 1000n around the measured load):
  // only samples taken then, so start-up, warm-up and shutdown are left out.
  const [from, to] = (opt('window') ?? '0,Infinity').split(',').map(Number) as [number, number];
  const [file, topArg] = args.filter((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: profile-summary.js <file.cpuprofile> [top] [--requests=N] [--window=FROM_US,TO_US]');
  const top = Number(topArg ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  // Inclusive time of the gateway's own functions (dist/src/...): where the request path spends it.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || !f.url.includes('/dist/src/')) continue;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const pct = (us: number) =>
    `${((100 * us) / total).toFixed(1).padStart(5)} %${requests > 0 ? `  ${(us / requests).toFixed(2).padStart(6)} µs/req` : ''}`;
  const print = (title: string, m: Map<string, number>, n: number) => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(us)}  ${k}\n`);
  };
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s busy (idle excluded)${requests > 0 ? `, ${requests} requests: ${(total / requests).toFixed(1)} µs a request` : ''}\n`);
  print('self time by area', areas, 20);
  print('self time by function', fns, top);
  print('inclusive time of gateway functions', inclusive, top);
}

main();
