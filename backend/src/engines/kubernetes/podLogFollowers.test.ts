import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer, type KubeObject } from '../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { readLog } from '../../logs/logReader.js';
import { PodLogFollowers, type PodToFollow } from './podLogFollowers.js';
import { openPodLogStream, PodLogStreamError } from './podLogStream.js';
import { PassThrough } from 'node:stream';

/* Pod logs followed from the fake API server through real HTTP connections, some of them cut. */

const NS = 'default';
let fake: FakeApiServer;
beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: [NS] });
});
afterAll(() => fake?.close());

function runningPod(name: string): KubeObject {
  return fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { containers: [{ name: 'main', image: 'trainer:1' }] },
    status: { phase: 'Running' },
  });
}

function target(pod: KubeObject): PodToFollow {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'podlog-follow-')), 'logs', 'node-0.log');
  return {
    jobId: 'job-1',
    uid: pod.metadata.uid ?? '',
    namespace: NS,
    pod: pod.metadata.name ?? '',
    container: 'main',
    file,
  };
}

async function messages(file: string): Promise<string[]> {
  try {
    return (await readLog(file, { limit: 1000 })).lines.map((line) => line.m);
  } catch {
    return [];
  }
}

async function waitForLines(file: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = await messages(file);
    if (lines.length >= count) return lines;
    if (Date.now() > deadline) throw new Error(`waited for ${count} lines in ${file}; it has ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('PodLogFollowers', () => {
  it('notices a connection cut mid-stream and resumes after the last line it kept, without repeats', async () => {
    const pod = runningPod('cut-twice');
    const follow = target(pod);
    const followers = new PodLogFollowers(fake.kubeConfig(NS), pino({ level: 'silent' }), { firstMs: 10, maxMs: 50 });
    try {
      fake.appendLog(NS, 'cut-twice', 'step 1\nstep 2\n');
      followers.ensure(follow, false);
      await waitForLines(follow.file, 2);

      expect(fake.breakLogStreams()).toBe(1);
      fake.appendLog(NS, 'cut-twice', 'step 3\n');
      await waitForLines(follow.file, 3);
      fake.appendLog(NS, 'cut-twice', 'step 4\n');
      expect(fake.breakLogStreams()).toBe(1);
      fake.appendLog(NS, 'cut-twice', 'step 5\n');
      fake.endLog(NS, 'cut-twice');
      followers.ensure(follow, true);
      await waitForLines(follow.file, 5);
      await followers.drain('job-1', 5_000);

      expect(await messages(follow.file)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
      const resumed = fake.requests.filter((r) => r.path.endsWith('/pods/cut-twice/log')).slice(1);
      expect(resumed.length).toBeGreaterThanOrEqual(2);
      // A resumed stream asks from the second of the last line kept, not from the log's start.
      for (const request of resumed) expect(request.query.sinceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      followers.close();
    }
  });

  it('stops following a pod that is gone', async () => {
    const pod = runningPod('deleted');
    const follow = target(pod);
    const followers = new PodLogFollowers(fake.kubeConfig(NS), pino({ level: 'silent' }), { firstMs: 10, maxMs: 20 });
    try {
      fake.appendLog(NS, 'deleted', 'only line\n');
      followers.ensure(follow, false);
      await waitForLines(follow.file, 1);
      fake.delete('v1', 'Pod', NS, 'deleted');
      const count = () => fake.requests.filter((r) => r.path.endsWith('/pods/deleted/log')).length;
      const deadline = Date.now() + 5_000;
      while (count() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const asked = count();
      // The reopen after the end found no pod (404): nothing is asked again.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(count()).toBe(asked);
      expect(await messages(follow.file)).toEqual(['only line']);
    } finally {
      followers.close();
    }
  });
});

describe('openPodLogStream', () => {
  it('rejects `ended` when the connection breaks, and resolves it when the log ends', async () => {
    runningPod('two-streams');
    fake.appendLog(NS, 'two-streams', 'hello\n');
    const request = { namespace: NS, pod: 'two-streams', container: 'main' };

    const broken = await openPodLogStream(fake.kubeConfig(NS), request, new PassThrough().resume());
    const brokenEnd = broken.ended.then(
      () => 'ended',
      (error: unknown) => (error as PodLogStreamError).kind,
    );
    fake.breakLogStreams();
    expect(await brokenEnd).toBe('broken');

    const sink = new PassThrough();
    let text = '';
    sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const whole = await openPodLogStream(fake.kubeConfig(NS), request, sink);
    fake.endLog(NS, 'two-streams');
    await whole.ended;
    expect(text).toMatch(/^\S+Z hello\n$/);
  });

  it('names the refusal of the API server', async () => {
    const error = await openPodLogStream(
      fake.kubeConfig(NS),
      { namespace: NS, pod: 'no-such-pod', container: 'main' },
      new PassThrough(),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PodLogStreamError);
    expect(error).toMatchObject({ kind: 'gone', status: 404 });
    expect((error as Error).message).toContain('no-such-pod');
  });
});
