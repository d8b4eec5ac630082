import { z } from 'zod';
import { fieldError, shown, strictObject, wholeNumber } from './fieldErrors.js';
import { JOB_LIMITS } from './jobLimits.js';
import { ResourcesSchema } from './jobResources.js';
import { commonFields } from './jobSpecFields.js';

/*
 * The training job, engine-neutral: the local engine runs a JobSpec as process groups, the
 * Kubernetes engine maps the same JobSpec to Kubeflow / Kueue objects. Nothing here names either.
 */

export const JOB_MODES = ['ddp', 'mpi', 'horovod', 'deepspeed', 'ray', 'ps-worker'] as const;
export const JobModeSchema = z.enum(JOB_MODES);
export type JobMode = z.infer<typeof JobModeSchema>;

/** Modes whose instances are all alike: `nodes` of them. */
export const NODE_MODES = ['ddp', 'mpi', 'horovod', 'deepspeed'] as const;

const FOREIGN_FIELDS: Readonly<Record<string, string>> = {
  nodes:
    'nodes is for ddp, mpi, horovod and deepspeed jobs; a ps-worker job sets ps and workers, a ray job head and workerGroups',
  ps: 'ps is for ps-worker jobs; this mode does not use it',
  workers: 'workers is for ps-worker jobs; ddp, mpi, horovod and deepspeed set nodes, ray sets workerGroups',
  psResources: 'psResources is for ps-worker jobs; this mode does not use it',
  head: 'head is for ray jobs; this mode does not use it',
  workerGroups:
    'workerGroups is for ray jobs; ddp, mpi, horovod and deepspeed set nodes, ps-worker sets ps and workers',
};

function hintsFor(own: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(FOREIGN_FIELDS).filter(([k]) => !own.includes(k))), ...extra };
}

function checkInstanceTotal(total: number, path: string, ctx: z.RefinementCtx) {
  if (total > JOB_LIMITS.instances) {
    ctx.addIssue({
      code: 'custom',
      path: [path],
      input: total,
      message: `the job has ${total} instances in total; at most ${JOB_LIMITS.instances}`,
    });
  }
}

export const NodesJobSpecSchema = strictObject(
  {
    ...commonFields,
    mode: z.enum(NODE_MODES),
    /** Nodes (instances) of the job, each with `resources`. */
    nodes: wholeNumber('nodes', 1, JOB_LIMITS.instances).default(1),
    resources: ResourcesSchema,
  },
  'a job spec',
  hintsFor(['nodes']),
);

export const PsWorkerJobSpecSchema = strictObject(
  {
    ...commonFields,
    mode: z.literal('ps-worker'),
    ps: wholeNumber('ps', 1, JOB_LIMITS.instances).default(1),
    workers: wholeNumber('workers', 1, JOB_LIMITS.instances).default(1),
    /** Resources of each worker, and of each ps unless `psResources` is set. */
    resources: ResourcesSchema,
    psResources: ResourcesSchema.optional(),
  },
  'a job spec',
  hintsFor(['ps', 'workers', 'psResources']),
).superRefine((spec, ctx) => checkInstanceTotal(spec.ps + spec.workers, 'workers', ctx));

export const RayWorkerGroupSchema = strictObject(
  {
    /** Lowercase letters, digits and `-`, as Kubernetes names (the KubeRay group name) allow. */
    name: z
      .string({ error: fieldError('name', 'a group name such as cpu-workers') })
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
        error: (iss) =>
          `group name ${shown(iss.input)} must be lowercase letters, digits and -, starting and ending with a letter or digit`,
      }),
    replicas: wholeNumber('replicas', 1, JOB_LIMITS.instances).default(1),
    resources: ResourcesSchema,
  },
  'a worker group',
)
  .refine((group) => group.name.length <= JOB_LIMITS.rayGroupNameChars, {
    path: ['name'],
    message: `group name is longer than ${JOB_LIMITS.rayGroupNameChars} characters`,
  })
  .meta({ id: 'RayWorkerGroup' });
export type RayWorkerGroup = z.infer<typeof RayWorkerGroupSchema>;

export const RayJobSpecSchema = strictObject(
  {
    ...commonFields,
    mode: z.literal('ray'),
    head: strictObject({ resources: ResourcesSchema }, 'head'),
    workerGroups: z
      .array(RayWorkerGroupSchema, { error: fieldError('workerGroups', 'a list of { name, replicas, resources }') })
      .max(JOB_LIMITS.rayWorkerGroups, {
        error: (iss) =>
          `${Array.isArray(iss.input) ? iss.input.length : 'too many'} worker groups; a ray job has at most ${JOB_LIMITS.rayWorkerGroups}`,
      })
      .default([]),
  },
  'a job spec',
  hintsFor(['head', 'workerGroups'], {
    resources: 'a ray job sets head.resources and each workerGroups[].resources instead of resources',
  }),
).superRefine((spec, ctx) => {
  const seen = new Set<string>();
  for (const [i, group] of spec.workerGroups.entries()) {
    if (seen.has(group.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['workerGroups', i, 'name'],
        input: group.name,
        message: `worker group name ${shown(group.name)} is used twice; names must differ`,
      });
    }
    seen.add(group.name);
  }
  checkInstanceTotal(1 + spec.workerGroups.reduce((n, g) => n + g.replicas, 0), 'workerGroups', ctx);
});

function modeProblem(iss: { code?: string; input?: unknown }): string {
  if (iss.code === 'invalid_type') {
    return 'a job spec is a mapping of fields: name, mode, command, resources...';
  }
  const mode = (iss.input as { mode?: unknown } | undefined)?.mode;
  const modes = JOB_MODES.join(', ');
  return mode === undefined ? `mode is required: one of ${modes}` : `mode must be one of ${modes} (got ${shown(mode)})`;
}

/**
 * What a user submits. The per-mode topology is a union on `mode`, flat in the object as in
 * job.yaml: ddp / mpi / horovod / deepspeed set `nodes` and `resources`; ps-worker sets `ps`,
 * `workers`, `resources` (and optionally `psResources`); ray sets `head.resources` and up to 5
 * `workerGroups`.
 */
export const JobSpecSchema = z
  .discriminatedUnion('mode', [NodesJobSpecSchema, PsWorkerJobSpecSchema, RayJobSpecSchema], {
    error: (iss) => (iss.code === 'invalid_union' || iss.code === 'invalid_type' ? modeProblem(iss) : undefined),
  })
  .meta({ id: 'JobSpec' });
/** A validated spec, defaults filled in. */
export type JobSpec = z.output<typeof JobSpecSchema>;
/** What a caller may send (defaults optional). */
export type JobSpecInput = z.input<typeof JobSpecSchema>;
export type NodesJobSpec = Extract<JobSpec, { mode: 'ddp' | 'mpi' | 'horovod' | 'deepspeed' }>;
export type PsWorkerJobSpec = Extract<JobSpec, { mode: 'ps-worker' }>;
export type RayJobSpec = Extract<JobSpec, { mode: 'ray' }>;
