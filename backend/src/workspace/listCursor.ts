import { ApiError, type SortKey } from '@aiplat/api';
import type { SortOrder } from './sortOrder.js';

/** Where a page ends: the sort it was made for and its last entry's name and (size, mtime) key. */
export interface ListCursor {
  s: SortKey;
  o: SortOrder;
  n: string;
  k?: number;
}

function badCursor(message: string): ApiError {
  return new ApiError('bad_request', `cursor ${message}; start again without a cursor`, {
    issues: [{ path: 'query.cursor', message }],
  });
}

export function encodeCursor(data: ListCursor): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

export function decodeCursor(raw: string, sort: SortKey, order: SortOrder): ListCursor {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw badCursor('is not base64url');
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is malformed');
  }
  if (typeof data !== 'object' || data === null) throw badCursor('is malformed');
  const { s, o, n, k } = data as Record<string, unknown>;
  if (typeof n !== 'string' || (s !== 'name' && s !== 'size' && s !== 'mtime') || (o !== 'asc' && o !== 'desc')) {
    throw badCursor('is malformed');
  }
  if (s !== sort || o !== order) throw badCursor(`was made for sort=${s}&order=${o}, not sort=${sort}&order=${order}`);
  if (s !== 'name' && (typeof k !== 'number' || !Number.isFinite(k))) throw badCursor('is malformed');
  return s === 'name' ? { s, o, n } : { s, o, n, k: k as number };
}
