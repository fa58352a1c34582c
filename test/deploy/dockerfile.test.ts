import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The Dockerfile as instructions (continuations joined, comments dropped), with each stage's ARG defaults. */
function instructions(): { op: string; args: string; stage: string }[] {
  const text = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
  let stage = '';
  return text.split('\n').flatMap((line) => {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!m || line.trim().startsWith('#')) return [];
    const [, op = '', args = ''] = m;
    if (op === 'FROM') stage = / AS (\S+)$/i.exec(args)?.[1] ?? '';
    return [{ op, args, stage }];
  });
}
const defaults = () => new Map(instructions().filter((i) => i.op === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=', 2) as [string, string]));
const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_m, name: string) => defaults().get(name) ?? '');

const userSetup = () => instructions().find((i) => i.op === 'RUN' && i.args.includes('useradd'))?.args ?? '';

/** Run the runtime stage's user set-up with stubbed getent/groupadd/useradd/mkdir/chown; returns the calls made. */
function runUserSetup(existing: { uid1000?: string }): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mg-docker-'));
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  stub('getent', existing.uid1000 ? `[ "$2" = 1000 ] && echo "${existing.uid1000}:x:1000:1000::/home/${existing.uid1000}:/bin/bash" && exit 0\nexit 2` : 'exit 2');
  for (const cmd of ['groupadd', 'useradd', 'mkdir', 'chown']) stub(cmd, 'exit 0');
  const r = spawnSync('sh', ['-c', expand(userSetup())], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

describe('Dockerfile', () => {
  it('has a build and a runtime stage whose FROM images come from ARGs with defaults', () => {
    const froms = instructions().filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(froms).toEqual(['${NODE_IMAGE} AS build', '${RUNTIME_BASE} AS runtime']);
    expect(defaults().get('NODE_IMAGE')).toMatch(/^node:20-/);
    expect(defaults().get('RUNTIME_BASE')).toMatch(/^node:20-/);
  });

  it('copies only what exists in the build context and is not .dockerignored', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').filter(Boolean);
    const sources = instructions()
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'config', 'models']));
    for (const s of sources) {
      expect(existsSync(s), s).toBe(true);
      expect(ignored, s).not.toContain(s);
    }
    const froms = instructions().filter((i) => i.op === 'COPY' && i.args.startsWith('--from')).map((i) => /--from=(\S+)/.exec(i.args)?.[1]);
    expect(new Set(froms)).toEqual(new Set(['build']));
  });

  it('runs as a numeric non-root user, with a HEALTHCHECK on readiness and the built CLI', () => {
    const runtime = instructions().filter((i) => i.stage === 'runtime');
    const user = expand(runtime.filter((i) => i.op === 'USER').at(-1)?.args ?? '');
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('/v2/health/ready');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["node", "--no-memory-reducer", "dist/src/cli/main.js", "serve"]');
    expect(existsSync('src/cli/main.ts')).toBe(true);
  });

  it.each([
    ['node:20 (uid 1000 is node)', 'node', []],
    ['nvidia/cuda ubuntu24.04 (uid 1000 is ubuntu)', 'ubuntu', []],
    ['a base without uid 1000', undefined, ['groupadd --gid 1000 modelgate', 'useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin modelgate']],
  ])('sets the user up on %s', (_base, owner, created) => {
    const calls = runUserSetup({ uid1000: owner });
    expect(calls.filter((c) => /^(groupadd|useradd)/.test(c))).toEqual(owner ? [] : created);
    expect(calls).toContain('chown -R 1000:1000 /app/data');
  });
});
