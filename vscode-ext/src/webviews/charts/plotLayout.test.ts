import { describe, expect, it } from 'vitest';
import { extent, linearTicks, logTicks, niceStep, polylines, powerLabel, scale } from './plotLayout.js';

describe('plot layout', () => {
  it('picks round steps, also for spans below zero and single values', () => {
    expect([niceStep(100), niceStep(37), niceStep(1), niceStep(0.3)]).toEqual([50, 10, 0.5, 0.1]);
    expect(linearTicks(-0.3, 1.7)).toEqual({ min: -0.5, max: 2, step: 0.5, values: [-0.5, 0, 0.5, 1, 1.5, 2] });
    expect(linearTicks(3, 3).values).toEqual([1, 2, 3, 4, 5]);
    expect(linearTicks(0, 0).values).toEqual([-0.5, 0, 0.5]);
    expect(linearTicks(1, 3, 4, 1).values).toEqual([1, 2, 3]);
  });

  it('puts log ticks on powers of ten, a decade at least', () => {
    expect(logTicks(0.02, 30)).toEqual({ min: -2, max: 2, exponents: [-2, -1, 0, 1, 2] });
    expect(logTicks(2, 3)).toEqual({ min: 0, max: 1, exponents: [0, 1] });
    expect(logTicks(1e-9, 1e9).exponents).toEqual([-9, -6, -3, 0, 3, 6, 9]);
    expect([-9, -3, 0, 2, 5].map(powerLabel)).toEqual(['1e-9', '0.001', '1', '100', '1e5']);
  });

  it('splits a line where a value is missing', () => {
    const px = scale([0, 4], [0, 40]);
    const py = (y: number) => y;
    const points: [number, number | null][] = [
      [0, 1],
      [1, 2],
      [2, null],
      [3, 4],
      [4, Number.NaN],
    ];
    expect(polylines(points, px, py)).toEqual(['0,1 10,2', '30,4']);
    expect(scale([5, 5], [0, 40])(5)).toBe(0);
    expect(extent([3, -1, 7])).toEqual([-1, 7]);
    expect(extent([])).toBeUndefined();
    // A long series does not overflow the stack as Math.min(...values) would.
    expect(extent(Array.from({ length: 300_000 }, (_, i) => i))).toEqual([0, 299_999]);
  });
});
