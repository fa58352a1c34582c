import { execFile } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { tempDir } from '../support/fixtures.js';
import { startGateway } from '../support/gateway.js';

const sh = promisify(execFile);
const ROOT = process.cwd();

/** The README section's bash block: each command with the output its `#` lines show ('...' = anything). */
function readmeExample(heading: string): { command: string; expected: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const steps: { command: string; expected: string }[] = [];
  let continued = false;
  for (const line of block.split('\n')) {
    const step = steps[steps.length - 1];
    if (line.startsWith('#') && step) {
      const text = line.slice(2);
      // '#  ' continues the line above (a long JSON answer wrapped for reading).
      step.expected += text.startsWith(' ') ? text.trimStart() : `${step.expected ? '\n' : ''}${text}`;
    } else if (continued && step) {
      step.command += ` ${line.trim()}`;
    } else if (line.trim()) {
      steps.push({ command: line.replace(/\s+#.*$/, ''), expected: '' });
    }
    continued = line.trimEnd().endsWith('\\');
    if (continued && steps.length > 0) {
      const last = steps[steps.length - 1] as { command: string };
      last.command = last.command.replace(/\\\s*$/, '');
    }
  }
  return steps;
}

const pattern = (expected: string) => new RegExp(`^${expected.split('...').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?')}`);

/** README "scikit-learn classifiers": the example runs as written (a fresh folder, a real server for curl). */
describe('README: scikit-learn classifiers (ZipMap)', () => {
  let gateway: Gateway | undefined;
  let server: ServerType | undefined;
  afterAll(async () => {
    server?.close();
    await gateway?.close(0);
  });

  it('runs the example and answers what it shows', async () => {
    const cwd = tempDir('modelgate-readme-zipmap-');
    // "from a checkout": the example's first line uses the checkout's tools and its tsx.
    for (const dir of ['tools', 'node_modules']) symlinkSync(join(ROOT, dir), join(cwd, dir));
    const steps = readmeExample('### scikit-learn classifiers');
    expect(steps.map((s) => s.command.split(' ')[0])).toEqual(['npx', 'modelgate', 'curl', 'curl']);
    const env = { ...process.env, MODELGATE_LOG_LEVEL: 'silent' };
    for (const step of steps) {
      let command = step.command.replace(/^modelgate /, `node_modules/.bin/tsx ${join(ROOT, 'src', 'cli', 'main.ts')} `);
      if (command.startsWith('curl')) {
        if (!server) {
          gateway = await startGateway(join(cwd, 'models'), { flags: { file: '/none.json' } });
          const app = gateway.app;
          server = serve({ fetch: (req) => app.fetch(req), port: 0, hostname: '127.0.0.1' });
          await new Promise((resolve) => server?.once('listening', resolve));
        }
        command = command.replace('localhost:8080', `127.0.0.1:${(server.address() as AddressInfo).port}`);
      }
      const { stdout } = await sh('sh', ['-c', command], { cwd, env });
      expect(stdout.trim(), step.command).toMatch(pattern(step.expected));
    }
  }, 90_000);
});
