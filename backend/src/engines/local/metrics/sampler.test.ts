import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveGroupMembers } from '../supervisor/instanceState.js';
import type { AcceleratorQuery, GpuSampler } from './accelerators.js';
import { createMetricsSampler, type LiveInstance, type MetricsSampler } from './sampler.js';

const groups: number[] = [];
const samplers: MetricsSampler[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiplat-metrics-'));
});

afterEach(async () => {
  await Promise.all(samplers.splice(0).map((sampler) => sampler.stop()));
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An idle group, a shell waiting for a sleep: two members. (CPU figures are procSampler.test's.) */
async function startGroup(): Promise<number> {
  const child = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('spawn failed');
  groups.push(pgid);
  await waitFor(() => liveGroupMembers(pgid).length === 2, `group ${pgid}`);
  return pgid;
}

/** An accelerator sampler that reports fixed figures and remembers what it was asked. */
function fakeGpu(kind: 'nvidia' | 'ascend') {
  const asked: AcceleratorQuery[][] = [];
  const sampler: GpuSampler = {
    kind,
    sample(queries) {
      asked.push([...queries]);
      return Promise.resolve(
        new Map(queries.map((q) => [q.key, { devices: [...(q.devices ?? [])], utilizationPercent: 42 }])),
      );
    },
  };
  return { sampler, asked };
}

describe('createMetricsSampler', () => {
  it('samples live instances on an interval into per-instance series', async () => {
    const pgid = await startGroup();
    const gpu = fakeGpu('nvidia');
    let live: LiveInstance[] = [
      { key: 'job-1/i1', pgid, kind: 'nvidia', devices: [0] },
      { key: 'job-1/gone', pgid: 2 ** 22 + 12345 }, // above pid_max's default range: never alive
    ];
    const errors: Error[] = [];
    const sampler = createMetricsSampler({
      intervalMs: 100,
      instances: () => live,
      gpu: [gpu.sampler, fakeGpu('ascend').sampler],
      onError: (error) => errors.push(error),
    });
    samplers.push(sampler);
    await waitFor(() => (sampler.series('job-1/i1')?.size ?? 0) >= 3, 'three points');

    const points = sampler.series('job-1/i1')?.range() ?? [];
    expect(points[0]?.cpuPercent).toBeUndefined();
    for (const point of points.slice(1)) expect(point.cpuPercent).toBeGreaterThanOrEqual(0);
    for (const point of points) {
      expect(point.processCount).toBe(2);
      expect(point.memoryBytes).toBeGreaterThan(0);
      expect(point.accelerator).toEqual({ utilizationPercent: 42 });
      expect(Number.isNaN(Date.parse(point.time))).toBe(false);
    }
    expect(gpu.asked[0]).toEqual([
      { key: 'job-1/i1', pids: liveGroupMembers(pgid).sort((a, b) => a - b), devices: [0] },
    ]);
    expect(sampler.series('job-1/gone')).toBeUndefined();
    expect(errors).toEqual([]);

    live = [];
    await sampler.stop();
    const size = sampler.series('job-1/i1')?.size;
    await sampler.sampleNow(); // still possible by hand; nothing is live
    expect(sampler.series('job-1/i1')?.size).toBe(size);
  });

  it('never overlaps samples, however slow', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const slow: GpuSampler = {
      kind: 'nvidia',
      async sample() {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight--;
        return new Map();
      },
    };
    const pgid = await startGroup();
    const sampler = createMetricsSampler({
      intervalMs: 1,
      instances: () => [{ key: 'k', pgid, kind: 'nvidia' }],
      gpu: slow,
    });
    samplers.push(sampler);
    await Promise.all([sampler.sampleNow(), sampler.sampleNow()]);
    await waitFor(() => calls >= 4, 'four samples');
    await sampler.stop();
    expect(maxInFlight).toBe(1);
  });

  it('uses the injected clock, rounds CPU, and keeps series in files that survive a restart', async () => {
    const pgid = await startGroup();
    const fileFor = (key: string) => join(dir, `${encodeURIComponent(key)}.metrics.jsonl`);
    let second = 0;
    const options = {
      intervalMs: 60_000, // only the immediate first tick and the ones asked for
      instances: () => [{ key: 'job/i1', pgid }],
      now: () => new Date(Date.UTC(2025, 0, 1, 0, 0, second++)),
      fileFor,
    };
    const first = createMetricsSampler(options);
    samplers.push(first);
    await first.sampleNow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.sampleNow();
    await first.stop();
    const points = first.series('job/i1')?.range() ?? [];
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.map((p) => p.time).slice(0, 2)).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z']);
    const cpu = points.at(-1)?.cpuPercent;
    expect(cpu).toBeTypeOf('number');
    expect(Math.round((cpu ?? NaN) * 100) / 100).toBe(cpu);
    expect(readFileSync(fileFor('job/i1'), 'utf8').trim().split('\n')).toHaveLength(points.length);

    // A new backend: the series is there before any sample, and sampling continues it.
    const restarted = createMetricsSampler({ ...options, instances: () => [] });
    samplers.push(restarted);
    expect(restarted.series('job/i1')?.range()).toEqual(points);
    expect(restarted.series('job/other')).toBeUndefined();
    restarted.forget('job/i1');
    expect(restarted.series('job/i1')?.size).toBe(points.length); // read back from the file again
  });

  it('reports failures instead of throwing', async () => {
    const errors: Error[] = [];
    const sampler = createMetricsSampler({
      intervalMs: 60_000,
      instances: () => {
        throw new Error('store unavailable');
      },
      onError: (error) => errors.push(error),
    });
    samplers.push(sampler);
    await sampler.sampleNow();
    expect(errors.map((error) => error.message)).toContain('store unavailable');
    expect(() => createMetricsSampler({ intervalMs: 0, instances: () => [] })).toThrow(RangeError);
  });
});
