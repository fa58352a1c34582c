import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const README = readFileSync('README.md', 'utf8');
const section = (heading: string) => README.slice(README.indexOf(heading), README.indexOf('\n### ', README.indexOf(heading) + 4));

/** The README's API reference and TypeScript client examples, run as written against a gateway process. */
describe('README: API reference and TypeScript client', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ MODELGATE_REGISTRY: 'off', MODELGATE_MODELS_DIR: 'models' });
  }, 90_000);
  afterAll(async () => server?.stop());

  it('the OpenAPI commands fetch and print the document', () => {
    const block = /```bash\n([\s\S]*?)```/.exec(section('### API reference'))?.[1] ?? '';
    expect(block).toContain('/openapi.json');
    const dir = tempDir('modelgate-readme-openapi-');
    const script = `set -euo pipefail\nmodelgate() { node ${join(process.cwd(), 'dist/src/cli/main.js')} "$@"; }\ncd ${dir}\n${block.replaceAll('localhost:8080', server.url.replace('http://', '')).replace('-o openapi.json', '-o served.json')}`;
    execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    const served = JSON.parse(readFileSync(join(dir, 'served.json'), 'utf8')) as { openapi: string; paths: object };
    const offline = JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8')) as { openapi: string; paths: object };
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths)).toContain('/v1/models/{model}/predict');
    expect(Object.keys(offline.paths).length).toBeGreaterThanOrEqual(Object.keys(served.paths).length);
  });

  it('the client quick start runs, printing stamped predictions and a typed error', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(section('### TypeScript client'))?.[1] ?? '';
    expect(block).toContain('new ModelgateClient');
    const client = pathToFileURL(join(process.cwd(), 'clients/typescript/src/index.ts')).href;
    const file = join(tempDir('modelgate-readme-client-'), 'quick-start.mts');
    writeFileSync(file, block.replace("'@modelgate/client'", `'${client}'`).replaceAll('http://localhost:8080', server.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000, cwd: process.cwd() });
    const [first, second] = out.trim().split('\n');
    expect(Number(first?.split(' ')[0])).toBeGreaterThan(0);
    expect(first).toMatch(/^\S+ property-valuation \d+\.\d+\.\d+ (flag:|fallback:|pinned)\S* (hit|miss) [\w-]+$/);
    expect(second).toBe('400 invalid_input');
  });
});
