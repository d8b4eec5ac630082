import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, exited, startBackendProcess } from '../../testing/src/backend/backendProcess.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-main-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const startMain = (env: Record<string, string>) => startBackendProcess(dir, env);

describe('the backend process (npm start)', () => {
  it('starts with no configuration: loopback, a generated token kept across restarts, seeded examples', async () => {
    const first = await startMain({});
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = /token: (\S+)/.exec(first.banner)![1]!;
    expect(existsSync(path.join(dir, '.work', 'mount', 'models'))).toBe(true);
    expect(existsSync(path.join(dir, '.data', 'aiplat.sqlite'))).toBe(true);
    const listing = await fetch(`${first.url}/api/files?path=mount/datasets`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listing.status).toBe(200);
    const stopped = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await stopped, first.output()).toBe(0);

    const second = await startMain({});
    expect(/token: (\S+)/.exec(second.banner)![1]).toBe(token);
    const again = exited(second.child);
    second.child.kill('SIGINT');
    expect(await again, second.output()).toBe(0);
  });

  it('honours PORT, HOST, WORK_ROOT, DATA_DIR and AUTH_TOKEN', async () => {
    const work = path.join(dir, 'w2');
    const data = path.join(dir, 'd2');
    const run = await startMain({
      HOST: '127.0.0.1',
      WORK_ROOT: work,
      DATA_DIR: data,
      AUTH_TOKEN: 'automation-token-0123456789',
      AIPLAT_USER: 'ci',
    });
    expect(run.banner).toContain('token: automation-token-0123456789');
    const info = await fetch(`${run.url}/api/info`, {
      headers: { authorization: 'Bearer automation-token-0123456789' },
    });
    expect(await info.json()).toMatchObject({ user: 'ci' });
    expect(existsSync(path.join(work, 'home', 'ci'))).toBe(true);
    expect(existsSync(path.join(data, 'aiplat.sqlite'))).toBe(true);
    const stopped = exited(run.child);
    run.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  });

  it('explains a bad setting and exits 2 without a stack trace', async () => {
    const child = spawn(process.execPath, [BUILT_MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(err).toMatch(/PORT must be a whole number/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
