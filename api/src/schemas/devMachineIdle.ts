import { z } from 'zod';
import { fieldError, strictObject, wholeNumber } from './fieldErrors.js';

/*
 * A dev machine's idle policy (SageMaker's and PAI's idle shutdown, with TI-ONE's thresholds): it
 * stops once every signal that counts has been idle for `forMinutes`; "why not idle" shows each
 * signal's value and whether it counts.
 */

/** The tag of a job submitted from a dev machine (its id): the machine's idle policy waits for it. */
export const DEV_MACHINE_JOB_TAG = 'devmachine';

const percent = (field: string) =>
  z
    .number({ error: fieldError(field, 'a percentage from 0 to 100') })
    .min(0, { error: fieldError(field, 'a percentage from 0 to 100') })
    .max(100, { error: fieldError(field, 'a percentage from 0 to 100') })
    .optional();

export const IdlePolicySchema = strictObject(
  {
    /** Utilisation below these (percent) is idle; a metric left out is not looked at. */
    thresholds: strictObject(
      {
        cpuPercent: percent('idlePolicy.thresholds.cpuPercent'),
        memoryPercent: percent('idlePolicy.thresholds.memoryPercent'),
        acceleratorPercent: percent('idlePolicy.thresholds.acceleratorPercent'),
      },
      'idlePolicy.thresholds',
    ).default({}),
    /** `all`: idle when every metric with a threshold is below it; `any`: when one is. */
    combine: z.enum(['all', 'any'], { error: fieldError('idlePolicy.combine', 'all or any') }).default('all'),
    /** How long the machine must stay idle before it stops. */
    forMinutes: wholeNumber('idlePolicy.forMinutes', 1, 1440, ' (minutes)'),
    /** Processes whose CPU and memory do not count (e.g. a sync daemon that never rests). */
    excludeProcesses: z
      .array(z.string().min(1).max(64), { error: fieldError('idlePolicy.excludeProcesses', 'a list of process names') })
      .max(50)
      .default([]),
    /** Which activity signals keep the machine up. */
    activity: strictObject(
      {
        kernels: z.boolean().default(true),
        terminals: z.boolean().default(true),
        codeServer: z.boolean().default(true),
        jobs: z.boolean().default(true),
      },
      'idlePolicy.activity',
    ).default({ kernels: true, terminals: true, codeServer: true, jobs: true }),
  },
  'idlePolicy',
).meta({ id: 'IdlePolicy' });
export type IdlePolicy = z.infer<typeof IdlePolicySchema>;

export const IDLE_SIGNAL_NAMES = [
  'cpu',
  'memory',
  'accelerator',
  'kernels',
  'terminals',
  'code-server',
  'jobs',
] as const;
export type IdleSignalName = (typeof IDLE_SIGNAL_NAMES)[number];

export const IdleSignalSchema = z
  .object({
    name: z.enum(IDLE_SIGNAL_NAMES),
    /** The current value, as a person reads it: `3.2%`, `1 busy, 2 connected`, `last heartbeat 4 min ago`. */
    value: z.string(),
    /** Whether the policy looks at it. */
    counts: z.boolean(),
    /** Idle by this signal alone (signals that do not count are reported idle). */
    idle: z.boolean(),
  })
  .meta({ id: 'IdleSignal' });
export type IdleSignal = z.infer<typeof IdleSignalSchema>;

/** "Why not idle": the last look at a running dev machine under its policy. */
export const DevMachineIdleSchema = z
  .object({
    policy: IdlePolicySchema.optional(),
    /** When it was last looked at (ISO 8601); absent before the first look. */
    sampledAt: z.string().optional(),
    idle: z.boolean(),
    /** Since when it has been idle without a break (ISO 8601). */
    idleSince: z.string().optional(),
    /** When it stops if it stays idle (ISO 8601). */
    stopsAt: z.string().optional(),
    signals: z.array(IdleSignalSchema),
  })
  .meta({ id: 'DevMachineIdle' });
export type DevMachineIdle = z.infer<typeof DevMachineIdleSchema>;

/** Whether a signal keeps its machine up: it counts under the policy and is not idle. */
export function keepsMachineUp(signal: Pick<IdleSignal, 'counts' | 'idle'>): boolean {
  return signal.counts && !signal.idle;
}
