import { describe, expect, it } from 'vitest';
import { median, percentile } from './stats.js';

describe('benchmark statistics', () => {
  it('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('percentile: nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 0.9)).toBe(90);
    expect(percentile(xs, 1)).toBe(100);
    expect(percentile([5], 0.5)).toBe(5);
  });
});
