import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, JobSpecInput } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { homeFolder, waitForJob, waitForState } from '../../../../testing/src/backend/jobs.js';

/**
 * Queues, policies and preemption on virtual nodes (2 GPUs each, declared in config; the processes
 * are real and run on this machine). Each queue has its own node so the cases do not meet.
 */
const GIB = 2 ** 30;
const gpuNode = (name: string) => ({
  name,
  count: 1,
  cpu: 8,
  memory: 16 * GIB,
  accelerator: { type: 'nvidia' as const, count: 2 },
});

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform({
    jobs: { stopGraceMs: 1_000, metricsIntervalMs: 5_000 },
    localEngine: {
      includeLocalMachine: false,
      virtualNodes: [gpuNode('fifo'), gpuNode('bf1'), gpuNode('bf2'), gpuNode('pre')],
      queues: [
        { name: 'fifo', policy: 0, nodes: ['fifo-0'], preemption: false },
        { name: 'bf1', policy: 1, nodes: ['bf1-0'], preemption: false },
        { name: 'bf2', policy: 2, nodes: ['bf2-0'], preemption: false },
        { name: 'pre', policy: 1, nodes: ['pre-0'], preemption: true },
      ],
    },
  });
  workingDir = await homeFolder(fx.workRoot, 'alice', 'sched');
});
afterAll(() => fx?.close());

function gpuJob(name: string, queue: string, gpus: number, priority: number, command = 'exec sleep 60'): JobSpecInput {
  return {
    name,
    mode: 'ddp',
    command,
    workingDir,
    nodes: 1,
    queue,
    priority,
    resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: gpus } },
  };
}

async function submit(client: ApiClient, spec: JobSpecInput) {
  return client.createJob({ body: { spec } });
}

/** A: 1 GPU running. B: 2 GPUs, cannot start. C: 1 GPU, fits beside A if it may pass B. */
async function blockedQueue(client: ApiClient, queue: string, priorityB: number, priorityC: number) {
  const a = await submit(client, gpuJob(`${queue}-a`, queue, 1, 5));
  await waitForState(client, a.id, 'Running');
  const b = await submit(client, gpuJob(`${queue}-b`, queue, 2, priorityB));
  const c = await submit(client, gpuJob(`${queue}-c`, queue, 1, priorityC));
  return { a, b, c };
}

/** Lets a few scheduling passes happen, then reads the job. */
async function settled(client: ApiClient, id: string) {
  await new Promise((r) => setTimeout(r, 300));
  return client.getJob({ params: { id } });
}

describe('queue policies and preemption on virtual nodes', () => {
  it('0 = strict FIFO: a job that fits waits behind the one at the head, and says so', async () => {
    const client = fx.client();
    const { b, c } = await blockedQueue(client, 'fifo', 5, 5);
    const waitingB = await settled(client, b.id);
    const waitingC = await settled(client, c.id);
    expect(waitingB.state).toBe('Queued');
    expect(waitingB.queuePosition).toBe(1);
    expect(waitingB.waitReason?.message).toMatch(/nvidia/);
    expect(waitingC.state).toBe('Queued');
    expect(waitingC.queuePosition).toBe(2);
    expect(waitingC.waitReason?.message).toContain(b.id);
  });

  it('1 = backfill within a priority: a smaller job of the same priority passes', async () => {
    const client = fx.client();
    const { b, c } = await blockedQueue(client, 'bf1', 5, 5);
    await waitForState(client, c.id, 'Running');
    expect((await settled(client, b.id)).state).toBe('Queued');
  });

  it('1 = backfill within a priority: a lower-priority job does not pass a blocked higher one', async () => {
    const client = fx.client();
    await Promise.all(
      (await client.listJobs({ query: { state: ['Running', 'Queued'] } })).jobs
        .filter((j) => j.spec.queue === 'bf1')
        .map((j) => client.stopJob({ params: { id: j.id }, body: { force: true } })),
    );
    const { b, c } = await blockedQueue(client, 'bf1', 3, 7);
    expect((await settled(client, c.id)).state).toBe('Queued');
    expect((await settled(client, b.id)).state).toBe('Queued');
  });

  it('2 = backfill over the whole queue: a lower-priority job that fits starts', async () => {
    const client = fx.client();
    const { b, c } = await blockedQueue(client, 'bf2', 3, 7);
    await waitForState(client, c.id, 'Running');
    expect((await settled(client, b.id)).state).toBe('Queued');
  });

  it('a higher priority preempts a lower one, which goes back to its queue with an event and runs again later', async () => {
    const client = fx.client();
    const low = await submit(client, gpuJob('low', 'pre', 2, 8));
    await waitForState(client, low.id, 'Running');
    const high = await submit(client, gpuJob('high', 'pre', 2, 1, 'sleep 0.5; echo "$CUDA_VISIBLE_DEVICES"'));
    const done = await waitForJob(client, high.id);
    expect(done.state).toBe('Succeeded');
    const lowAgain = await waitForState(client, low.id, 'Running');
    expect(lowAgain.restarts).toBe(0);
    const { events } = await client.jobEvents({ params: { id: low.id }, query: {} });
    const preempted = events.find((e) => e.type === 'preempted');
    expect(preempted?.message).toContain(high.id);
    const states = events.filter((e) => e.state).map((e) => e.state);
    expect(states).toEqual(['Queued', 'Starting', 'Running', 'Queued', 'Starting', 'Running']);
    const highLogs = await client.jobLogs({ params: { id: high.id }, query: { stream: 'stdout' } });
    expect(highLogs.lines.map((l) => l.text)).toEqual(['0,1']);
  });
});
