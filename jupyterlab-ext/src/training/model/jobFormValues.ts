import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  JOB_MODES,
  type AcceleratorType,
  type EngineKind,
  type JobMode,
  type JobSpecInput,
} from '@aiplat/api';

/*
 * The new-job form as text fields (what a user types), and the conversions between them and a
 * JobSpec. Field keys are the spec's own paths (`resources.cpu`, `workerGroups.0.replicas`), so
 * an issue from the contract's schema or the API's 400 lands on the field it names.
 */

export interface ResourceValues {
  cpu: string;
  memory: string;
  acceleratorType: AcceleratorType;
  acceleratorCount: string;
}

export interface WorkerGroupValues {
  name: string;
  replicas: string;
  resources: ResourceValues;
}

export interface JobFormValues {
  name: string;
  description: string;
  mode: JobMode;
  command: string;
  image: string;
  workingDir: string;
  /** Empty for the server's default engine. */
  engine: '' | EngineKind;
  queue: string;
  priority: string;
  maxRestarts: string;
  /** ddp, mpi, horovod, deepspeed. */
  nodes: string;
  /** ps-worker. */
  ps: string;
  workers: string;
  /** Per node (ddp, mpi, horovod, deepspeed) or per worker and ps (ps-worker). */
  resources: ResourceValues;
  /** ps-worker: the parameter servers get `psResources` instead of `resources`. */
  separatePsResources: boolean;
  psResources: ResourceValues;
  /** ray. */
  headResources: ResourceValues;
  workerGroups: WorkerGroupValues[];
  /** `NAME=value`, one a line. */
  env: string;
  /** `key=value`, one a line. */
  tags: string;
  /** A JSON object. */
  hyperparameters: string;
  /** Published datasets and model versions the job reads: `name` or `name@v2`, separated by commas or spaces. */
  datasets: string;
  models: string;
}

export function defaultResources(): ResourceValues {
  return { cpu: '1', memory: '2Gi', acceleratorType: 'none', acceleratorCount: '0' };
}

export function defaultWorkerGroup(index: number): WorkerGroupValues {
  return { name: `workers-${index + 1}`, replicas: '1', resources: defaultResources() };
}

export function defaultFormValues(): JobFormValues {
  return {
    name: '',
    description: '',
    mode: 'ddp',
    command: '',
    image: '',
    workingDir: DEFAULT_WORKING_DIR,
    engine: '',
    queue: DEFAULT_JOB_QUEUE,
    priority: String(DEFAULT_JOB_PRIORITY),
    maxRestarts: '0',
    nodes: '1',
    ps: '1',
    workers: '1',
    resources: defaultResources(),
    separatePsResources: false,
    psResources: defaultResources(),
    headResources: defaultResources(),
    workerGroups: [],
    env: '',
    tags: '',
    hyperparameters: '{}',
    datasets: '',
    models: '',
  };
}

/** A field's problem, by field key. */
export interface FieldIssue {
  field: string;
  message: string;
}

const RESOURCE_KEYS = ['cpu', 'memory', 'accelerator.type', 'accelerator.count'] as const;

function resourceKeys(prefix: string): string[] {
  return RESOURCE_KEYS.map((k) => `${prefix}.${k}`);
}

/** The fields the form shows for `values` (the topology fields depend on the mode), in order. */
export function formFieldKeys(values: JobFormValues): string[] {
  const topology: string[] = [];
  switch (values.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      topology.push('nodes', ...resourceKeys('resources'));
      break;
    case 'ps-worker':
      topology.push('ps', 'workers', ...resourceKeys('resources'));
      if (values.separatePsResources) topology.push(...resourceKeys('psResources'));
      break;
    case 'ray':
      topology.push(...resourceKeys('head.resources'), 'workerGroups');
      values.workerGroups.forEach((_, i) => {
        topology.push(
          `workerGroups.${i}.name`,
          `workerGroups.${i}.replicas`,
          ...resourceKeys(`workerGroups.${i}.resources`),
        );
      });
      break;
  }
  return [
    'name',
    'description',
    'mode',
    'engine',
    'command',
    'workingDir',
    'image',
    ...topology,
    'env',
    'hyperparameters',
    'datasets',
    'models',
    'tags',
    'autoRestart.maxRestarts',
    'priority',
    'queue',
  ];
}

/**
 * The field an issue path belongs to: `body.spec.` (the API's 400) is dropped, then the longest
 * field key the path is or starts with; a path above some fields (`resources.accelerator`) goes
 * to the first of them. `undefined` when no field of the form shows it.
 */
export function fieldForIssuePath(path: string, fieldKeys: readonly string[]): string | undefined {
  const p = path.replace(/^body\.spec(\.|$)/, '').replace(/^body(\.|$)/, '');
  if (!p || p === '(root)') return undefined;
  let best: string | undefined;
  for (const key of fieldKeys) {
    if ((p === key || p.startsWith(`${key}.`)) && (!best || key.length > best.length)) best = key;
  }
  return best ?? fieldKeys.find((key) => key.startsWith(`${p}.`));
}

/** A number when the text is one, the trimmed text otherwise (so the schema says what is wrong), undefined when empty. */
function numberOrText(text: string): number | string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
}

function memoryValue(text: string): number | string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

function resourcesOf(values: ResourceValues): Record<string, unknown> {
  return {
    cpu: numberOrText(values.cpu),
    memory: memoryValue(values.memory),
    accelerator: { type: values.acceleratorType, count: numberOrText(values.acceleratorCount) ?? 0 },
  };
}

/** `KEY=value` lines as a mapping; a line without `=` is an issue at `field`. */
export function parseAssignments(text: string, field: string, issues: FieldIssue[]): Record<string, string> {
  const result: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      issues.push({ field, message: `line ${i + 1}: write NAME=value (got ${JSON.stringify(line.slice(0, 40))})` });
      return;
    }
    result[line.slice(0, eq).trim()] = line.slice(eq + 1);
  });
  return result;
}

/** A mapping as `KEY=value` lines, for a form's text field. */
export function formatAssignments(record: unknown): string {
  if (!record || typeof record !== 'object') return '';
  return Object.entries(record as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}

/** The hyperparameters text as an object, or an issue saying why it is not one. */
export function parseHyperparameters(text: string, issues: FieldIssue[]): Record<string, unknown> | undefined {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    issues.push({ field: 'hyperparameters', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ field: 'hyperparameters', message: 'hyperparameters must be a JSON object, e.g. {"lr": 0.01}' });
    return undefined;
  }
  return value as Record<string, unknown>;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The spec the form describes (for the schema to judge) and the issues found reading the text fields. */
export function specFromValues(values: JobFormValues): { spec: Record<string, unknown>; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const env = parseAssignments(values.env, 'env', issues);
  const tags = parseAssignments(values.tags, 'tags', issues);
  const hyperparameters = parseHyperparameters(values.hyperparameters, issues) ?? {};
  const common = dropUndefined({
    name: values.name.trim(),
    description: values.description.trim() || undefined,
    mode: values.mode,
    command: values.command,
    image: values.image.trim() || undefined,
    workingDir: values.workingDir.trim() || undefined,
    engine: values.engine || undefined,
    queue: values.queue.trim() || undefined,
    priority: numberOrText(values.priority),
    autoRestart: { maxRestarts: numberOrText(values.maxRestarts) ?? 0 },
    env,
    tags,
    hyperparameters,
    datasets: refList(values.datasets),
    models: refList(values.models),
  });
  let topology: Record<string, unknown>;
  switch (values.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      topology = { nodes: numberOrText(values.nodes), resources: resourcesOf(values.resources) };
      break;
    case 'ps-worker':
      topology = {
        ps: numberOrText(values.ps),
        workers: numberOrText(values.workers),
        resources: resourcesOf(values.resources),
        ...(values.separatePsResources ? { psResources: resourcesOf(values.psResources) } : {}),
      };
      break;
    case 'ray':
      topology = {
        head: { resources: resourcesOf(values.headResources) },
        workerGroups: values.workerGroups.map((g) => ({
          name: g.name.trim(),
          replicas: numberOrText(g.replicas),
          resources: resourcesOf(g.resources),
        })),
      };
      break;
  }
  return { spec: dropUndefined({ ...common, ...topology }), issues };
}

/** `a, b@v2  c` as ['a', 'b@v2', 'c']; nothing written is no list at all. */
function refList(value: string): string[] | undefined {
  const refs = value.split(/[\s,]+/).filter(Boolean);
  return refs.length > 0 ? refs : undefined;
}

function text(value: unknown, fallback: string): string {
  return value === undefined || value === null ? fallback : String(value);
}

function resourceValuesOf(value: unknown): ResourceValues {
  const r = (value ?? {}) as { cpu?: unknown; memory?: unknown; accelerator?: { type?: unknown; count?: unknown } };
  const d = defaultResources();
  const type = r.accelerator?.type;
  return {
    cpu: text(r.cpu, d.cpu),
    memory: text(r.memory, d.memory),
    acceleratorType: type === 'nvidia' || type === 'ascend' || type === 'none' ? type : d.acceleratorType,
    acceleratorCount: text(r.accelerator?.count, d.acceleratorCount),
  };
}

/** Form values from a (partial) spec, e.g. `copyJob`'s, the rest at their defaults. */
export function valuesFromSpec(prefill: Partial<JobSpecInput> | undefined): JobFormValues {
  const d = defaultFormValues();
  if (!prefill) return d;
  const s = prefill as Record<string, unknown> & {
    autoRestart?: { maxRestarts?: unknown };
    head?: { resources?: unknown };
    psResources?: unknown;
    workerGroups?: { name?: unknown; replicas?: unknown; resources?: unknown }[];
  };
  const mode = (JOB_MODES as readonly unknown[]).includes(s.mode) ? (s.mode as JobMode) : d.mode;
  const engine = s.engine === 'local' || s.engine === 'kubernetes' ? s.engine : '';
  return {
    name: text(s.name, d.name),
    description: text(s.description, d.description),
    mode,
    command: text(s.command, d.command),
    image: text(s.image, d.image),
    workingDir: text(s.workingDir, d.workingDir),
    engine,
    queue: text(s.queue, d.queue),
    priority: text(s.priority, d.priority),
    maxRestarts: text(s.autoRestart?.maxRestarts, d.maxRestarts),
    nodes: text(s.nodes, d.nodes),
    ps: text(s.ps, d.ps),
    workers: text(s.workers, d.workers),
    resources: s.resources ? resourceValuesOf(s.resources) : d.resources,
    separatePsResources: s.psResources !== undefined,
    psResources: s.psResources ? resourceValuesOf(s.psResources) : d.psResources,
    headResources: s.head?.resources ? resourceValuesOf(s.head.resources) : d.headResources,
    workerGroups: Array.isArray(s.workerGroups)
      ? s.workerGroups.map((g, i) => ({
          name: text(g.name, defaultWorkerGroup(i).name),
          replicas: text(g.replicas, '1'),
          resources: resourceValuesOf(g.resources),
        }))
      : d.workerGroups,
    env: formatAssignments(s.env),
    tags: formatAssignments(s.tags),
    hyperparameters:
      s.hyperparameters && typeof s.hyperparameters === 'object' ? JSON.stringify(s.hyperparameters, null, 2) : '{}',
    datasets: Array.isArray(s.datasets) ? s.datasets.join(', ') : d.datasets,
    models: Array.isArray(s.models) ? s.models.join(', ') : d.models,
  };
}
