import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiClient } from '@aiplat/api';
import { startBackendProcess } from '../../../../testing/src/backend/backendProcess.js';
import { homeFolder, programOutput, waitForJob, waitForState } from '../../../../testing/src/backend/jobs.js';

/**
 * The backend is SIGKILLed while jobs run, finish, vanish and wait; a new backend on the same data
 * re-adopts what still runs and marks the rest Failed with the reason. No job is launched twice and
 * no log line is lost.
 */
const TOKEN = 'recovery-token-0123456789abcdef';
let dir: string;
let backend: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-recovery-'));
  await writeFile(
    path.join(dir, 'config.yaml'),
    [
      'localEngine:',
      '  includeLocalMachine: false',
      '  virtualNodes: [{ name: v, count: 1, cpu: 4, memory: 8Gi }]',
      'jobs: { stopGraceMs: 1000 }',
      'seedExamples: false',
    ].join('\n'),
  );
});
afterAll(async () => {
  if (backend && backend.exitCode === null) await killed(backend);
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

async function startBackend(): Promise<{ child: ChildProcess; client: ApiClient }> {
  const { child, url } = await startBackendProcess(dir, {
    AUTH_TOKEN: TOKEN,
    AIPLAT_USER: 'alice',
    AIPLAT_CONFIG: path.join(dir, 'config.yaml'),
  });
  return { child, client: createClient({ baseUrl: url, token: TOKEN }) };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const spec = (name: string, command: string, workingDir: string, extra: Record<string, unknown> = {}) => ({
  name,
  mode: 'ddp' as const,
  command,
  workingDir,
  nodes: 1,
  resources: { cpu: 1, memory: '256Mi' },
  ...extra,
});

describe('recovery after the backend is killed with SIGKILL', () => {
  it('re-adopts running jobs, records exits it missed, fails lost ones, starts queued ones once', async () => {
    const work = path.join(dir, '.work');
    const workingDir = await homeFolder(work, 'alice', 'recovery');
    const first = await startBackend();
    backend = first.child;
    const c1 = first.client;
    const counter = await c1.createJob({
      body: {
        spec: spec(
          'counter',
          'echo $$ >> "pids-$RANK"; for i in $(seq 1 120); do echo "rank $RANK n $i"; sleep 0.05; done',
          workingDir,
          { nodes: 2 },
        ),
      },
    });
    const exitsWhileDown = await c1.createJob({ body: { spec: spec('exits', 'sleep 1; exit 4', workingDir) } });
    const vanishes = await c1.createJob({ body: { spec: spec('vanishes', 'exec sleep 60', workingDir) } });
    for (const job of [counter, exitsWhileDown, vanishes]) await waitForState(c1, job.id, 'Running');
    const queued = await c1.createJob({
      body: { spec: spec('queued', 'echo ran >> queued-runs', workingDir, { resources: { cpu: 4, memory: '1Gi' } }) },
    });
    await waitForState(c1, queued.id, 'Queued');
    await new Promise((r) => setTimeout(r, 300));
    const before = await c1.jobLogs({ params: { id: counter.id }, query: { stream: 'stdout' } });
    expect(before.lines.length).toBeGreaterThan(0);

    await killed(first.child);
    // While the backend is down: one instance exits on its own, another vanishes without a trace.
    const state = JSON.parse(
      readFileSync(path.join(dir, '.data', 'jobs', vanishes.id, 'logs', 'node-0.state.json'), 'utf8'),
    ) as { shim: { pid: number }; child: { pgid: number } };
    process.kill(state.shim.pid, 'SIGKILL');
    process.kill(-state.child.pgid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));

    const second = await startBackend();
    backend = second.child;
    const c2 = second.client;

    const done = await waitForJob(c2, counter.id);
    expect(done.state, JSON.stringify(done)).toBe('Succeeded');
    const logs = await programOutput(c2, counter.id);
    for (const rank of [0, 1]) {
      expect(logs[rank]).toEqual(Array.from({ length: 120 }, (_, i) => `rank ${rank} n ${i + 1}`));
      expect(
        readFileSync(path.join(work, 'home', 'alice', 'recovery', `pids-${rank}`), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(1);
    }
    const all = await c2.jobLogs({ params: { id: counter.id }, query: { instance: 0, limit: 10_000 } });
    const first0 = all.lines[0]?.seq ?? 0;
    expect(all.lines.map((l) => l.seq)).toEqual(all.lines.map((_, i) => first0 + i));

    const exited = await waitForJob(c2, exitsWhileDown.id);
    expect(exited.state).toBe('Failed');
    expect(exited.reason).toMatchObject({ kind: 'exit-code', exitCode: 4, instance: 0 });

    const lost = await waitForJob(c2, vanishes.id);
    expect(lost.state).toBe('Failed');
    expect(lost.reason?.kind).toBe('lost');

    const ranOnce = await waitForJob(c2, queued.id);
    expect(ranOnce.state).toBe('Succeeded');
    expect(readFileSync(path.join(work, 'home', 'alice', 'recovery', 'queued-runs'), 'utf8')).toBe('ran\n');

    const events = await c2.jobEvents({ params: { id: counter.id }, query: {} });
    expect(events.events.filter((e) => e.type === 'instance-started')).toHaveLength(2);
    expect(events.events.some((e) => e.type === 'engine' && /re-adopted/.test(e.message))).toBe(true);
  });
});
