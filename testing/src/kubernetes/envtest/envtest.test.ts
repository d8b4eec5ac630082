import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEnvtest } from './envtest.js';

/*
 * The harness's failure paths with stand-in binaries (shell scripts), so they run anywhere: what a
 * failed start says, and that it leaves no process or folder behind. The real servers are started by
 * backend/src/engines/kubernetes/e2e/realApiServer.e2e.test.ts.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'envtest-start-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** etcd that records its pid and waits to be stopped. */
function waitingEtcd(): string {
  return script('etcd', `echo $$ >> ${dir}/etcd.pids\necho "etcd serving"\nexec sleep 60`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function failure(start: Promise<unknown>): Promise<string> {
  const error = await start.then(
    () => new Error('it started'),
    (e: unknown) => e as Error,
  );
  return error.message;
}

/** The data folder a failure message names (its logs are in it). */
function dataDirOf(message: string): string {
  const log = /--- etcd \((\/[^)]+)\/etcd\.log\)/.exec(message)?.[1];
  expect(log, message).toBeDefined();
  return log!;
}

describe('startEnvtest when the API server does not come up', () => {
  it('names the API server that exited, shows its last log lines, and stops etcd and removes the data folder', async () => {
    const kubeApiServer = script('kube-apiserver', 'echo "E1206 run.go:72] error: bad flag --whatever" >&2\nexit 3');
    const message = await failure(
      startEnvtest({ assets: { kubeApiServer, etcd: waitingEtcd(), source: 'stand-ins' } }),
    );
    expect(message).toMatch(/^the envtest API server did not start \(stand-ins\): kube-apiserver exited \(3\)/);
    expect(message).toContain('E1206 run.go:72] error: bad flag --whatever');
    expect(message).toContain('etcd serving');
    const etcdPid = Number(readFileSync(path.join(dir, 'etcd.pids'), 'utf8').trim());
    expect(alive(etcdPid)).toBe(false);
    expect(existsSync(dataDirOf(message))).toBe(false);
  });

  it('gives up after the ready timeout, naming /readyz', async () => {
    const kubeApiServer = script('kube-apiserver', 'echo "waiting for etcd"\nexec sleep 60');
    const message = await failure(
      startEnvtest({ assets: { kubeApiServer, etcd: waitingEtcd(), source: 'stand-ins' }, readyTimeoutMs: 500 }),
    );
    expect(message).toMatch(/: https:\/\/127\.0\.0\.1:\d+\/readyz was not ok within 0\.5 s/);
    expect(message).toContain('waiting for etcd');
    expect(existsSync(dataDirOf(message))).toBe(false);
  });

  it('tries new ports when one was taken meanwhile, three times in all', async () => {
    const kubeApiServer = script(
      'kube-apiserver',
      `echo x >> ${dir}/attempts\necho "listen tcp 127.0.0.1:6443: bind: address already in use" >&2\nexit 1`,
    );
    const message = await failure(
      startEnvtest({ assets: { kubeApiServer, etcd: waitingEtcd(), source: 'stand-ins' } }),
    );
    expect(message).toContain('address already in use');
    expect(readFileSync(path.join(dir, 'attempts'), 'utf8')).toBe('x\nx\nx\n');
    const pids = readFileSync(path.join(dir, 'etcd.pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    expect(pids.filter(alive)).toEqual([]);
  });
});
