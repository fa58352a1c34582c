import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcPython } from '../support/grpc-python.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const python = grpcPython();
const available = requireService('grpc-python', python !== undefined);

/** The README's "OIP over gRPC" example: each `python3 examples/grpc/...` command and the output its comment lines show. */
function readmeExamples(): { command: string; expected: string[] }[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### OIP over gRPC'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const out: { command: string; expected: string[] }[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('python3 examples/grpc/')) out.push({ command: line.replace(/\s+#.*$/, ''), expected: [] });
    else if (line.startsWith('# ') && out.length > 0) out.at(-1)?.expected.push(line.slice(2));
  }
  return out;
}

/** The shown output as a pattern: `...` stands for any request id, line breaks inside a dict for any space. */
const pattern = (lines: string[]) =>
  new RegExp(`^${lines.map((l) => l.trim()).join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\.\\\.\\\./g, "[^']+").replace(/ /g, '\\s*')}\\s*$`);

describe.skipIf(!available)('README: the gRPC example runs as shown (Debian python3-grpcio)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // The default config/gateway.json and config/flags.json, as the README's reader has them.
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints what the README says', () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const { command, expected } of examples) {
      const args = command.replace('localhost:8081', server.grpcTarget).split(/\s+/).slice(1);
      const r = spawnSync(python as string, args, { encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      if (expected.length > 0) expect(r.stdout.trim().replace(/\n/g, ' ')).toMatch(pattern(expected));
      else expect(r.stdout).toContain('price:');
    }
  });
});
