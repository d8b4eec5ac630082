import { describe, expect, it } from 'vitest';
import { Reservoir } from './reservoir.js';

const points = (n: number) => Array.from({ length: n }, (_, step) => ({ step }));

describe('the reservoir of a tag', () => {
  it('keeps everything up to its size, then a sample in step order that always ends with the latest', () => {
    const small = new Reservoir<{ step: number }>(10);
    for (const p of points(5)) small.add(p);
    expect(small.points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);

    const big = new Reservoir<{ step: number }>(100);
    for (const p of points(100_000)) big.add(p);
    const steps = big.points.map((p) => p.step);
    expect(steps).toHaveLength(100);
    expect(steps.at(-1)).toBe(99_999);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // Uniform: about half the sample from each half of the run.
    const early = steps.filter((s) => s < 50_000).length;
    expect(early).toBeGreaterThan(30);
    expect(early).toBeLessThan(70);
    expect(big.total).toBe(100_000);
  });

  it('is the same sample for the same points', () => {
    const a = new Reservoir<{ step: number }>(20);
    const b = new Reservoir<{ step: number }>(20);
    for (const p of points(5_000)) {
      a.add(p);
      b.add(p);
    }
    expect(a.points).toEqual(b.points);
  });

  it('drops the points from a step the writer went back to (a restart from a checkpoint)', () => {
    const reservoir = new Reservoir<{ step: number; run: number }>(100);
    for (let step = 0; step < 10; step++) reservoir.add({ step, run: 1 });
    reservoir.add({ step: 5, run: 2 });
    expect(reservoir.points.map((p) => `${p.step}:${p.run}`)).toEqual(['0:1', '1:1', '2:1', '3:1', '4:1', '5:2']);
  });
});
