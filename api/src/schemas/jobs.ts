import { z } from 'zod';
import { EngineKindSchema, RootNameSchema } from './system.js';

/*
 * The training job, engine-neutral: the local engine runs a JobSpec as process groups, the
 * Kubernetes engine maps the same JobSpec to Kubeflow / Kueue objects. Nothing here names either.
 *
 * Every rule of the spec reports an issue whose path names the field (`resources.accelerator.count`)
 * and whose message tells the user what to write instead: these messages reach people editing a
 * job.yaml, through the API's 400s, the CLI and both extensions.
 */

// ---- limits and defaults ----------------------------------------------------------------------

/** Every bound of a JobSpec, for forms and docs as much as for validation. */
export const JOB_LIMITS = {
  nameChars: 60,
  descriptionChars: 500,
  commandChars: 8192,
  tags: 20,
  tagKeyChars: 63,
  tagValueChars: 256,
  envVars: 200,
  envNameChars: 256,
  envValueChars: 32 * 1024,
  hyperparametersBytes: 64 * 1024,
  imageChars: 512,
  /** Instances of one job in total (nodes; ps + workers; head + every worker group's replicas). */
  instances: 1024,
  rayWorkerGroups: 5,
  rayGroupNameChars: 40,
  maxRestarts: 10,
  cpuPerNode: 1024,
  acceleratorsPerNode: 64,
  /** Smallest fraction of one accelerator a node may ask for. */
  minAcceleratorShare: 0.1,
  memoryMinBytes: 1_000_000,
  memoryMaxBytes: 2 ** 50,
  queueNameChars: 63,
  /** job.yaml text accepted by `parseJobYaml` and the create body. */
  yamlChars: 256 * 1024,
} as const;

/**
 * 0 is the highest priority, 9 the lowest. New jobs sit in the middle so a user can move a job
 * either way without touching the others (the issue's example sets 0 explicitly).
 */
export const DEFAULT_JOB_PRIORITY = 5;
export const DEFAULT_JOB_QUEUE = 'default';
/** The user's home root; `workingDir` is a path relative to /work. */
export const DEFAULT_WORKING_DIR = 'home';

// ---- message helpers --------------------------------------------------------------------------

interface IssueLike {
  input?: unknown;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `x is required` when the field is missing, `x must be <expected> (got ...)` otherwise. */
function fieldError(field: string, expected: string) {
  return (iss: IssueLike) =>
    iss.input === undefined ? `${field} is required` : `${field} must be ${expected} (got ${shown(iss.input)})`;
}

function wholeNumber(field: string, min: number, max: number, note = '') {
  const expected = `a whole number from ${min} to ${max}${note}`;
  const error = fieldError(field, expected);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function normalisedKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * An object that names each unknown field in its own issue (`nodes: ...` rather than a list at the
 * parent). `label` names it in type errors; `hints` explain fields that belong to another mode; near-misses (`working_dir`) get a
 * "did you mean".
 */
function strictObject<S extends z.ZodRawShape>(shape: S, label: string, hints: Readonly<Record<string, string>> = {}) {
  const known = Object.keys(shape);
  const error = fieldError(label, `a mapping of ${known.join(', ')}`);
  return z.looseObject(shape, { error }).superRefine(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null) return;
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const near = known.find((k) => normalisedKey(k) === normalisedKey(key));
        const message =
          hints[key] ??
          (near
            ? `unknown field "${key}": did you mean "${near}"?`
            : `unknown field "${key}"; the fields here are ${known.join(', ')}`);
        ctx.addIssue({ code: 'custom', path: [key], message, input: (value as Record<string, unknown>)[key] });
      }
    },
    { when: () => true },
  );
}

// ---- memory -----------------------------------------------------------------------------------

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
 * Bytes of a memory amount: a Kubernetes quantity (`2Gi`, `512Mi`, `1G`, `1.5Gi`) or a number of
 * bytes. Fractions of a byte round up, as Kubernetes does. `undefined` when it is not one.
 */
export function parseMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
  const match = MEMORY_QUANTITY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const unit = MEMORY_UNITS[match[2] ?? ''];
  if (unit === undefined) return undefined;
  return Math.ceil(Number(match[1]) * unit);
}

const MEMORY_HINT = 'a Kubernetes quantity such as 512Mi, 2Gi or 1G, or a number of bytes';

export const MemorySchema = z
  .union([z.string(), z.number()], { error: fieldError('memory', MEMORY_HINT) })
  .superRefine((value, ctx) => {
    const bytes = parseMemory(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', input: value, message: `memory must be ${MEMORY_HINT} (got ${shown(value)})` });
    } else if (bytes < JOB_LIMITS.memoryMinBytes) {
      ctx.addIssue({
        code: 'custom',
        input: value,
        message: `memory ${shown(value)} is below 1M; a bare number counts bytes, so write 512Mi for 512 mebibytes`,
      });
    } else if (bytes > JOB_LIMITS.memoryMaxBytes) {
      ctx.addIssue({ code: 'custom', input: value, message: `memory ${shown(value)} is more than 1Pi per node` });
    }
  })
  .meta({ description: `Memory per node: ${MEMORY_HINT}` });

// ---- resources --------------------------------------------------------------------------------

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

// ---- common fields ----------------------------------------------------------------------------

/** Letters (any script, Chinese included), digits, `_` and `-`, starting with a letter or digit. */
export const JOB_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,59}$/u;

function nameProblem(input: unknown): string {
  if (input === undefined) return 'name is required';
  if (typeof input !== 'string') return `name must be text (got ${shown(input)})`;
  const chars = [...input];
  if (chars.length === 0) return 'name is empty: give the job a name, e.g. mnist-ddp';
  if (chars.length > JOB_LIMITS.nameChars) {
    return `name is ${chars.length} characters; at most ${JOB_LIMITS.nameChars}`;
  }
  if (!/^[\p{L}\p{N}]/u.test(input)) return `name must start with a letter or digit (got ${shown(chars[0])})`;
  const bad = chars.find((c) => !/^[\p{L}\p{N}_-]$/u.test(c));
  return `name may contain only letters (Chinese included), digits, _ and -; ${shown(bad ?? input)} is not allowed`;
}

export const JobNameSchema = z
  .string({ error: (iss) => nameProblem(iss.input) })
  .regex(JOB_NAME_PATTERN, { error: (iss) => nameProblem(iss.input) });

export const JobIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'job id must be 1-64 letters, digits, _, . or -');

const CommandSchema = z
  .string({ error: fieldError('command', 'shell text') })
  .max(JOB_LIMITS.commandChars, {
    error: (iss) =>
      `command is ${String(iss.input).length} characters; at most ${JOB_LIMITS.commandChars} (move long scripts into a file and run that)`,
  })
  .refine((command) => command.trim().length > 0, 'command is empty: write the shell command each node runs')
  .meta({ description: 'Shell command (may span lines) run by every node, in workingDir' });

const WorkingDirSchema = z
  .string({ error: fieldError('workingDir', 'a path relative to /work, e.g. home/mnist') })
  .max(4096, 'workingDir is longer than 4096 characters')
  .superRefine((dir, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', input: dir, message });
    if (dir.startsWith('/')) {
      const relative = dir.replace(/^\/work(\/|$)/, '') || 'home/...';
      return issue(`workingDir is relative to /work: write ${shown(relative)}, not ${shown(dir)}`);
    }
    const segments = dir.split('/');
    const roots = RootNameSchema.options as readonly string[];
    if (!roots.includes(segments[0] ?? '')) {
      return issue(`workingDir must start with one of ${roots.join(', ')} (e.g. home/mnist); got ${shown(dir)}`);
    }
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
      issue(`workingDir must be a plain path such as home/mnist, without empty, . or .. parts; got ${shown(dir)}`);
    }
  })
  .meta({ description: 'Where the command runs, relative to /work (home/..., cache/... or mount/...)' });

const TAG_KEY_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_.\-/]*$/u;

const TagsSchema = z
  .record(z.string(), z.string({ error: fieldError('tag value', 'text; quote numbers, e.g. version: "2"') }), {
    error: fieldError('tags', 'a mapping of keys to values, e.g. { team: vision }'),
  })
  .superRefine(
    (tags, ctx) => {
      if (typeof tags !== 'object' || tags === null) return;
      const keys = Object.keys(tags);
      if (keys.length > JOB_LIMITS.tags) {
        ctx.addIssue({ code: 'custom', input: tags, message: `${keys.length} tags; at most ${JOB_LIMITS.tags}` });
      }
      for (const key of keys) {
        const value = tags[key];
        if ([...key].length > JOB_LIMITS.tagKeyChars || !TAG_KEY_PATTERN.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            input: key,
            message: `tag key ${shown(key)} must be 1-${JOB_LIMITS.tagKeyChars} letters, digits, _, ., - or /, starting with a letter or digit`,
          });
        } else if (typeof value === 'string' && [...value].length > JOB_LIMITS.tagValueChars) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            input: value,
            message: `tag ${key} is longer than ${JOB_LIMITS.tagValueChars} characters`,
          });
        }
      }
    },
    { when: () => true },
  );

/**
 * Variables the platform sets in every instance (TI-ONE compatible, see ARCHITECTURE.md), in any
 * mode: a spec may not set them, so a job keeps its meaning when copied to another mode or engine.
 * Everything starting with `AIPLAT_` is reserved too.
 */
export const PLATFORM_ENV_NAMES: readonly string[] = [
  'NODE_LIST',
  'INDEX',
  'GPU_NUM',
  'GPU_NUM_PER_NODE',
  'HYPERPARAMETERS_PATH',
  'PYTHONUNBUFFERED',
  'CUDA_VISIBLE_DEVICES',
  'ASCEND_RT_VISIBLE_DEVICES',
  'MASTER_ADDR',
  'MASTER_PORT',
  'WORLD_SIZE',
  'RANK',
  'OMPI_MCA_orte_default_hostfile',
  'NODE_IP_SLOT_LIST',
  'TF_CONFIG',
  'HEAD_ADDR',
  'HEAD_PORT',
];
export const PLATFORM_ENV_PREFIX = 'AIPLAT_';

export function isPlatformEnvName(name: string): boolean {
  return name.startsWith(PLATFORM_ENV_PREFIX) || PLATFORM_ENV_NAMES.includes(name);
}

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const EnvSchema = z
  .record(z.string(), z.string({ error: fieldError('env value', 'text; quote numbers, e.g. EPOCHS: "2"') }), {
    error: fieldError('env', 'a mapping of variable names to values, e.g. { EPOCHS: "2" }'),
  })
  .superRefine(
    (env, ctx) => {
      if (typeof env !== 'object' || env === null) return;
      const names = Object.keys(env);
      if (names.length > JOB_LIMITS.envVars) {
        ctx.addIssue({
          code: 'custom',
          input: env,
          message: `${names.length} variables; at most ${JOB_LIMITS.envVars}`,
        });
      }
      for (const name of names) {
        const value = env[name];
        let message: string | undefined;
        if (!ENV_NAME_PATTERN.test(name) || name.length > JOB_LIMITS.envNameChars) {
          message = `${shown(name)} is not a valid variable name: use letters, digits and _, not starting with a digit`;
        } else if (isPlatformEnvName(name)) {
          message = `${name} is set by the platform in every instance and cannot be overridden; use another name`;
        } else if (typeof value === 'string' && value.length > JOB_LIMITS.envValueChars) {
          message = `${name} is longer than ${JOB_LIMITS.envValueChars} characters; put large values in a file`;
        }
        if (message) ctx.addIssue({ code: 'custom', path: [name], input: value, message });
      }
    },
    { when: () => true },
  );

/** Where a value is not plain JSON (NaN, Infinity, a function...), its path; `undefined` if it is. */
function nonJsonPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = nonJsonPath(item, [...path, i]);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = nonJsonPath(item, [...path, key]);
      if (bad) return bad;
    }
    return undefined;
  }
  return path;
}

const HyperparametersSchema = z
  .record(z.string(), z.unknown(), {
    error: fieldError('hyperparameters', 'a mapping of names to JSON values, e.g. { lr: 0.01 }'),
  })
  .superRefine((params, ctx) => {
    const bad = nonJsonPath(params);
    if (bad) {
      ctx.addIssue({ code: 'custom', path: bad, input: params, message: 'must be a JSON value (no NaN or Infinity)' });
      return;
    }
    const bytes = new TextEncoder().encode(JSON.stringify(params)).length;
    if (bytes > JOB_LIMITS.hyperparametersBytes) {
      ctx.addIssue({
        code: 'custom',
        input: params,
        message: `hyperparameters are ${bytes} bytes as JSON; at most ${JOB_LIMITS.hyperparametersBytes} (put large configs in a file under /work)`,
      });
    }
  })
  .meta({ description: 'JSON object written to the hyperparameters file every instance reads' });

export const AutoRestartSchema = strictObject(
  {
    maxRestarts: wholeNumber('maxRestarts', 0, JOB_LIMITS.maxRestarts).default(0),
  },
  'autoRestart',
).meta({ id: 'AutoRestart', description: 'Re-run the job after a failure, at most maxRestarts times' });

const QueueNameSchema = z
  .string({ error: fieldError('queue', 'a resource group name') })
  .regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, {
    error: (iss) =>
      `queue ${shown(iss.input)} must be 1-63 letters, digits, _, . or -, starting and ending with a letter or digit`,
  });

const ImageSchema = z
  .string({ error: fieldError('image', 'a container image reference, e.g. pytorch:2.3') })
  .max(JOB_LIMITS.imageChars, `image is longer than ${JOB_LIMITS.imageChars} characters`)
  .regex(/^[^\s]+$/, 'image must be one image reference without spaces, e.g. pytorch:2.3');

/** Fields every mode shares. */
const commonFields = {
  name: JobNameSchema,
  description: z
    .string({ error: fieldError('description', 'text') })
    .max(JOB_LIMITS.descriptionChars, `description is longer than ${JOB_LIMITS.descriptionChars} characters`)
    .optional(),
  tags: TagsSchema.default({}),
  /** Container image; the Kubernetes engine runs it, the local engine records it. */
  image: ImageSchema.optional(),
  command: CommandSchema,
  workingDir: WorkingDirSchema.default(DEFAULT_WORKING_DIR),
  env: EnvSchema.default({}),
  hyperparameters: HyperparametersSchema.default({}),
  autoRestart: AutoRestartSchema.default({ maxRestarts: 0 }),
  priority: wholeNumber('priority', 0, 9, ' (0 is the highest)').default(DEFAULT_JOB_PRIORITY),
  queue: QueueNameSchema.default(DEFAULT_JOB_QUEUE),
  /** Which engine runs the job; the server's default when left out. */
  engine: EngineKindSchema.optional(),
};

// ---- per-mode topology ------------------------------------------------------------------------

export const JOB_MODES = ['ddp', 'mpi', 'horovod', 'ray', 'ps-worker'] as const;
export const JobModeSchema = z.enum(JOB_MODES);
export type JobMode = z.infer<typeof JobModeSchema>;

/** Modes whose instances are all alike: `nodes` of them. */
export const NODE_MODES = ['ddp', 'mpi', 'horovod'] as const;

const FOREIGN_FIELDS: Readonly<Record<string, string>> = {
  nodes: 'nodes is for ddp, mpi and horovod jobs; a ps-worker job sets ps and workers, a ray job head and workerGroups',
  ps: 'ps is for ps-worker jobs; this mode does not use it',
  workers: 'workers is for ps-worker jobs; ddp, mpi and horovod set nodes, ray sets workerGroups',
  psResources: 'psResources is for ps-worker jobs; this mode does not use it',
  head: 'head is for ray jobs; this mode does not use it',
  workerGroups: 'workerGroups is for ray jobs; ddp, mpi and horovod set nodes, ps-worker sets ps and workers',
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
 * job.yaml: ddp / mpi / horovod set `nodes` and `resources`; ps-worker sets `ps`, `workers`,
 * `resources` (and optionally `psResources`); ray sets `head.resources` and up to 5 `workerGroups`.
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
export type NodesJobSpec = Extract<JobSpec, { mode: 'ddp' | 'mpi' | 'horovod' }>;
export type PsWorkerJobSpec = Extract<JobSpec, { mode: 'ps-worker' }>;
export type RayJobSpec = Extract<JobSpec, { mode: 'ray' }>;

// ---- instances of a spec ----------------------------------------------------------------------

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

export function instanceCount(spec: JobSpec): number {
  return instanceGroups(spec).reduce((n, g) => n + g.replicas, 0);
}

// ---- states -----------------------------------------------------------------------------------

export const JOB_STATES = [
  'Submitting',
  'Queued',
  'Starting',
  'Running',
  'Succeeded',
  'Failed',
  'Stopping',
  'Stopped',
] as const;
export const JobStateSchema = z.enum(JOB_STATES, {
  error: (iss) => `state must be one of ${JOB_STATES.join(', ')} (got ${shown(iss.input)})`,
});
export type JobState = z.infer<typeof JobStateSchema>;

export const TERMINAL_JOB_STATES: readonly JobState[] = ['Succeeded', 'Failed', 'Stopped'];

export function isTerminalJobState(state: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}

/**
 * Every allowed state change. Notes: a preempted job goes back to Queued (from Starting or
 * Running); an auto-restart re-runs through Queued or Starting; a stop of a job that holds nothing
 * yet (Submitting, Queued) goes straight to Stopped; "start again" takes a finished job back to
 * Submitting under the same id.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  Submitting: ['Queued', 'Failed', 'Stopped'],
  Queued: ['Starting', 'Failed', 'Stopping', 'Stopped'],
  Starting: ['Running', 'Queued', 'Failed', 'Stopping'],
  Running: ['Succeeded', 'Failed', 'Stopping', 'Queued', 'Starting'],
  Stopping: ['Stopped', 'Failed'],
  Succeeded: ['Submitting'],
  Failed: ['Submitting'],
  Stopped: ['Submitting'],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export const FAILURE_KINDS = [
  /** An instance exited non-zero (`instance`, `exitCode`, maybe `signal`). */
  'exit-code',
  /** An instance ran out of memory (OOM-killed). */
  'oom',
  /** Preempted by a higher-priority job and not requeued. */
  'preempted',
  /** It failed again after `autoRestart.maxRestarts` restarts. */
  'restart-limit',
  /** Its processes or pods vanished (backend restart with nothing to re-adopt, node lost). */
  'lost',
  /** An instance could not be started (missing working dir, bad image...). */
  'start-failed',
  /** It can never fit the queue's capacity. */
  'unschedulable',
  /** The engine refused or failed (e.g. a missing CRD). */
  'engine-error',
] as const;
export const FailureKindSchema = z.enum(FAILURE_KINDS);
export type FailureKind = z.infer<typeof FailureKindSchema>;

export const FailureReasonSchema = z
  .object({
    kind: FailureKindSchema,
    /** For people: what happened and, where possible, what to do. */
    message: z.string(),
    /** Index of the instance at fault. */
    instance: z.number().int().nonnegative().optional(),
    exitCode: z.number().int().optional(),
    /** Signal that ended the instance, e.g. `SIGKILL`. */
    signal: z.string().optional(),
  })
  .meta({ id: 'FailureReason' });
export type FailureReason = z.infer<typeof FailureReasonSchema>;

// ---- jobs, instances, events, logs ------------------------------------------------------------

export const JobProgressSchema = z
  .object({
    percent: z.number().min(0).max(100).optional(),
    step: z.number().int().nonnegative().optional(),
    totalSteps: z.number().int().nonnegative().optional(),
    epoch: z.number().int().nonnegative().optional(),
    totalEpochs: z.number().int().nonnegative().optional(),
    etaSeconds: z.number().nonnegative().optional(),
    /** ISO 8601 time of the log line the progress was read from. */
    updatedAt: z.string().optional(),
  })
  .meta({ id: 'JobProgress' });
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** Why a queued job has not started. */
export const WaitReasonSchema = z
  .object({
    /** The resource that is short, when one is. */
    resource: z.enum(['cpu', 'memory', 'accelerator', 'nodes']).optional(),
    /** The job it waits behind (strict FIFO, or a preemption in progress). */
    behind: JobIdSchema.optional(),
    /** For people, e.g. "needs 2 nvidia on one node; at most 1 free". */
    message: z.string(),
  })
  .meta({ id: 'WaitReason' });
export type WaitReason = z.infer<typeof WaitReasonSchema>;

export const JobSchema = z
  .object({
    id: JobIdSchema,
    spec: JobSpecSchema,
    state: JobStateSchema,
    /** Set when `state` is Failed. */
    reason: FailureReasonSchema.optional(),
    /** Who submitted it. */
    user: z.string(),
    /** The engine that runs it. */
    engine: EngineKindSchema,
    /** ISO 8601 times. */
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** Automatic restarts so far (reset by "start again"). */
    restarts: z.number().int().nonnegative(),
    /** 1-based place among the waiting jobs of its queue, while Queued. */
    queuePosition: z.number().int().positive().optional(),
    waitReason: WaitReasonSchema.optional(),
    progress: JobProgressSchema.optional(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof JobSchema>;

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

export const LogStreamSchema = z.enum(['stdout', 'stderr', 'platform']);
export type LogStream = z.infer<typeof LogStreamSchema>;

export const LogLineSchema = z
  .object({
    /** ISO 8601 time the line was read. */
    time: z.string(),
    instance: z.number().int().nonnegative(),
    /** `platform` lines are the platform's own (start, exit, restart), kept apart from the program's. */
    stream: LogStreamSchema,
    text: z.string(),
    /** Position in its instance's log, from 0; with `instance` it names the line. */
    seq: z.number().int().nonnegative(),
  })
  .meta({ id: 'LogLine' });
export type LogLine = z.infer<typeof LogLineSchema>;
