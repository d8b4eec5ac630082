import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../logs/logReader.js';
import { InstanceLogWriter, PodLogSink, splitTimestamp } from './podLogs.js';
import { cpuCores, memoryBytes, podMetricPoint } from './podMetrics.js';

function logFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'podlogs-')), 'logs', 'node-0.log');
}

function write(sink: PodLogSink, text: string): Promise<void> {
  return new Promise((resolve, reject) => sink.end(text, () => resolve()).on('error', reject));
}

describe('splitTimestamp', () => {
  it('reads the kubelet’s RFC3339Nano prefix, ordering keys to the nanosecond', () => {
    const a = splitTimestamp('2026-11-23T10:00:00.1234Z loss 1');
    const b = splitTimestamp('2026-11-23T10:00:00.12345Z loss 2');
    expect(a).toMatchObject({ time: '2026-11-23T10:00:00.123Z', text: 'loss 1' });
    expect((a.key ?? '') < (b.key ?? '')).toBe(true);
    expect(splitTimestamp('no time here')).toEqual({ text: 'no time here' });
  });
});

describe('PodLogSink', () => {
  it('writes lines with the kubelet’s time into the instance log the platform reads', async () => {
    const file = logFile();
    const sink = new PodLogSink(new InstanceLogWriter(file));
    await write(
      sink,
      '2026-11-23T10:00:00.000000001Z epoch 1\n2026-11-23T10:00:01Z epoch 2\n2026-11-23T10:00:02Z partial',
    );
    const page = await readLog(file, { limit: 10 });
    expect(page.lines.map((l) => [l.seq, l.t, l.m])).toEqual([
      [1, '2026-11-23T10:00:00.000Z', 'epoch 1'],
      [2, '2026-11-23T10:00:01.000Z', 'epoch 2'],
      [3, '2026-11-23T10:00:02.000Z', 'partial'],
    ]);
  });

  it('a stream resumed after a reconnect skips what it already took', async () => {
    const file = logFile();
    const writer = new InstanceLogWriter(file);
    const first = new PodLogSink(writer);
    await write(first, '2026-11-23T10:00:00.1Z a\n2026-11-23T10:00:00.2Z b\n');
    const again = new PodLogSink(writer, first.lastKey !== undefined ? { after: first.lastKey } : {});
    await write(again, '2026-11-23T10:00:00.1Z a\n2026-11-23T10:00:00.2Z b\n2026-11-23T10:00:00.3Z c\n');
    expect((await readLog(file, { limit: 10 })).lines.map((l) => l.m)).toEqual(['a', 'b', 'c']);
  });

  it('after a backend restart the file’s last millisecond is not written twice, seq continues', async () => {
    const file = logFile();
    await write(new PodLogSink(new InstanceLogWriter(file)), '2026-11-23T10:00:00.5Z a\n2026-11-23T10:00:00.5Z b\n');
    const reopened = new InstanceLogWriter(file);
    expect(reopened.resumeFrom).toBe('2026-11-23T10:00:00.500Z');
    await write(
      new PodLogSink(reopened),
      '2026-11-23T10:00:00.4Z old\n2026-11-23T10:00:00.5Z a\n2026-11-23T10:00:00.5Z b\n2026-11-23T10:00:00.5Z c\n2026-11-23T10:00:01Z d\n',
    );
    const lines = (await readLog(file, { limit: 10 })).lines;
    expect(lines.map((l) => [l.seq, l.m])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('times never go backwards along a file two pods write to', () => {
    const file = logFile();
    const writer = new InstanceLogWriter(file);
    writer.append([{ time: '2026-11-23T10:00:02.000Z', text: 'head' }]);
    writer.append([{ time: '2026-11-23T10:00:01.000Z', text: 'submitter' }]);
    const times = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { t: string }).t);
    expect(times).toEqual(['2026-11-23T10:00:02.000Z', '2026-11-23T10:00:02.000Z']);
  });
});

describe('pod metrics', () => {
  it('reads CPU and memory quantities', () => {
    expect(cpuCores('250m')).toBe(0.25);
    expect(cpuCores('1500000n')).toBeCloseTo(0.0015);
    expect(cpuCores('2')).toBe(2);
    expect(memoryBytes('512Mi')).toBe(512 * 2 ** 20);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('12x')).toBeUndefined();
  });

  it('sums a pod’s containers into one point', () => {
    const point = podMetricPoint(
      {
        timestamp: '2026-11-23T10:00:00Z',
        containers: [
          { name: 'a', usage: { cpu: '1500m', memory: '1Gi' } },
          { name: 'b', usage: { cpu: '500m', memory: '1Gi' } },
        ],
      },
      new Date(),
    );
    expect(point).toEqual({
      time: '2026-11-23T10:00:00.000Z',
      cpuPercent: 200,
      memoryBytes: 2 * 2 ** 30,
      processCount: 2,
    });
  });
});
