import { describe, expect, it } from 'vitest';
import { firstNames } from './firstNames.js';

describe('firstNames', () => {
  it('selects the same first names as a full sort', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `n${(i * 7919) % 5000}-${String.fromCharCode(65 + (i % 50))}`);
    const sorted = [...names].sort();
    expect(firstNames(names, 100, 'asc')).toEqual(sorted.slice(0, 100));
    expect(firstNames(names, 100, 'desc')).toEqual(sorted.reverse().slice(0, 100));
    expect(firstNames(names, 0, 'asc')).toEqual([]);
  });
});
