import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, DevMachineSpecInput, JobSpecInput } from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { homeFolder, waitForState } from '../../../../testing/src/backend/jobs.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';

/*
 * Dev machines share the local engine's queues and capacity with jobs: on a virtual node with two
 * GPUs (declared in config; the processes are real), a dev machine waits for a job's GPUs and says
 * why, holds its own while it runs, and no job preempts it.
 */

const GIB = 2 ** 30;
let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform({
    jobs: { stopGraceMs: 1_000, metricsIntervalMs: 5_000 },
    devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000 },
    localEngine: {
      includeLocalMachine: false,
      virtualNodes: [{ name: 'gpu', count: 1, cpu: 8, memory: 16 * GIB, accelerator: { type: 'nvidia', count: 2 } }],
      queues: [{ name: 'gpu', policy: 1, nodes: ['gpu-0'], preemption: true }],
    },
  });
  workingDir = await homeFolder(fx.workRoot, 'alice', 'dmq');
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const gpuJob = (name: string, gpus: number, priority: number): JobSpecInput => ({
  name,
  mode: 'ddp',
  command: 'exec sleep 120',
  workingDir,
  nodes: 1,
  queue: 'gpu',
  priority,
  resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: gpus } },
});

const gpuMachine = (name: string, gpus: number): DevMachineSpecInput => ({
  name,
  ides: ['jupyterlab'],
  queue: 'gpu',
  priority: 5,
  resources: { cpu: 1, memory: '2Gi', accelerator: { type: 'nvidia', count: gpus } },
});

/** The environment of the dev machine's JupyterLab process. */
function ideEnvironment(id: string): Record<string, string> {
  const pids = spawnSync('pgrep', ['-f', `devmachines/${id}/`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  for (const pid of pids) {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (command.includes('aiplat-log-shim')) continue;
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    return Object.fromEntries(
      entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  }
  throw new Error(`no IDE process of ${id}`);
}

async function stopJob(client: ApiClient, id: string): Promise<void> {
  await client.stopJob({ params: { id }, body: { force: true } });
  await waitForState(client, id, 'Stopped');
}

describe('dev machines on the jobs’ queues', () => {
  it('waits for a job’s GPUs and says why, then runs on the devices it was given', async () => {
    const client = fx.client();
    const hog = await client.createJob({ body: { spec: gpuJob('hog', 2, 5) } });
    await waitForState(client, hog.id, 'Running');

    const created = await client.createDevMachine({ body: { spec: gpuMachine('gpu-box', 1) } });
    let waiting = await client.getDevMachine({ params: { id: created.id } });
    for (let i = 0; i < 40 && !waiting.waitReason; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      waiting = await client.getDevMachine({ params: { id: created.id } });
    }
    expect(waiting.state).toBe('Starting');
    expect(waiting.waitReason?.message).toMatch(/^next in queue gpu: .*nvidia/);
    const { events } = await client.devMachineEvents({ params: { id: created.id } });
    expect(events.map((event) => event.type)).toContain('queued');

    await stopJob(client, hog.id);
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(running.failure).toBeUndefined();
    expect(running.waitReason).toBeUndefined();
    expect(['0', '1']).toContain(ideEnvironment(created.id).CUDA_VISIBLE_DEVICES);

    // It holds its GPU: a job of higher priority that needs both waits, and does not preempt it.
    const urgent = await client.createJob({ body: { spec: gpuJob('urgent', 2, 0) } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const queued = await client.getJob({ params: { id: urgent.id } });
    expect(queued.state).toBe('Queued');
    expect(queued.waitReason?.message).toMatch(/nvidia/);
    expect(queued.waitReason?.message).not.toMatch(/preempting/);
    expect((await client.getDevMachine({ params: { id: created.id } })).state).toBe('Running');

    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Stopped']);
    await waitForState(client, urgent.id, 'Running');
    await stopJob(client, urgent.id);
  });

  it('stops while it waits, without ever launching an IDE', async () => {
    const client = fx.client();
    const hog = await client.createJob({ body: { spec: gpuJob('hog-2', 2, 5) } });
    await waitForState(client, hog.id, 'Running');
    const created = await client.createDevMachine({ body: { spec: gpuMachine('queued-box', 2) } });
    expect(created.state).toBe('Starting');
    const stopped = await client.stopDevMachine({ params: { id: created.id }, body: {} });
    expect(['Stopping', 'Stopped']).toContain(stopped.state);
    const after = await waitForDevMachine(client, created.id, ['Stopped']);
    expect(after.waitReason).toBeUndefined();
    await stopJob(client, hog.id);
    // Nothing of it starts once the GPUs are free.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await client.getDevMachine({ params: { id: created.id } })).state).toBe('Stopped');
    expect(spawnSync('pgrep', ['-f', `devmachines/${created.id}/`]).status).toBe(1);
  });

  it('refuses what can never run in its queue, naming the field', async () => {
    const refused = await rejection(fx.client().createDevMachine({ body: { spec: gpuMachine('too-big', 4) } }));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/this dev machine can never run in queue gpu: .*nvidia/);
    expect(refused.issues?.[0]?.path).toBe('body.spec.resources');
    const unknown = await rejection(
      fx.client().createDevMachine({ body: { spec: { ...gpuMachine('nowhere', 1), queue: 'nope' } } }),
    );
    expect(unknown.message).toBe('queue nope does not exist; the queues are: gpu');
  });
});
