import { describe, expect, it } from 'vitest';
import { cellText, formatCount, MAX_CELL_CHARS, recordsToTable } from './previewContent.js';

describe('preview content helpers', () => {
  it('counts parameters the way model cards do', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(59520)).toBe('59.5K');
    expect(formatCount(124_439_808)).toBe('124M');
    expect(formatCount(6_738_415_616)).toBe('6.7B');
  });

  it('turns records into rows by their fields, and anything else into one value column', () => {
    expect(recordsToTable(['a', 'b'], [{ a: 1, b: { c: true } }, { a: 'x' }])).toEqual({
      columns: ['a', 'b'],
      rows: [
        ['1', '{"c":true}'],
        ['x', ''],
      ],
    });
    expect(recordsToTable([], [1, [2], null])).toEqual({ columns: ['value'], rows: [['1'], ['[2]'], ['']] });
    expect(cellText('y'.repeat(MAX_CELL_CHARS + 5))).toHaveLength(MAX_CELL_CHARS);
  });
});
