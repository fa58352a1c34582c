import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The built `modelgate` command as a user runs it: exit 0 for help, 2 for usage errors, 1 for failures, 3 refused by role. */
const data = mkdtempSync(join(tmpdir(), 'modelgate-cli-'));
const modelgate = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '1', MODELGATE_REGISTRY_DB: join(data, 'registry.db') };
  delete env.MODELGATE_TOKEN;
  delete env.MODELGATE_ADMIN_TOKEN;
  delete env.MODELGATE_URL;
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8', timeout: 20_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('modelgate CLI', () => {
  it.each(['serve', 'import', 'register', 'promote', 'validate', 'audit', 'token', 'perf', 'models', 'routing', 'rollback', 'predict', 'status'])('%s --help prints its usage and exits 0', (command) => {
    const r = modelgate(command, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: modelgate ${command}`));
    expect(r.out + r.err).not.toMatch(/listening|unknown option/i);
  });

  it('serve --help does not start the server (exits at once, nothing listens)', () => {
    const r = modelgate('serve', '-h');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SIGTERM/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['serve', '--port', '9'], /Unknown option '--port'/],
    [['serve', '--workers', '0'], /--workers must be a whole number/],
    [['serve', '--workers', 'many'], /--workers must be a whole number/],
    [['serve', '--workers'], /argument missing/],
    [['promote', 'm'], /usage: modelgate promote/],
    [['token', 'create', 'x', '--role'], /argument missing/],
    [['import', '--colour'], /Unknown option '--colour'/],
    [['import', 'model.onnx'], /usage: modelgate import/],
    [['audit', 'shred'], /usage: modelgate audit/],
  ])('a usage error (%j) exits 2 with a one-line reason and the usage', (args, reason) => {
    const r = modelgate(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(reason);
    expect(r.err).toMatch(/usage: modelgate/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a command refused for want of a token exits 3 (local bootstrap mode too)', () => {
    const r = modelgate('token', 'list');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/a token is required/);
  });

  it('a failing command exits 1', () => {
    const r = modelgate('register', join(data, 'no-such-dir'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read .*manifest\.json/);
  });

  it('every admin command documents --url, --token and the exit codes', () => {
    for (const command of ['register', 'promote', 'validate', 'audit', 'token', 'models', 'routing', 'rollback', 'predict', 'status']) {
      const r = modelgate(command, '--help');
      expect(r.out, command).toMatch(/--url/);
      expect(r.out, command).toMatch(/3 refused by role/);
    }
    expect(modelgate('promote', '--help').out).toMatch(/local registry database .* for bootstrap only/s);
    expect(modelgate().out).toMatch(/exit codes: 0 ok, 1 failure, 2 usage, 3 refused by role/);
  });

  it.each([
    [{ MODELGATE_DATABASE_URL: 'postgres://modelgate:p@ss@127.0.0.1/db' }, /databaseUrl: not a well-formed/],
    [{ MODELGATE_DATABASE_URL: 'postgres://modelgate:x@no-such-host.invalid:5432/db' }, /cannot open the registry database .*ENOTFOUND/],
    [{ MODELGATE_ADMIN_TOKEN: 'sixteen-chars-ok' }, /at least 32 characters/],
  ])('serve with a bad setting (%j) exits 2 with one line, no stack', (env, reason) => {
    const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'serve'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', MODELGATE_REGISTRY_DB: join(data, 'registry.db'), ...env },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('no command prints the list and exits 0', () => {
    const r = modelgate();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/commands:[\s\S]*serve[\s\S]*token/);
  });
});
