import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricSeries, type MetricPoint } from './metricSeries.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (second: number) => new Date(T0 + second * 1000).toISOString();
const point = (second: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  time: at(second),
  memoryBytes: second * 1000,
  processCount: 1,
  ...extra,
});

describe('MetricSeries in memory', () => {
  it('keeps the last `capacity` points in order', () => {
    const series = new MetricSeries({ capacity: 3 });
    expect(series.latest()).toBeUndefined();
    for (let s = 0; s < 7; s++) series.append(point(s));
    expect(series.size).toBe(3);
    expect(series.range().map((p) => p.time)).toEqual([at(4), at(5), at(6)]);
    expect(series.latest()?.time).toBe(at(6));
    expect(new MetricSeries().capacity).toBe(3600);
    expect(() => new MetricSeries({ capacity: 0 })).toThrow(RangeError);
    expect(() => series.append(point(0, { time: 'yesterday' }))).toThrow(RangeError);
  });

  it('selects by time, inclusive, from strings or dates', () => {
    const series = new MetricSeries();
    for (let s = 0; s < 10; s++) series.append(point(s));
    expect(series.range({ since: at(3), until: new Date(T0 + 5000) }).map((p) => p.time)).toEqual([
      at(3),
      at(4),
      at(5),
    ]);
    expect(series.range({ since: at(20) })).toEqual([]);
    expect(() => series.range({ since: 'soon' })).toThrow(RangeError);
  });

  it('averages consecutive points into maxPoints buckets', () => {
    const series = new MetricSeries();
    for (let s = 0; s < 10; s++) {
      series.append(
        point(s, {
          cpuPercent: s === 0 ? undefined : s * 10,
          processCount: s < 5 ? 1 : 2,
          accelerator: s % 2 === 0 ? { utilizationPercent: s } : undefined,
        }),
      );
    }
    const buckets = series.range({ maxPoints: 3 }); // sizes 3, 3, 4
    expect(buckets).toEqual([
      {
        time: at(1),
        memoryBytes: 1000,
        processCount: 1,
        cpuPercent: 15, // the first point has none
        accelerator: { utilizationPercent: 1 },
      },
      { time: at(4), memoryBytes: 4000, processCount: 1, cpuPercent: 40, accelerator: { utilizationPercent: 4 } },
      { time: at(7.5), memoryBytes: 7500, processCount: 2, cpuPercent: 75, accelerator: { utilizationPercent: 7 } },
    ]);
    expect(series.range({ maxPoints: 10 })).toHaveLength(10);
    expect(series.range({ since: at(8), maxPoints: 1 })).toEqual([
      { time: at(8.5), memoryBytes: 8500, processCount: 2, cpuPercent: 85, accelerator: { utilizationPercent: 8 } },
    ]);
    expect(() => series.range({ maxPoints: 0 })).toThrow(RangeError);
  });

  it('hands out copies', () => {
    const series = new MetricSeries();
    series.append(point(1, { accelerator: { memoryBytes: 1 } }));
    const [copy] = series.range();
    if (copy?.accelerator) copy.accelerator.memoryBytes = 2;
    expect(series.range()[0]?.accelerator?.memoryBytes).toBe(1);
  });
});

describe('MetricSeries in a file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aiplat-series-'));
    file = join(dir, 'i1.metrics.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);

  it('appends a line per point and restores them after a restart', () => {
    const series = new MetricSeries({ file });
    expect(series.restore()).toBe(0); // no file yet
    series.append(point(1));
    series.append(point(2, { cpuPercent: 12.5, accelerator: { utilizationPercent: 50, memoryBytes: 1024 } }));
    expect(lines()).toHaveLength(2);

    const restarted = new MetricSeries({ file });
    expect(restarted.restore()).toBe(2);
    expect(restarted.range()).toEqual(series.range());
    expect(restarted.serialize()).toBe(readFileSync(file, 'utf8'));
    restarted.append(point(3));
    expect(lines()).toHaveLength(3);
  });

  it('keeps the file under twice the capacity', () => {
    const series = new MetricSeries({ capacity: 5, file });
    for (let s = 0; s < 9; s++) series.append(point(s));
    expect(lines()).toHaveLength(9);
    series.append(point(9)); // the tenth line: rewritten with the 5 in memory
    expect(lines()).toHaveLength(5);
    expect(new MetricSeries({ capacity: 5, file }).restore()).toBe(5);
  });

  it('restores only the tail of a long file, skips a torn last line, and repairs the file', () => {
    const writer = new MetricSeries({ capacity: 10_000, file });
    for (let s = 0; s < 2000; s++) writer.append(point(s));
    appendFileSync(file, '{"time":"2025-01-01T01:00:00.000Z","memo'); // killed mid-write

    const series = new MetricSeries({ capacity: 10, file });
    expect(series.restore()).toBe(10);
    expect(series.range().map((p) => p.time)).toEqual(Array.from({ length: 10 }, (_, i) => at(1990 + i)));
    expect(lines()).toHaveLength(10);
    series.append(point(2000));
    expect(new MetricSeries({ capacity: 10, file }).range()).toEqual([]); // not restored yet
    const again = new MetricSeries({ capacity: 10, file });
    again.restore();
    expect(again.latest()?.time).toBe(at(2000));
  });

  it('skips lines that are not points', () => {
    writeFileSync(
      file,
      [
        JSON.stringify(point(1)),
        '[1, 2]',
        '{"time":"not a time","memoryBytes":1,"processCount":1}',
        '{"time":"2025-01-01T00:00:02.000Z","memoryBytes":"1","processCount":1}',
        JSON.stringify(point(3, { cpuPercent: 5 })),
        '',
      ].join('\n'),
    );
    const series = new MetricSeries({ file });
    expect(series.restore()).toBe(2);
    expect(series.range()).toEqual([point(1), point(3, { cpuPercent: 5 })]);
    expect(lines()).toHaveLength(2);
  });
});
