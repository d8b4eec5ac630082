import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { isTerminalJobState, type ApiClient, type JobDetail, type JobSpecInput, type JobState } from '@aiplat/api';

export const PYTHON = '/usr/bin/python3';

/** Writes files into the user's home under /work and returns the folder's API path. */
export async function homeFolder(
  workRoot: string,
  user: string,
  folder: string,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = path.join(workRoot, 'home', user, folder);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return `home/${folder}`;
}

/** Polls a job until `done` holds (default: a finished state). */
export async function waitForJob(
  client: ApiClient,
  id: string,
  done: (job: JobDetail) => boolean = (job) => isTerminalJobState(job.state),
  timeoutMs = 60_000,
): Promise<JobDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJob({ params: { id } });
    if (done(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForState(client: ApiClient, id: string, state: JobState, timeoutMs?: number) {
  return waitForJob(client, id, (job) => job.state === state || isTerminalJobState(job.state), timeoutMs).then(
    (job) => {
      expect(job.state, JSON.stringify(job)).toBe(state);
      return job;
    },
  );
}

/** Every line of a job's program output (stdout and stderr), per instance. */
export async function programOutput(client: ApiClient, id: string): Promise<string[][]> {
  const out: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.jobLogs({
      params: { id },
      query: { stream: ['stdout', 'stderr'], limit: 10_000, ...(cursor ? { cursor } : {}) },
    });
    for (const line of page.lines) (out[line.instance] ??= []).push(line.text);
    if (!page.more) return out;
    cursor = page.nextCursor;
  }
}

/** A two-node DDP job for the Kubernetes engine, one GPU per node. */
export function kubernetesDdpSpec(overrides: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    name: 'k8s-ddp',
    mode: 'ddp',
    engine: 'kubernetes',
    nodes: 2,
    image: 'pytorch:2.3',
    command: 'torchrun train.py',
    resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 1 } },
    ...overrides,
  } as JobSpecInput;
}

export function cpuSpec(overrides: Partial<JobSpecInput> & { command: string; workingDir: string }): JobSpecInput {
  return {
    name: 'test-job',
    mode: 'ddp',
    nodes: 1,
    resources: { cpu: 0.1, memory: '64Mi' },
    ...overrides,
  } as JobSpecInput;
}
