import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdleSignal } from '@aiplat/api';
import { cliRunner } from '../../../../testing/src/backend/cliRunner.js';
import { runningDevMachine, waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import type { IdeEndpoint } from '../engine.js';

/*
 * "Why not idle" on the local engine, for real: the signals of a running dev machine read from its
 * JupyterLab (terminals, kernels), from /proc (its processes' CPU and memory) and from the jobs its
 * terminal's `aiplat submit` tagged with it. The stop decision itself is table-tested
 * (idleRules.test.ts) and tested with a clock (idleMonitor.test.ts).
 */

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

/** A request to JupyterLab's API as the platform's proxy makes it (its socket, its secret header). */
function lab(endpoint: IdeEndpoint, method: string, apiPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    if (!('socketPath' in endpoint.target)) throw new Error('expected a Unix socket');
    const request = http.request(
      {
        socketPath: endpoint.target.socketPath,
        method,
        path: `${endpoint.prefix}${apiPath}`,
        headers: endpoint.headers,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const signal = (signals: IdleSignal[], name: IdleSignal['name']) => signals.find((s) => s.name === name)!;

describe('why not idle', () => {
  it('shows each signal of a running machine with its value and whether it counts', async () => {
    const client = fx.client();
    const machine = await runningDevMachine(client, {
      name: 'watched',
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi' },
      idlePolicy: {
        thresholds: { cpuPercent: 50, memoryPercent: 90 },
        forMinutes: 30,
        activity: { codeServer: false },
      },
    });
    const first = await client.devMachineIdle({ params: { id: machine.id } });
    expect(first.policy).toMatchObject({ forMinutes: 30, combine: 'all' });
    expect(signal(first.signals, 'terminals')).toEqual({ name: 'terminals', value: '0', counts: true, idle: true });
    expect(signal(first.signals, 'kernels')).toMatchObject({ value: '0 busy, 0 connected', counts: true, idle: true });
    expect(signal(first.signals, 'code-server')).toMatchObject({ counts: false });
    // JupyterLab's own processes are measured: some memory, a CPU share.
    expect(Number(signal(first.signals, 'memory').value.replace('%', ''))).toBeGreaterThan(0);
    expect(signal(first.signals, 'cpu')).toMatchObject({ value: expect.stringMatching(/^\d+(\.\d)?%$/), counts: true });

    // A terminal keeps it up.
    const endpoint = fx.platform.devMachines.endpoint(machine.id, 'jupyterlab')!;
    const terminal = JSON.parse((await lab(endpoint, 'POST', 'api/terminals')).body) as { name: string };
    const busy = await client.devMachineIdle({ params: { id: machine.id } });
    expect(signal(busy.signals, 'terminals')).toEqual({ name: 'terminals', value: '1', counts: true, idle: false });
    expect(busy.idle).toBe(false);
    expect((await lab(endpoint, 'DELETE', `api/terminals/${terminal.name}`)).status).toBe(204);

    // A job submitted from the machine's terminal is tagged with it, and keeps it up while it runs.
    const work = path.join(fx.workRoot, 'home', 'alice', 'job.yaml');
    await writeFile(
      work,
      'name: from-the-machine\nmode: ddp\nnodes: 1\ncommand: sleep 30\nworkingDir: home\nresources: { cpu: 0.1, memory: 64Mi }\n',
    );
    const submitted = await cliRunner(fx, 'alice', { AIPLAT_DEVMACHINE_ID: machine.id })(['submit', '-f', work, '-q']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobId = submitted.stdout.trim();
    expect((await client.getJob({ params: { id: jobId } })).spec.tags).toEqual({ devmachine: machine.id });
    const withJob = await client.devMachineIdle({ params: { id: machine.id } });
    expect(signal(withJob.signals, 'jobs')).toEqual({ name: 'jobs', value: '1', counts: true, idle: false });
    await client.stopJob({ params: { id: jobId }, body: { force: true } });
    await expect
      .poll(async () => signal((await client.devMachineIdle({ params: { id: machine.id } })).signals, 'jobs').value, {
        timeout: 20_000,
      })
      .toBe('0');

    await client.stopDevMachine({ params: { id: machine.id }, body: { force: true } });
    await waitForDevMachine(client, machine.id, ['Stopped']);
    expect(await client.devMachineIdle({ params: { id: machine.id } })).toMatchObject({ idle: false, signals: [] });
  }, 120_000);
});
