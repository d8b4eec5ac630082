import { z } from 'zod';
import { fieldError, shown, strictObject } from './fieldErrors.js';
import { JOB_LIMITS } from './jobLimits.js';
import { MemorySchema } from './memoryQuantity.js';

export const AcceleratorTypeSchema = z.enum(['nvidia', 'ascend', 'none'], {
  error: fieldError('type', 'nvidia, ascend or none'),
});
export type AcceleratorType = z.infer<typeof AcceleratorTypeSchema>;

/** 0, a share of one device (0.1 to 1), or a whole number of devices. */
export function isValidAcceleratorCount(count: number): boolean {
  if (!Number.isFinite(count) || count < 0 || count > JOB_LIMITS.acceleratorsPerNode) return false;
  return count === 0 || Number.isInteger(count) || (count >= JOB_LIMITS.minAcceleratorShare && count <= 1);
}

const COUNT_HINT = '0, a whole number of devices, or a share of one device from 0.1 to 1';

const AcceleratorCountSchema = z.number({ error: fieldError('count', COUNT_HINT) }).superRefine((count, ctx) => {
  if (isValidAcceleratorCount(count)) return;
  let message: string;
  if (count < 0) message = `count must be ${COUNT_HINT} (got ${count})`;
  else if (count < JOB_LIMITS.minAcceleratorShare) {
    message = `count ${count} is too small a share: a fraction of one device must be from 0.1 to 1`;
  } else if (count > JOB_LIMITS.acceleratorsPerNode) {
    message = `count ${count} is more than ${JOB_LIMITS.acceleratorsPerNode} devices per node`;
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

/** What each node (instance) of a job gets. */
export const ResourcesSchema = strictObject(
  {
    cpu: z
      .number({ error: cpuError })
      .positive({ error: cpuError })
      .max(JOB_LIMITS.cpuPerNode, `cpu must be at most ${JOB_LIMITS.cpuPerNode} cores per node`)
      .refine((cpu) => Math.abs(cpu * 1000 - Math.round(cpu * 1000)) < 1e-6, {
        error: (iss) => `cpu has at most 3 decimals (a thousandth of a core); got ${shown(iss.input)}`,
      }),
    memory: MemorySchema,
    accelerator: AcceleratorSchema.default({ type: 'none', count: 0 }),
  },
  'resources',
).meta({ id: 'JobResources', description: 'Resources of one node (instance) of the job' });
export type Resources = z.infer<typeof ResourcesSchema>;
