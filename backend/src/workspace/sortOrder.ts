import type { SortKey } from '@aiplat/api';
import type { EntryInfo } from './entries.js';

/*
 * How a listing is ordered: by name in UTF-16 code-unit order (what `<` and `Array.prototype.sort`
 * do), or by size or mtime with ties broken by name; and where a cursor falls in a sorted listing.
 */

export type SortOrder = 'asc' | 'desc';

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function keyOf(item: EntryInfo, sort: SortKey): number {
  return sort === 'size' ? item.size : sort === 'mtime' ? item.mtimeMs : 0;
}

export function compareItems(a: EntryInfo, b: EntryInfo, sort: SortKey): number {
  return keyOf(a, sort) - keyOf(b, sort) || compareNames(a.name, b.name);
}

/** Index of the first name in ascending `names` greater than `name`. */
export function upperBound(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((names[mid] as string) <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first name in ascending `names` not less than `name`. */
export function lowerBound(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((names[mid] as string) < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first item in ascending `items` after the cursor's (key, name). */
export function upperBoundItems(items: readonly EntryInfo[], sort: SortKey, key: number, name: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = items[mid] as EntryInfo;
    const c = keyOf(item, sort) - key || compareNames(item.name, name);
    if (c <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
