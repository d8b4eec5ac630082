import { z } from 'zod';
import { fieldError, shown, strictObject, wholeNumber } from './fieldErrors.js';
import { ResourcesSchema } from './jobResources.js';
import { commonFields } from './jobSpecFields.js';
import { WaitReasonSchema } from './jobs.js';
import { IdlePolicySchema } from './devMachineIdle.js';
import { DevMachineSshSchema, sshPublicKeySchema } from './sshKeys.js';
import { GitRepositoriesSchema, GitRepositoryStatusSchema } from './gitRepositories.js';

/*
 * Dev machines (TI-ONE 开发机, 慧聚 模型开发 instances): a named, resourced environment running
 * JupyterLab and/or code-server with /work mounted, started and stopped at will, reached only
 * through the platform's proxy. Engine-neutral: the local engine runs the IDEs as process groups,
 * the Kubernetes engine as a pod from `image`.
 */

export const DEV_MACHINE_IDES = ['jupyterlab', 'code-server'] as const;
export const DevMachineIdeSchema = z.enum(DEV_MACHINE_IDES, {
  error: fieldError('ide', 'jupyterlab or code-server'),
});
export type DevMachineIde = z.infer<typeof DevMachineIdeSchema>;

/** The path under a dev machine's proxy prefix (`/devmachines/<id>/<path>/`) where each IDE is served. */
export const DEV_MACHINE_IDE_PATHS: Readonly<Record<DevMachineIde, string>> = {
  jupyterlab: 'lab',
  'code-server': 'code',
};

const IdesSchema = z
  .array(DevMachineIdeSchema, { error: fieldError('ides', 'a list of IDEs, e.g. [jupyterlab, code-server]') })
  .min(1, 'ides is empty: run jupyterlab, code-server or both')
  .refine((ides) => new Set(ides).size === ides.length, {
    error: (iss) => `ides lists an IDE twice: ${shown(iss.input)}`,
  });

const EnvironmentSchema = z
  .string({ error: fieldError('environment', 'the path of a Python environment, e.g. /opt/conda/envs/torch') })
  .max(4096, 'environment is longer than 4096 characters')
  .regex(/^\/[^\0\n]*$/, {
    error: (iss) =>
      `environment must be the absolute path of a Python environment (a virtualenv or conda prefix), e.g. /opt/conda/envs/torch; got ${shown(iss.input)}`,
  });

const { name, description, tags, image, workingDir, env, priority, queue, engine } = commonFields;

export const DevMachineSpecSchema = strictObject(
  {
    name,
    description,
    tags,
    /** Container image; the Kubernetes engine runs it, the local engine too where it has a container runtime. */
    image,
    /** On the local engine: the Python environment the IDEs and their terminals and kernels use. */
    environment: EnvironmentSchema.optional(),
    resources: ResourcesSchema,
    env,
    ides: IdesSchema.default(['jupyterlab', 'code-server']),
    /** Where the IDEs open, relative to /work. */
    workingDir,
    /** The name of one of the owner's lifecycle configs: scripts run before the IDEs start. */
    lifecycleConfig: commonFields.name.optional(),
    /** Stop by itself after this many hours of running (TI-ONE's 自动停止), warned 10 minutes before. */
    autoStop: strictObject(
      { afterHours: wholeNumber('autoStop.afterHours', 1, 24, ' (hours of running before it stops)') },
      'autoStop',
    ).optional(),
    /** Stop once idle (utilisation under thresholds, no activity) for a while. */
    idlePolicy: IdlePolicySchema.optional(),
    /** An SSH server for this machine, opened by the owner's SSH keys and the keys listed here. */
    ssh: strictObject(
      {
        enabled: z.boolean({ error: fieldError('ssh.enabled', 'true or false') }),
        publicKeys: z
          .array(sshPublicKeySchema('ssh.publicKeys'), { error: fieldError('ssh.publicKeys', 'a list of public keys') })
          .max(20, 'ssh.publicKeys lists more than 20 keys')
          .optional(),
      },
      'ssh',
    ).optional(),
    /** Cloned into the working dir at the first start (at most 3). */
    repositories: GitRepositoriesSchema.optional(),
    priority,
    queue,
    engine,
  },
  'a dev machine spec',
).meta({ id: 'DevMachineSpec' });
export type DevMachineSpec = z.infer<typeof DevMachineSpecSchema>;
export type DevMachineSpecInput = z.input<typeof DevMachineSpecSchema>;

export const DEV_MACHINE_STATES = ['Creating', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed'] as const;
export const DevMachineStateSchema = z.enum(DEV_MACHINE_STATES);
export type DevMachineState = z.infer<typeof DevMachineStateSchema>;

/** The moves a dev machine makes; a start from Stopped or Failed goes through Starting again. */
export const DEV_MACHINE_TRANSITIONS: Readonly<Record<DevMachineState, readonly DevMachineState[]>> = {
  Creating: ['Starting', 'Stopping', 'Failed'],
  Starting: ['Running', 'Stopping', 'Failed'],
  Running: ['Stopping', 'Failed'],
  Stopping: ['Stopped', 'Failed'],
  Stopped: ['Starting'],
  Failed: ['Starting'],
};

export function canDevMachineMove(from: DevMachineState, to: DevMachineState): boolean {
  return DEV_MACHINE_TRANSITIONS[from].includes(to);
}

export const DevMachineIdSchema = z.string().regex(/^dm-[a-z0-9]{6,32}$/, 'dev machine id looks like dm-1a2b3c4d');

export const DevMachineFailureSchema = z
  .object({
    /** For people: what happened and, where possible, what to do. */
    message: z.string(),
    /** The IDE at fault, when one is. */
    ide: DevMachineIdeSchema.optional(),
    exitCode: z.number().int().optional(),
    signal: z.string().optional(),
  })
  .meta({ id: 'DevMachineFailure' });
export type DevMachineFailure = z.infer<typeof DevMachineFailureSchema>;

export const DevMachineSchema = z
  .object({
    id: DevMachineIdSchema,
    owner: z.string(),
    spec: DevMachineSpecSchema,
    state: DevMachineStateSchema,
    /** ISO 8601. */
    createdAt: z.string(),
    startedAt: z.string().optional(),
    stoppedAt: z.string().optional(),
    /** Why a Starting dev machine waits (its queue has no room for its resources yet). */
    waitReason: WaitReasonSchema.optional(),
    /** Why it failed (state Failed). */
    failure: DevMachineFailureSchema.optional(),
    /** Its lifecycle config's on-create script has run to the end (it runs at the first start only). */
    created: z.boolean().optional(),
    /** Hours added to this run's auto-stop by snoozes (one each). */
    snoozes: z.number().int().nonnegative().optional(),
    /** When a running machine with `autoStop` stops by itself (ISO 8601): its start, plus the hours, plus the snoozes. */
    autoStopAt: z.string().optional(),
    /** How to reach it with SSH, while it runs with SSH enabled. */
    ssh: DevMachineSshSchema.optional(),
    /** How the clone of each repository of the spec went (after the first start). */
    repositories: z.array(GitRepositoryStatusSchema).optional(),
    /** Where each IDE of the spec is served, as paths on the platform's server (`/devmachines/<id>/lab/`). */
    urls: z.partialRecord(DevMachineIdeSchema, z.string()),
  })
  .meta({ id: 'DevMachine' });
export type DevMachine = z.infer<typeof DevMachineSchema>;

/** The proxy paths of a dev machine's IDEs. */
export function devMachineUrls(id: string, ides: readonly DevMachineIde[]): DevMachine['urls'] {
  return Object.fromEntries(ides.map((ide) => [ide, `/devmachines/${id}/${DEV_MACHINE_IDE_PATHS[ide]}/`]));
}

export const DEV_MACHINE_EVENT_TYPES = [
  'created',
  'queued',
  'starting',
  'ide-started',
  'ide-exited',
  'running',
  'script-started',
  'script-succeeded',
  'script-failed',
  'scripts-skipped',
  'repository-cloned',
  'repository-failed',
  'ssh-started',
  'auto-stop-warning',
  'auto-stop-snoozed',
  'stop-requested',
  'stopped',
  'failed',
] as const;
export const DevMachineEventSchema = z
  .object({
    /** ISO 8601. */
    time: z.string(),
    type: z.enum(DEV_MACHINE_EVENT_TYPES),
    message: z.string(),
    ide: DevMachineIdeSchema.optional(),
    /** The dev machine's state after the event, for state changes. */
    state: DevMachineStateSchema.optional(),
  })
  .meta({ id: 'DevMachineEvent' });
export type DevMachineEvent = z.infer<typeof DevMachineEventSchema>;

export const DevMachineIdParamsSchema = z.object({ id: DevMachineIdSchema });

export const DevMachineListResponseSchema = z
  .object({ devMachines: z.array(DevMachineSchema) })
  .meta({ id: 'DevMachineList' });
export type DevMachineListResponse = z.infer<typeof DevMachineListResponseSchema>;

/** Create a dev machine; it starts at once unless `start` is false. */
export const CreateDevMachineBodySchema = z.object({
  spec: DevMachineSpecSchema,
  start: z.boolean().default(true),
});

export const StartDevMachineBodySchema = z.object({
  /** Skip the lifecycle config's scripts this once: to repair a machine whose script breaks its start. */
  safeMode: z.boolean().default(false),
});

export const StopDevMachineBodySchema = z.object({
  /** Skip the grace period: SIGKILL (or delete) at once instead of SIGTERM first. */
  force: z.boolean().default(false),
});

/** A dev machine's spec under a new name, for editing and creating another one. */
export const CopyDevMachineResponseSchema = z.object({ spec: DevMachineSpecSchema });

export const DeleteDevMachineResponseSchema = z.object({ deleted: DevMachineIdSchema });

export const DevMachineEventsResponseSchema = z
  .object({ events: z.array(DevMachineEventSchema) })
  .meta({ id: 'DevMachineEvents' });

/** The `devmachines` topic (`devmachines/<id>` for one): a dev machine changed or was deleted. */
export const DevMachineChangeSchema = z.union([
  z.object({ change: z.literal('updated'), devMachine: DevMachineSchema }),
  z.object({ change: z.literal('deleted'), id: DevMachineIdSchema }),
]);
export type DevMachineChange = z.infer<typeof DevMachineChangeSchema>;
