import { z } from 'zod';
import { JobIdSchema } from './jobIdentifiers.js';
import type { Resources } from './jobResources.js';
import type { JobMode, JobSpec } from './jobSpec.js';

export const InstanceRoleSchema = z.enum(['node', 'ps', 'worker', 'head', 'ray-worker']);
export type InstanceRole = z.infer<typeof InstanceRoleSchema>;

/** A run of alike instances of a job. */
export interface InstanceGroup {
  role: InstanceRole;
  /** Ray worker group name. */
  group?: string;
  replicas: number;
  resources: Resources;
}

/**
 * The instances a spec asks for, in index order: the nodes; ps before workers; the Ray head
 * (RANK 0) then each worker group in order. Both engines and the scheduler count from this.
 */
export function instanceGroups(spec: JobSpec): InstanceGroup[] {
  switch (spec.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return [{ role: 'node', replicas: spec.nodes, resources: spec.resources }];
    case 'ps-worker':
      return [
        { role: 'ps', replicas: spec.ps, resources: spec.psResources ?? spec.resources },
        { role: 'worker', replicas: spec.workers, resources: spec.resources },
      ];
    case 'ray':
      return [
        { role: 'head', replicas: 1, resources: spec.head.resources },
        ...spec.workerGroups.map((g) => ({
          role: 'ray-worker' as const,
          group: g.name,
          replicas: g.replicas,
          resources: g.resources,
        })),
      ];
  }
}

/**
 * Modes whose command runs on the launcher only (TI-ONE's Horovod; DeepSpeed, whose `deepspeed`
 * launcher starts the ranks over its hostfile): instance 0 runs it, and the
 * other instances wait (`sleep infinity` in TI-ONE's words) as hosts for the processes the
 * launcher starts on them. The job ends with the launcher's result; the waiting instances are
 * stopped then. In every other mode each instance runs the command.
 */
export const LAUNCHER_ONLY_MODES: readonly JobMode[] = ['horovod', 'deepspeed'];

/** Whether instance `index` of a job of this mode runs the job's command (or waits for the launcher). */
export function runsCommand(mode: JobMode, index: number): boolean {
  return index === 0 || !LAUNCHER_ONLY_MODES.includes(mode);
}

export function instanceCount(spec: JobSpec): number {
  return instanceGroups(spec).reduce((n, g) => n + g.replicas, 0);
}

export const INSTANCE_STATES = ['Pending', 'Starting', 'Running', 'Succeeded', 'Failed', 'Stopped'] as const;
export const InstanceStateSchema = z.enum(INSTANCE_STATES);
export type InstanceState = z.infer<typeof InstanceStateSchema>;

export const InstanceSchema = z
  .object({
    jobId: JobIdSchema,
    /** 0-based, in `instanceGroups` order; the INDEX variable. */
    index: z.number().int().nonnegative(),
    role: InstanceRoleSchema,
    /** Ray worker group name. */
    group: z.string().optional(),
    /** `role-n`, n counted within the role, e.g. `worker-1`. */
    name: z.string(),
    state: InstanceStateSchema,
    /** Where it runs: the address others reach it at (127.0.0.1 on the local engine). */
    host: z.string().optional(),
    /** The scheduler node (local) or cluster node (Kubernetes) it was placed on. */
    node: z.string().optional(),
    /** Process group id on the local engine. */
    pid: z.number().int().positive().optional(),
    /** The pod that runs it on the Kubernetes engine. */
    pod: z.string().optional(),
    exitCode: z.number().int().optional(),
    signal: z.string().optional(),
    /** Accelerator device ordinals it sees. */
    devices: z.array(z.number().int().nonnegative()).optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'JobInstance' });
export type Instance = z.infer<typeof InstanceSchema>;
