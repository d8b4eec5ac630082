import { describe, expect, it } from 'vitest';
import { mergeScalarSeries, smooth, tagMatches, xValues } from '@aiplat/api';

const p = (step: number, value: number | null = step, wallTime = 100 + step) => ({ step, wallTime, value });

describe('smooth (TensorBoard’s debiased EMA)', () => {
  it('starts at the first value and follows the average as TensorBoard computes it', () => {
    const out = smooth([1, 2, 3], 0.6) as number[];
    // last = 0.4, 0.4*0.6+0.8 = 1.04, 1.04*0.6+1.2 = 1.824; debias 1-0.6^n
    expect(out[0]).toBeCloseTo(1, 10);
    expect(out[1]).toBeCloseTo(1.04 / (1 - 0.36), 10);
    expect(out[2]).toBeCloseTo(1.824 / (1 - 0.216), 10);
  });
  it('passes non-finite values through without averaging them, leaves constants and weight 0 alone', () => {
    expect(smooth([1, null, 3], 0.5).map((v) => (v === null ? null : Number(v.toFixed(4))))).toEqual([1, null, 2.3333]);
    expect(smooth([2, 2, 2], 0.9)).toEqual([2, 2, 2]);
    expect(smooth([1, 5], 0)).toEqual([1, 5]);
  });
});

describe('x axes', () => {
  it('gives steps, seconds since the first point, or wall time', () => {
    const points = [p(10, 1, 1000), p(20, 1, 1030)];
    expect(xValues(points, 'step')).toEqual([10, 20]);
    expect(xValues(points, 'relative')).toEqual([0, 30]);
    expect(xValues(points, 'wall')).toEqual([1000, 1030]);
  });
});

describe('mergeScalarSeries', () => {
  it('appends new points, adds new series, skips points already there, and restarts from an earlier step', () => {
    const current = [{ run: 'a', tag: 'loss', points: [p(1), p(2)] }];
    const merged = mergeScalarSeries(current, [
      { run: 'a', tag: 'loss', points: [p(2), p(3)] },
      { run: 'b', tag: 'loss', points: [p(1)] },
    ]);
    expect(merged.map((s) => [s.run, s.points.map((x) => x.step)])).toEqual([
      ['a', [1, 2, 3]],
      ['b', [1]],
    ]);
    expect(current[0]!.points).toHaveLength(2); // not changed in place
    const restarted = mergeScalarSeries(merged, [{ run: 'a', tag: 'loss', points: [p(2, 9, 500)] }]);
    expect(restarted[0]!.points.map((x) => [x.step, x.value])).toEqual([
      [1, 1],
      [2, 9],
    ]);
  });
  it('keeps at most cap points, the last among them', () => {
    const many = Array.from({ length: 50 }, (_, i) => p(i));
    const merged = mergeScalarSeries([], [{ run: '.', tag: 't', points: many }], 10);
    expect(merged[0]!.points).toHaveLength(10);
    expect(merged[0]!.points.at(-1)!.step).toBe(49);
  });
});

describe('tagMatches', () => {
  it('takes a regular expression, or text when it is not one', () => {
    expect(tagMatches('train/loss', 'loss$')).toBe(true);
    expect(tagMatches('train/loss', '^eval')).toBe(false);
    expect(tagMatches('a(b', 'a(')).toBe(true);
    expect(tagMatches('x', '')).toBe(true);
  });
});
