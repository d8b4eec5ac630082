import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Service, ServiceState } from '@aiplat/api';
import { outputSink } from '../../../testing/src/backend/cliRunner.js';
import { runCli } from './program.js';

/*
 * `aiplat service update --wait` where the outcome is not a success: a server that answers with the
 * service as it would be at each poll (the successes run against a real platform in serviceCli.test).
 */

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'aiplat-cli-wait-'));
  await writeFile(
    path.join(cwd, 'v.yaml'),
    'model: mount/models/tiny-gpt2\ncommand: exec python3 serve.py\nresources: { cpu: 1, memory: 1Gi }\n',
  );
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const version = (n: number, serving: boolean, failed?: string) => ({
  version: n,
  spec: {} as Service['versions'][number]['spec'],
  createdAt: '2026-12-06T00:00:00.000Z',
  serving,
  ...(failed ? { failed } : {}),
});
const service = (state: ServiceState, versions: Service['versions'], replicas: Service['replicas'] = []) =>
  ({ name: 'svc', state, version: 1, versions, replicas }) as unknown as Service;

/** `aiplat service update svc <args> --wait` against a server whose service reads as `polls`, one per read. */
async function updateWaiting(args: string[], polls: Service[]) {
  const stdout = outputSink();
  const stderr = outputSink();
  let read = 0;
  const client = {
    updateService: () => Promise.resolve(polls[0]),
    getService: () => Promise.resolve(polls[Math.min(read++, polls.length - 1)]),
  } as unknown as ApiClient;
  const code = await runCli(['service', 'update', 'svc', ...args, '--wait'], {
    stdout,
    stderr,
    env: { AIPLAT_SERVER: 'http://127.0.0.1:9', AIPLAT_TOKEN: 't' },
    cwd,
    createClient: () => client,
    pollIntervalMs: 1,
  });
  return { code, stdout: stdout.text, stderr: stderr.text, reads: read };
}

describe('aiplat service update --wait', () => {
  it('exits 1 when the rolled-out version fails and the one before keeps serving, saying why', async () => {
    const updating = service('Updating', [version(1, true), version(2, false)]);
    const failed = service('Running', [version(1, true), version(2, false, 'replica 0 exited with code 3')]);
    const result = await updateWaiting(['-f', 'v.yaml'], [updating, updating, failed]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'svc: Updating\nsvc: Running\n' +
        'svc: version 2 failed: replica 0 exited with code 3; version 1 keeps serving (aiplat service logs svc --version 2 says more)\n',
    );
  });

  it('exits 1 when the service fails or stops on the way', async () => {
    const deploying = service('Deploying', [version(1, true)]);
    const failed = { ...service('Failed', [version(1, true)]), failure: { message: 'no room' } } as Service;
    const result = await updateWaiting(['--replicas', '3'], [deploying, failed]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('svc failed: no room');
    const stopped = await updateWaiting(['--replicas', '3'], [service('Stopped', [version(1, true)])]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('svc is Stopped, not running; aiplat service start svc');
  });

  it('waits while scaling until the serving version has the count ready, stopped replicas aside', async () => {
    const replica = (index: number, state: Service['replicas'][number]['state']) => ({
      index,
      version: 1,
      state,
      restarts: 0,
    });
    const polls = [
      service('Running', [version(1, true)], [replica(0, 'Ready'), replica(1, 'Ready'), replica(2, 'Ready')]),
      service('Running', [version(1, true)], [replica(0, 'Ready'), replica(1, 'Ready'), replica(2, 'Stopped')]),
    ];
    const result = await updateWaiting(['--replicas', '2'], polls);
    expect(result.code).toBe(0);
    expect(result.reads).toBe(2);
    expect(result.stderr).toBe('svc: 3 replicas, 2 wanted\nsvc: 2/2 replicas ready\n');
  });
});
