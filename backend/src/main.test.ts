import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, exited, START_SCRIPT, startBackendProcess } from '../../testing/src/backend/backendProcess.js';

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

  it('is what npm start runs after building (scripts/start.mjs), which passes a SIGTERM on and exits with it', async () => {
    // AIPLAT_DEV_MACHINE=off: no first-start build of the IDEs, only tsc -b.
    const run = await startBackendProcess(
      dir,
      { HOME: dir, WORK_ROOT: path.join(dir, 'w6'), DATA_DIR: path.join(dir, 'd6'), AIPLAT_DEV_MACHINE: 'off' },
      { entry: START_SCRIPT, timeoutMs: 120_000 },
    );
    expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
    const stopped = exited(run.child);
    run.child.kill('SIGTERM');
    expect(await stopped, run.output()).toBe(0);
    await expect(fetch(`${run.url}/healthz`)).rejects.toThrow();
  }, 150_000);

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

  it('opens the front door: the default dev machine started, and a one-time link into JupyterLab and VS Code', async () => {
    const run = await startMain({
      WORK_ROOT: path.join(dir, 'w3'),
      DATA_DIR: path.join(dir, 'd3'),
      AIPLAT_DEV_MACHINE: 'on',
    });
    try {
      await expect.poll(() => run.output(), { timeout: 90_000 }).toMatch(/VS Code\s+http/);
      const output = run.output();
      expect(output).toContain('dev machine "workspace" is running');
      const links = Object.fromEntries(
        [...output.matchAll(/^\s+(JupyterLab|VS Code)\s+(http\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      expect(Object.keys(links).sort()).toEqual(['JupyterLab', 'VS Code']);
      for (const [ide, link] of Object.entries(links)) {
        expect(link, ide).toMatch(new RegExp(`^${run.url}/login\\?ticket=`));
        const signedIn = await fetch(link, { redirect: 'manual' });
        expect(signedIn.status, ide).toBe(303);
        const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
        const next = signedIn.headers.get('location')!;
        const page = await fetch(`${run.url}${next}${ide === 'JupyterLab' ? 'lab' : ''}`, { headers: { cookie } });
        expect(page.status, `${ide} through the proxy`).toBe(200);
        if (ide === 'JupyterLab') expect(await page.text()).toContain('@aiplat/jupyterlab-ext');
      }
    } finally {
      const stopped = exited(run.child);
      run.child.kill('SIGTERM');
      expect(await stopped, run.output()).toBe(0);
    }
    // Every IDE process ended with the backend.
    const left = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
    expect(left.split('\n').filter((line) => line.includes(path.join(dir, 'd3')))).toEqual([]);
  }, 120_000);

  it('skips the dev machine with AIPLAT_DEV_MACHINE=off', async () => {
    const run = await startMain({
      WORK_ROOT: path.join(dir, 'w4'),
      DATA_DIR: path.join(dir, 'd4'),
      AIPLAT_DEV_MACHINE: 'off',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(run.output()).not.toContain('dev machine');
    const stopped = exited(run.child);
    run.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  });

  it('leaves no IDE behind when stopped while its dev machine was still starting', async () => {
    const run = await startMain({
      WORK_ROOT: path.join(dir, 'w5'),
      DATA_DIR: path.join(dir, 'd5'),
      AIPLAT_DEV_MACHINE: 'on',
    });
    const stopped = exited(run.child);
    run.child.kill('SIGTERM');
    expect(await stopped, run.output()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const left = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
    expect(left.split('\n').filter((line) => line.includes(path.join(dir, 'd5')))).toEqual([]);
  }, 60_000);

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
