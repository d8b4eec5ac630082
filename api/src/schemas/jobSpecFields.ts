import { z } from 'zod';
import { AssetRefSchema } from './assets.js';
import { fieldError, shown, strictObject, wholeNumber } from './fieldErrors.js';
import { JobNameSchema } from './jobIdentifiers.js';
import { DEFAULT_JOB_PRIORITY, DEFAULT_JOB_QUEUE, DEFAULT_WORKING_DIR, JOB_LIMITS } from './jobLimits.js';
import { MAX_NESTING_DEPTH, tooDeepPath } from './documentShape.js';
import { ENV_NAME_PATTERN, isPlatformEnvName } from './platformEnv.js';
import { EngineKindSchema, RootNameSchema } from './system.js';

/* The fields every mode of a JobSpec shares; the per-mode topology is in `jobSpec.ts`. */

const CommandSchema = z
  .string({ error: fieldError('command', 'shell text') })
  .max(JOB_LIMITS.commandChars, {
    error: (iss) =>
      `command is ${String(iss.input).length} characters; at most ${JOB_LIMITS.commandChars} (move long scripts into a file and run that)`,
  })
  .refine((command) => command.trim().length > 0, 'command is empty: write the shell command each node runs')
  .meta({ description: 'Shell command (may span lines) run by every node, in workingDir' });

/** A folder under /work as a spec names it: relative, starting with a root, no `.`/`..` parts. */
export function workFolderField(field: string, example: string) {
  return z
    .string({ error: fieldError(field, `a path relative to /work, e.g. ${example}`) })
    .max(4096, `${field} is longer than 4096 characters`)
    .superRefine((dir, ctx) => {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', input: dir, message });
      if (dir.startsWith('/')) {
        const relative = dir.replace(/^\/work(\/|$)/, '') || 'home/...';
        return issue(`${field} is relative to /work: write ${shown(relative)}, not ${shown(dir)}`);
      }
      const segments = dir.split('/');
      const roots = RootNameSchema.options as readonly string[];
      if (!roots.includes(segments[0] ?? '')) {
        return issue(`${field} must start with one of ${roots.join(', ')} (e.g. ${example}); got ${shown(dir)}`);
      }
      if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
        issue(`${field} must be a plain path such as ${example}, without empty, . or .. parts; got ${shown(dir)}`);
      }
    });
}

const WorkingDirSchema = workFolderField('workingDir', 'home/mnist').meta({
  description: 'Where the command runs, relative to /work (home/..., cache/... or mount/...)',
});

/**
 * Where the job writes TensorBoard summaries (tfevents files), relative to /work; the platform's
 * per-job folder when left out. Every instance gets it as AIPLAT_SUMMARY_DIR.
 */
export const SummaryDirSchema = workFolderField('summaryDir', 'home/runs/mnist').meta({
  description: 'Where the job writes TensorBoard summaries, relative to /work (default: home/summaries/<job id>)',
});

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
    const deep = tooDeepPath(params);
    if (deep) {
      ctx.addIssue({
        code: 'custom',
        path: deep.slice(0, 1),
        input: params,
        message: `nests too deeply: hyperparameters may nest lists and mappings at most ${MAX_NESTING_DEPTH} levels`,
      });
      return;
    }
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
export const commonFields = {
  name: JobNameSchema,
  description: z
    .string({ error: fieldError('description', 'text') })
    .max(JOB_LIMITS.descriptionChars, `description is longer than ${JOB_LIMITS.descriptionChars} characters`)
    .optional(),
  tags: TagsSchema.default({}),
  /** Container image; the Kubernetes engine runs it, the local engine too with containers.jobs on. */
  image: ImageSchema.optional(),
  command: CommandSchema,
  workingDir: WorkingDirSchema.default(DEFAULT_WORKING_DIR),
  summaryDir: SummaryDirSchema.optional(),
  env: EnvSchema.default({}),
  hyperparameters: HyperparametersSchema.default({}),
  autoRestart: AutoRestartSchema.default({ maxRestarts: 0 }),
  priority: wholeNumber('priority', 0, 9, ' (0 is the highest)').default(DEFAULT_JOB_PRIORITY),
  queue: QueueNameSchema.default(DEFAULT_JOB_QUEUE),
  /** Which engine runs the job; the server's default when left out. */
  engine: EngineKindSchema.optional(),
  /**
   * Published datasets the job reads, as `name` (the latest version) or `name@v2`: each is passed as
   * AIPLAT_DATASET_<NAME> (read-only; the accelerated copy when there is one). Pinned at submit.
   */
  datasets: z
    .array(AssetRefSchema, { error: fieldError('datasets', 'a list of dataset references, e.g. [alpaca-zh@v2]') })
    .max(JOB_LIMITS.datasets, `a job reads at most ${JOB_LIMITS.datasets} datasets`)
    .optional(),
  /**
   * Model versions the job starts from (fine-tuning), as `name` or `name@v2`: each is passed as
   * AIPLAT_MODEL_<NAME> (read-only). Pinned at submit.
   */
  models: z
    .array(AssetRefSchema, { error: fieldError('models', 'a list of model references, e.g. [tiny-llama@v1]') })
    .max(JOB_LIMITS.datasets, `a job reads at most ${JOB_LIMITS.datasets} models`)
    .optional(),
};
