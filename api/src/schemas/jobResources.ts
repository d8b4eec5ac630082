import { z } from 'zod';
import { fieldError, shown, strictObject } from './fieldErrors.js';
import { JOB_LIMITS } from './jobLimits.js';
import { MemorySchema } from './memoryQuantity.js';

export const AcceleratorTypeSchema = z.enum(['nvidia', 'ascend', 'none'], {
  error: fieldError('type', 'nvidia, ascend or none'),
});
export type AcceleratorType = z.infer<typeof AcceleratorTypeSchema>;

/** Shares of one device are counted in tenths (0.1, 0.2 ... 1). */
const SHARES_PER_DEVICE = 10;

/** Whether `count` is a whole number of tenths of a device, exactly. */
function isTenths(count: number): boolean {
  return Math.round(count * SHARES_PER_DEVICE) / SHARES_PER_DEVICE === count;
}

/** 0, a share of one device (0.1 to 1, in tenths), or a whole number of devices. */
export function isValidAcceleratorCount(count: number): boolean {
  if (!Number.isFinite(count) || count < 0 || count > JOB_LIMITS.acceleratorsPerNode) return false;
  if (count === 0 || Number.isInteger(count)) return true;
  return count >= JOB_LIMITS.minAcceleratorShare && count <= 1 && isTenths(count);
}

const COUNT_HINT = '0, a whole number of devices, or a share of one device from 0.1 to 1 in tenths';

const AcceleratorCountSchema = z.number({ error: fieldError('count', COUNT_HINT) }).superRefine((count, ctx) => {
  if (isValidAcceleratorCount(count)) return;
  let message: string;
  if (count < 0) message = `count must be ${COUNT_HINT} (got ${count})`;
  else if (count < JOB_LIMITS.minAcceleratorShare) {
    message = `count ${count} is too small a share: a fraction of one device must be from 0.1 to 1`;
  } else if (count > JOB_LIMITS.acceleratorsPerNode) {
    message = `count ${count} is more than ${JOB_LIMITS.acceleratorsPerNode} devices per node`;
  } else if (count < 1) {
    message = `count ${count} is not a share the scheduler can give: a fraction of one device is in tenths (0.1, 0.2 ... 1)`;
  } else message = `count ${count} is not valid: above 1, count whole devices (2, 4, 8...)`;
  ctx.addIssue({ code: 'custom', input: count, message });
});

export const AcceleratorSchema = strictObject(
  {
    type: AcceleratorTypeSchema.default('none'),
    count: AcceleratorCountSchema.default(0),
  },
  'accelerator',
)
  .superRefine((acc, ctx) => {
    if (!isValidAcceleratorCount(acc.count)) return;
    if (acc.type === 'none' && acc.count !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        input: acc.count,
        message: `type none takes count 0; set type to nvidia or ascend to ask for ${acc.count} device(s)`,
      });
    } else if (acc.type !== 'none' && acc.count === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        input: acc.count,
        message: `count is 0: ask for at least 0.1 of a ${acc.type} device, or set type to none`,
      });
    }
  })
  .meta({ id: 'Accelerator' });
export type Accelerator = z.infer<typeof AcceleratorSchema>;

const cpuError = fieldError('cpu', 'a number of cores greater than 0, e.g. 1 or 0.5');

/** CPUs are counted in millicores: a request must be a whole number of them, at least one. */
const MILLICORES_PER_CPU = 1000;

function isWholeMillicores(cpu: number): boolean {
  const millicores = Math.round(cpu * MILLICORES_PER_CPU);
  return millicores >= 1 && millicores / MILLICORES_PER_CPU === cpu;
}

/** What each node (instance) of a job gets. */
export const ResourcesSchema = strictObject(
  {
    cpu: z
      .number({ error: cpuError })
      .positive({ error: cpuError })
      .max(JOB_LIMITS.cpuPerNode, `cpu must be at most ${JOB_LIMITS.cpuPerNode} cores per node`)
      .refine(isWholeMillicores, {
        error: (iss) =>
          `cpu must be a multiple of 0.001 CPU (1 millicore) and at least 0.001, e.g. 0.5 or 0.25; got ${shown(iss.input)}`,
      }),
    memory: MemorySchema,
    accelerator: AcceleratorSchema.default({ type: 'none', count: 0 }),
  },
  'resources',
).meta({ id: 'JobResources', description: 'Resources of one node (instance) of the job' });
export type Resources = z.infer<typeof ResourcesSchema>;
