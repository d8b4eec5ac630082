import { z } from 'zod';
import { fieldError, shown } from './fieldErrors.js';
import { JOB_LIMITS } from './jobLimits.js';

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes memory quantity: a number and an optional binary (Ki..Ei) or decimal (k..E) suffix. */
export const MEMORY_QUANTITY_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/**
 * The exact number of bytes a memory amount stands for: a Kubernetes quantity (`2Gi`, `512Mi`,
 * `1G`, `1.5Gi`) or a number of bytes. `whole` is false when that is a fraction of a byte (`0.5`,
 * `1.1Mi`); `bytes` is then rounded up. `undefined` when it is not a memory amount.
 */
export function exactMemoryBytes(value: string | number): { bytes: number; whole: boolean } | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    return { bytes: Math.ceil(value), whole: Number.isInteger(value) };
  }
  const match = MEMORY_QUANTITY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const unit = MEMORY_UNITS[match[2] ?? ''];
  if (unit === undefined) return undefined;
  // In integers, so that 1.1G is exactly 1100000000 bytes and 1.1Mi is seen to be a fraction.
  const [whole = '', fraction = ''] = (match[1] ?? '').split('.');
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(`${whole}${fraction}` || '0') * BigInt(unit);
  const bytes = scaled / scale + (scaled % scale === 0n ? 0n : 1n);
  return { bytes: Number(bytes), whole: scaled % scale === 0n };
}

/**
 * Bytes of a memory amount: a Kubernetes quantity (`2Gi`, `512Mi`, `1G`, `1.5Gi`) or a number of
 * bytes. Fractions of a byte round up, as Kubernetes does. `undefined` when it is not one.
 */
export function parseMemory(value: string | number): number | undefined {
  return exactMemoryBytes(value)?.bytes;
}

const MEMORY_HINT = 'a Kubernetes quantity such as 512Mi, 2Gi or 1G, or a number of bytes';

export const MemorySchema = z
  .union([z.string(), z.number()], { error: fieldError('memory', MEMORY_HINT) })
  .superRefine((value, ctx) => {
    const parsed = exactMemoryBytes(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', input: value, message: `memory must be ${MEMORY_HINT} (got ${shown(value)})` });
    } else if (parsed.bytes < JOB_LIMITS.memoryMinBytes) {
      ctx.addIssue({
        code: 'custom',
        input: value,
        message: `memory ${shown(value)} is below 1M; a bare number counts bytes, so write 512Mi for 512 mebibytes`,
      });
    } else if (parsed.bytes > JOB_LIMITS.memoryMaxBytes) {
      ctx.addIssue({ code: 'custom', input: value, message: `memory ${shown(value)} is more than 1Pi per node` });
    } else if (!parsed.whole) {
      ctx.addIssue({
        code: 'custom',
        input: value,
        message: `memory ${shown(value)} is not a whole number of bytes; write it in a smaller unit (Ki instead of Mi) or as whole bytes, e.g. ${parsed.bytes}`,
      });
    }
  })
  .meta({ description: `Memory per node: ${MEMORY_HINT}` });
