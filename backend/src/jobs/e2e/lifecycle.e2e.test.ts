import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobLogBatch } from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { cpuSpec, homeFolder, programOutput, waitForJob, waitForState } from '../../../../testing/src/backend/jobs.js';

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform({ jobs: { stopGraceMs: 2_000, metricsIntervalMs: 200 } });
  workingDir = await homeFolder(fx.workRoot, 'alice', 'lifecycle');
});
afterAll(() => fx?.close());

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('job lifecycle on the local engine', () => {
  it('fails the whole job when one instance exits non-zero, stopping the others, and names the instance', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'one-fails',
          workingDir,
          nodes: 3,
          command: 'if [ "$RANK" = 1 ]; then sleep 0.3; echo "boom" >&2; exit 3; fi; exec sleep 60',
        }),
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 1, exitCode: 3 });
    expect(job.reason?.message).toMatch(/instance 1 exited with code 3/);
    expect(job.instances.map((i) => i.state)).toEqual(['Stopped', 'Failed', 'Stopped']);
    for (const instance of job.instances) expect(isAlive(instance.pid ?? 0)).toBe(false);
    const stderr = await client.jobLogs({ params: { id: job.id }, query: { stream: 'stderr' } });
    expect(stderr.lines.map((l) => [l.instance, l.text])).toEqual([[1, 'boom']]);
  });

  it('auto-restarts within its limit, each with an event, and gives up with restart-limit', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'always-fails',
          workingDir,
          command: 'echo "attempt $AIPLAT_JOB_ID"; exit 7',
          autoRestart: { maxRestarts: 2 },
        }),
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.restarts).toBe(2);
    expect(job.reason).toMatchObject({ kind: 'restart-limit', instance: 0, exitCode: 7 });
    const { events } = await client.jobEvents({ params: { id: job.id }, query: {} });
    expect(events.filter((e) => e.type === 'restarting').map((e) => e.message)).toEqual([
      'instance 0 exited with code 7; restart 1 of 2',
      'instance 0 exited with code 7; restart 2 of 2',
    ]);
    // One log per instance across its runs: three attempts, no line lost.
    expect((await programOutput(client, job.id))[0]).toHaveLength(3);
  });

  it('a restart that then succeeds ends Succeeded', async () => {
    const client = fx.client();
    const dir = await homeFolder(fx.workRoot, 'alice', 'flaky');
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'flaky',
          workingDir: dir,
          command: 'if [ ! -f tried ]; then touch tried; exit 1; fi; echo second time lucky',
          autoRestart: { maxRestarts: 3 },
        }),
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Succeeded');
    expect(job.restarts).toBe(1);
  });

  it('stops a running job: SIGTERM to every process group, SIGKILL after the grace period', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'stubborn',
          workingDir,
          nodes: 2,
          // Instance 0 ignores SIGTERM (and so does its child), so only SIGKILL ends it.
          command: `if [ "$RANK" = 0 ]; then trap '' TERM; sleep 60 & wait; wait; else exec sleep 60; fi`,
        }),
      },
    });
    const running = await waitForState(client, created.id, 'Running');
    const stopped = await client.stopJob({ params: { id: running.id }, body: {} });
    expect(['Stopping', 'Stopped']).toContain(stopped.state);
    const job = await waitForJob(client, running.id);
    expect(job.state).toBe('Stopped');
    expect(job.instances.map((i) => i.signal)).toEqual(['SIGKILL', 'SIGTERM']);
    for (const instance of job.instances) expect(isAlive(instance.pid ?? 0)).toBe(false);
    expect(await rejection(client.stopJob({ params: { id: job.id }, body: {} }))).toMatchObject({ status: 409 });
  });

  it('a forced stop ends a stop still in its grace period', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: { spec: cpuSpec({ name: 'forced', workingDir, command: `trap '' TERM; sleep 60 & wait; wait` }) },
    });
    await waitForState(client, created.id, 'Running');
    await client.stopJob({ params: { id: created.id }, body: {} });
    await client.stopJob({ params: { id: created.id }, body: { force: true } });
    // Well inside the 2 s grace period of this platform: only the forced SIGKILL can end it this soon.
    const job = await waitForJob(client, created.id, undefined, 1_500);
    expect(job.state).toBe('Stopped');
    expect(job.instances[0]?.signal).toBe('SIGKILL');
  });

  it('stops a queued job at once', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({ name: 'too-big-now', workingDir, command: 'true', resources: { cpu: 0.1, memory: '64Mi' } }),
      },
    });
    const job = await client.stopJob({ params: { id: created.id }, body: { force: true } });
    expect(['Stopped', 'Stopping']).toContain(job.state);
    expect((await waitForJob(client, created.id)).state).toBe('Stopped');
  });

  it('refuses bad specs with 400s naming the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { spec: { ...cpuSpec({ workingDir, command: 'true' }), queue: 'gpu-a100' } },
        'body.spec.queue',
        /does not exist/,
      ],
      [
        { spec: cpuSpec({ workingDir, command: 'true', resources: { cpu: 100000 - 99000, memory: '1Gi' } }) },
        'body.spec.resources',
        /can never run/,
      ],
      [{ spec: cpuSpec({ workingDir: 'home/nowhere', command: 'true' }) }, 'body.spec.workingDir', /does not exist/],
      [{ spec: cpuSpec({ workingDir: 'home/../../etc', command: 'true' }) }, 'body.spec.workingDir', /./],
      [{ yaml: 'name: x\nmode: ddp\ncommand: true\nnodes: 0\n' }, 'body.yaml.nodes', /./],
      [{ yaml: 'name: [' }, 'body.yaml', /./],
    ];
    for (const [body, path, message] of cases) {
      const response = await fx.fetch('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const error = ((await response.json()) as { error: { message: string; issues?: { path: string }[] } }).error;
      expect(response.status, JSON.stringify(error)).toBe(400);
      expect(
        error.issues?.map((i) => i.path),
        JSON.stringify(error),
      ).toContain(path);
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/\n\s+at /);
    }
    const spec = cpuSpec({ workingDir, command: 'true' }) as Record<string, unknown>;
    const bad = await fx.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { ...spec, name: '-bad', priority: 12 } }),
    });
    const issues = ((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['body.spec.name', 'body.spec.priority']));
  });

  it('lists with filters, copies, starts again, deletes finished jobs only, and keeps others out', async () => {
    const alice = fx.client('alice');
    const bob = fx.client('bob');
    await homeFolder(fx.workRoot, 'bob', 'lifecycle');
    const a = await alice.createJob({
      body: { spec: cpuSpec({ name: 'tagged', workingDir, command: 'echo hi', tags: { team: 'nlp' } }) },
    });
    const b = await bob.createJob({ body: { spec: cpuSpec({ name: 'bobs', workingDir, command: 'exec sleep 60' }) } });
    await waitForJob(alice, a.id);
    await waitForState(bob, b.id, 'Running');

    expect((await alice.listJobs({ query: { tag: 'team=nlp' } })).jobs.map((j) => j.id)).toEqual([a.id]);
    expect((await alice.listJobs({ query: { tag: 'team=cv' } })).jobs).toEqual([]);
    const mine = await alice.listJobs({ query: { mine: true, limit: 500 } });
    expect(mine.jobs.every((j) => j.user === 'alice')).toBe(true);
    const running = await alice.listJobs({ query: { state: ['Running'] } });
    expect(running.jobs.map((j) => j.id)).toContain(b.id);
    const page1 = await alice.listJobs({ query: { limit: 2 } });
    const page2 = await alice.listJobs({ query: { limit: 2, cursor: page1.nextCursor ?? '' } });
    expect(page1.jobs.map((j) => j.id)).not.toContain(page2.jobs[0]?.id);
    expect((await rejection(alice.listJobs({ query: { cursor: 'garbage!' } }))).status).toBe(400);

    expect(await rejection(alice.stopJob({ params: { id: b.id }, body: {} }))).toMatchObject({ status: 403 });
    expect(await rejection(bob.deleteJob({ params: { id: b.id } }))).toMatchObject({ status: 409 });
    expect(await rejection(alice.getJob({ params: { id: 'job-nope' } }))).toMatchObject({ status: 404 });

    const copy = await alice.copyJob({ params: { id: a.id } });
    expect(copy.spec).toMatchObject({ name: 'tagged-copy', command: 'echo hi', tags: { team: 'nlp' } });

    const again = await alice.startJobAgain({ params: { id: a.id }, body: {} });
    expect(again.id).toBe(a.id);
    const rerun = await waitForJob(
      alice,
      a.id,
      (j) => j.state === 'Succeeded' && (j.finishedAt ?? '') > again.createdAt,
    );
    expect((await programOutput(alice, rerun.id))[0]).toEqual(['hi', 'hi']);

    await bob.stopJob({ params: { id: b.id }, body: { force: true } });
    await waitForJob(bob, b.id);
    expect(await bob.deleteJob({ params: { id: b.id } })).toEqual({ deleted: b.id });
    expect(await rejection(bob.getJob({ params: { id: b.id } }))).toMatchObject({ status: 404 });
    expect(readdirSync(`${fx.dir}/data/jobs`)).not.toContain(b.id);
  });

  it('pages logs by instance, time, stream and text; samples metrics per instance', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'chatty',
          workingDir,
          nodes: 2,
          command:
            'for i in $(seq 1 50); do echo "rank $RANK line $i"; done; echo "rank $RANK warning" >&2; ' +
            // Busy for one to two seconds, so the 200 ms sampler sees CPU use.
            'SECONDS=0; while [ $SECONDS -lt 2 ]; do :; done',
        }),
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Succeeded');
    const all = await programOutput(client, job.id);
    expect(all.map((lines) => lines.length)).toEqual([51, 51]);

    const one = await client.jobLogs({ params: { id: job.id }, query: { instance: 1, stream: 'stdout', limit: 10 } });
    expect(one.lines.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `rank 1 line ${i + 1}`));
    expect(one.more).toBe(true);
    const next = await client.jobLogs({
      params: { id: job.id },
      query: { instance: 1, stream: 'stdout', limit: 10, cursor: one.nextCursor },
    });
    expect(next.lines[0]?.text).toBe('rank 1 line 11');
    const found = await client.jobLogs({ params: { id: job.id }, query: { search: 'LINE 50' } });
    expect(found.lines.map((l) => [l.instance, l.text])).toEqual([
      [0, 'rank 0 line 50'],
      [1, 'rank 1 line 50'],
    ]);
    const platform = await client.jobLogs({ params: { id: job.id }, query: { stream: 'platform' } });
    expect(platform.lines.length).toBeGreaterThan(0);
    const late = await client.jobLogs({
      params: { id: job.id },
      query: { since: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(late.lines).toEqual([]);
    expect((await rejection(client.jobLogs({ params: { id: job.id }, query: { instance: 5 } }))).status).toBe(400);

    const metrics = await client.jobMetrics({ params: { id: job.id }, query: {} });
    expect(metrics.instances.map((i) => i.instance)).toEqual([0, 1]);
    for (const instance of metrics.instances) {
      expect(instance.points.length).toBeGreaterThan(0);
      expect(instance.points.some((p) => (p.cpuPercent ?? 0) > 0)).toBe(true);
    }
  });

  it('reads progress and ETA from the output while the job runs, and keeps the last one', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'progress',
          workingDir,
          command: 'for i in $(seq 1 30); do echo "step $i/30 loss 0.$i"; sleep 0.1; done; echo "rank $RANK done"',
        }),
      },
    });
    const midway = await waitForJob(client, created.id, (j) => (j.progress?.step ?? 0) > 0);
    expect(midway.progress).toMatchObject({ totalSteps: 30 });
    expect(midway.progress?.percent).toBeGreaterThan(0);
    const done = await waitForJob(client, created.id);
    expect(done.state).toBe('Succeeded');
    const last = await waitForJob(client, created.id, (j) => j.progress?.step === 30, 5_000);
    expect(last.progress).toMatchObject({ step: 30, totalSteps: 30, percent: 100 });
    const eta = (await client.listJobs({ query: { mine: true } })).jobs.find((j) => j.id === created.id)?.progress;
    expect(eta?.updatedAt).toBeDefined();
  });

  it('streams states, events and logs over the WebSocket, from a cursor, to the end, with no line twice', async () => {
    const client = fx.client();
    const socket = fx.events();
    await socket.ready();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'followed',
          workingDir,
          nodes: 2,
          command: 'for i in $(seq 1 300); do echo "rank $RANK line $i"; [ $((i % 100)) = 0 ] && sleep 0.2; done',
        }),
      },
    });
    const states: string[] = [];
    const events: JobEvent[] = [];
    socket.subscribe(`jobs/${created.id}`, (e) => {
      if (e.kind === 'jobs' && e.data.change === 'updated') states.push(e.data.job.state);
    });
    socket.subscribe(`job-events/${created.id}`, (e) => {
      if (e.kind === 'job-events') events.push(e.data);
    });
    await waitForState(client, created.id, 'Running');
    const first = await client.jobLogs({ params: { id: created.id }, query: { limit: 5 } });
    const received = first.lines.map((l) => `${l.instance}:${l.seq}:${l.text}`);
    const done = new Promise<void>((resolve) => {
      socket.subscribe(
        `job-logs/${created.id}`,
        (e) => {
          if (e.kind !== 'job-logs') return;
          const batch: JobLogBatch = e.data;
          received.push(...batch.lines.map((l) => `${l.instance}:${l.seq}:${l.text}`));
          if (batch.end) resolve();
        },
        { cursor: first.nextCursor },
      );
    });
    await done;
    const expected = (await client.jobLogs({ params: { id: created.id }, query: { limit: 10_000 } })).lines.map(
      (l) => `${l.instance}:${l.seq}:${l.text}`,
    );
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual([...expected].sort());
    expect(received.filter((l) => / line \d+$/.test(l))).toHaveLength(600);
    expect(states.at(-1)).toBe('Succeeded');
    expect(events.map((e) => e.type)).toContain('succeeded');
  });
});
