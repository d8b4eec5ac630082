import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './listCursor.js';

describe('list cursors', () => {
  it('round-trips a cursor', () => {
    const c = encodeCursor({ s: 'mtime', o: 'desc', n: 'é', k: 1.5 });
    expect(decodeCursor(c, 'mtime', 'desc')).toEqual({ s: 'mtime', o: 'desc', n: 'é', k: 1.5 });
  });
});
