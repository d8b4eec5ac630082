import { z } from 'zod';

/**
 * Query-string helpers. Values arrive as strings on the wire; these accept the typed value from
 * the client and the string form from a URL, and give the server the typed value.
 */
export function intParam(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^-?\d+$/, 'must be an integer')])
    .transform((v) => Number(v))
    .pipe(z.number().int().min(min).max(max));
}

export function boolParam() {
  return z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1');
}

/**
 * A path under /work as the API spells it: relative, its first segment a root (`home`, `cache`,
 * `mount`), e.g. `home/data/train.jsonl`. The empty string is /work itself. The backend confines
 * it; the schema only bounds its size.
 */
export const WorkPathSchema = z
  .string()
  .max(4096, 'path is longer than 4096 characters')
  .meta({ description: 'Path relative to /work: home/..., cache/... or mount/...' });

/** One or more values: an array, or comma-separated in a URL (`Running,Queued`). */
export function listParam<T extends z.ZodType<unknown, string>>(item: T, maxChars = 200) {
  return z
    .union([z.array(z.string()), z.string().max(maxChars)])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item));
}
