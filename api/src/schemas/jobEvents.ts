import { z } from 'zod';
import { JobStateSchema } from './jobStates.js';

export const JOB_EVENT_TYPES = [
  'submitted',
  'queued',
  'scheduled',
  'started',
  'instance-started',
  'instance-exited',
  'preempted',
  'restarting',
  'stop-requested',
  'stopped',
  'succeeded',
  'failed',
  'engine',
  'warning',
] as const;
export const JobEventTypeSchema = z.enum(JOB_EVENT_TYPES);
export type JobEventType = z.infer<typeof JobEventTypeSchema>;

export const JobEventSchema = z
  .object({
    /** ISO 8601. */
    time: z.string(),
    type: JobEventTypeSchema,
    message: z.string(),
    /** The instance concerned, when one is. */
    instance: z.number().int().nonnegative().optional(),
    /** The job's state after the event, for state changes. */
    state: JobStateSchema.optional(),
  })
  .meta({ id: 'JobEvent' });
export type JobEvent = z.infer<typeof JobEventSchema>;
