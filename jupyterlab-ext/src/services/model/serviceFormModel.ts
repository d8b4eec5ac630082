import {
  ProbeSchema,
  SERVICE_LIMITS,
  ServiceSpecSchema,
  type Service,
  type ServiceProbeInput,
  type ServiceSpecInput,
  serviceNameFromFolder,
} from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { formatAssignments, parseAssignments, type FieldIssue } from '../../training/model/jobFormValues.js';
import { isLimitField, limitFieldProblem } from './serviceLimitFields.js';

export type AcceleratorChoice = 'none' | 'nvidia' | 'ascend';
/** Who may call: 慧聚 AppKeys and TI-ONE tokens together, one of them, or anyone. */
export type AuthChoice = 'appkey,token' | 'appkey' | 'token' | 'none';
/** `default`: the platform's (readiness: a TCP connect to the port; the others: none). */
export type ProbeChoice = 'default' | 'http' | 'tcp' | 'exec';
export const PROBE_NAMES = ['startup', 'readiness', 'liveness'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

/** One probe as typed: its kind, the path (http) or command (exec), and its timings. */
export interface ProbeValues {
  type: ProbeChoice;
  target: string;
  initialDelaySeconds: string;
  periodSeconds: string;
  timeoutSeconds: string;
  failureThreshold: string;
}

/** A probe's timings, as the contract (`ProbeSchema`) names them. */
export const PROBE_TIMINGS = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const;
export type ProbeTiming = (typeof PROBE_TIMINGS)[number];

/** The contract's defaults of the timings: what a probe without them gets (no delay, every 10 s, 1 s…). */
const PROBE_TIMING_DEFAULTS: Record<ProbeTiming, number> = ProbeSchema.parse({ type: 'tcp' });

/** The deploy form's values as typed. */
export interface ServiceFormValues {
  name: string;
  description: string;
  /** The model folder, relative to /work. */
  model: string;
  /** Local engine: the Python environment the replicas start from. */
  environment: string;
  /** Kubernetes: the container image. */
  image: string;
  code: string;
  requirements: string;
  /** NAME=value lines. */
  env: string;
  command: string;
  port: string;
  cpu: string;
  memory: string;
  acceleratorType: AcceleratorChoice;
  acceleratorCount: string;
  replicas: string;
  startup: ProbeValues;
  readiness: ProbeValues;
  liveness: ProbeValues;
  auth: AuthChoice;
  /** Ticked to deploy a service anyone may call (auth none). */
  noAuthConfirmed: boolean;
  qpsPerReplica: string;
  concurrencyPerReplica: string;
  /** The request body limit in MiB (the contract counts bytes). */
  maxBodyMiB: string;
  upstreamTimeoutSeconds: string;
}

const MIB = 1024 * 1024;

/** A probe's timings as typed: its own, else the contract's defaults. */
function probeTimings(probe?: ServiceProbeInput): Record<ProbeTiming, string> {
  const timings = {} as Record<ProbeTiming, string>;
  for (const timing of PROBE_TIMINGS) timings[timing] = String(probe?.[timing] ?? PROBE_TIMING_DEFAULTS[timing]);
  return timings;
}

const noProbe = (): ProbeValues => ({ type: 'default', target: '', ...probeTimings() });

/** The form's values for a model folder (relative to /work), or empty ones. */
export function initialValues(model = ''): ServiceFormValues {
  return {
    name: model ? serviceNameFromFolder(model) : '',
    description: '',
    model,
    environment: '',
    image: '',
    code: '',
    requirements: '',
    env: '',
    command: '',
    port: '8080',
    cpu: '1',
    memory: '2Gi',
    acceleratorType: 'none',
    acceleratorCount: '1',
    replicas: '1',
    startup: noProbe(),
    readiness: noProbe(),
    liveness: noProbe(),
    auth: 'appkey,token',
    noAuthConfirmed: false,
    qpsPerReplica: String(SERVICE_LIMITS.defaultQpsPerReplica),
    concurrencyPerReplica: String(SERVICE_LIMITS.defaultConcurrencyPerReplica),
    maxBodyMiB: String(SERVICE_LIMITS.defaultMaxBodyBytes / MIB),
    upstreamTimeoutSeconds: String(SERVICE_LIMITS.defaultUpstreamTimeoutSeconds),
  };
}

/** A number as typed: empty or not a number becomes NaN, which the contract refuses at its field. */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function probeInput(probe: ProbeValues): ServiceProbeInput | undefined {
  if (probe.type === 'default') return undefined;
  const target = probe.target.trim();
  return {
    type: probe.type,
    // Left out when empty, so the contract says what the kind needs.
    ...(probe.type === 'http' && target ? { path: target } : {}),
    ...(probe.type === 'exec' && target ? { command: target } : {}),
    ...(probe.type === 'tcp' && target ? { port: numberOf(target) } : {}),
    initialDelaySeconds: numberOf(probe.initialDelaySeconds),
    periodSeconds: numberOf(probe.periodSeconds),
    timeoutSeconds: numberOf(probe.timeoutSeconds),
    failureThreshold: numberOf(probe.failureThreshold),
  };
}

/**
 * A spec path (`version.resources.memory`, or the API's `body.spec.…` or `body.…`) → the form field that shows
 * it: `memory`, `readiness.target`, `maxBodyMiB`…
 */
export function fieldOfPath(path: string): string {
  const spec = path.replace(/^body\.(spec\.?)?/, '');
  const parts = spec.split('.');
  const [first = '', second = '', third = ''] = parts;
  if (first === 'limits') return second === 'maxBodyBytes' ? 'maxBodyMiB' : second || 'limits';
  if (first === 'auth') return 'auth';
  if (first !== 'version') return first || 'name';
  if (second === 'resources') {
    if (third === 'accelerator') return 'acceleratorCount';
    return third || 'resources';
  }
  if (second === 'probes') {
    const probe = third;
    const key = parts[3] ?? '';
    if (!probe) return 'probes';
    if (key === 'path' || key === 'command' || key === 'port') return `${probe}.target`;
    if ((PROBE_TIMINGS as readonly string[]).includes(key)) return `${probe}.${key}`;
    return `${probe}.type`;
  }
  return second || 'model';
}

/** The typed values a spec shows (a copy of a version, or an update). */
export function valuesFromSpec(spec: Partial<ServiceSpecInput>): ServiceFormValues {
  const values = initialValues(spec.version?.model ?? '');
  const v = spec.version;
  const probe = (p: ServiceProbeInput | undefined): ProbeValues =>
    p
      ? {
          type: p.type,
          target: p.type === 'http' ? (p.path ?? '') : p.type === 'exec' ? (p.command ?? '') : String(p.port ?? ''),
          ...probeTimings(p),
        }
      : noProbe();
  const accelerator = v?.resources?.accelerator;
  return {
    ...values,
    name: spec.name ?? values.name,
    description: spec.description ?? '',
    environment: v?.environment ?? '',
    image: v?.image ?? '',
    code: v?.code ?? '',
    requirements: v?.requirements ?? '',
    env: formatAssignments(v?.env),
    command: v?.command ?? '',
    port: String(v?.port ?? 8080),
    cpu: String(v?.resources?.cpu ?? values.cpu),
    memory: String(v?.resources?.memory ?? values.memory),
    acceleratorType: accelerator?.type ?? 'none',
    acceleratorCount: String(accelerator?.count || 1),
    replicas: String(v?.replicas ?? 1),
    startup: probe(v?.probes?.startup),
    readiness: probe(v?.probes?.readiness),
    liveness: probe(v?.probes?.liveness),
    auth: (spec.auth?.join(',') as AuthChoice | undefined) ?? values.auth,
    ...(spec.limits ? limitValues(spec.limits) : {}),
  };
}

/** The limits as typed (the body limit in MiB). */
function limitValues(limits: NonNullable<ServiceSpecInput['limits']>): Partial<ServiceFormValues> {
  const text = (value: number | undefined, fallback: string) => (value === undefined ? fallback : String(value));
  const defaults = initialValues();
  return {
    qpsPerReplica: text(limits.qpsPerReplica, defaults.qpsPerReplica),
    concurrencyPerReplica: text(limits.concurrencyPerReplica, defaults.concurrencyPerReplica),
    maxBodyMiB: text(limits.maxBodyBytes === undefined ? undefined : limits.maxBodyBytes / MIB, defaults.maxBodyMiB),
    upstreamTimeoutSeconds: text(limits.upstreamTimeoutSeconds, defaults.upstreamTimeoutSeconds),
  };
}

/** The spec the values describe, before the contract's judgement; problems of the typing go to `issues`. */
export function specInput(values: ServiceFormValues, issues: FieldIssue[] = []): Record<string, unknown> {
  const v = values;
  const env = parseAssignments(v.env, 'version.env', issues);
  const probes: Record<string, ServiceProbeInput> = {};
  for (const name of PROBE_NAMES) {
    const probe = probeInput(v[name]);
    if (probe) probes[name] = probe;
  }
  const type = v.acceleratorType;
  const trimmed = (text: string) => (text.trim() ? text.trim() : undefined);
  const optional = (key: string, text: string) => (trimmed(text) === undefined ? {} : { [key]: trimmed(text) });
  return {
    name: v.name.trim(),
    ...optional('description', v.description),
    auth: v.auth.split(','),
    limits: {
      qpsPerReplica: numberOf(v.qpsPerReplica),
      concurrencyPerReplica: numberOf(v.concurrencyPerReplica),
      // Fractions of a MiB are bytes too: any number above 0 is at least one byte (MiB × 2^20 is exact).
      maxBodyBytes: Math.ceil(numberOf(v.maxBodyMiB) * MIB),
      upstreamTimeoutSeconds: numberOf(v.upstreamTimeoutSeconds),
    },
    version: {
      model: v.model.trim(),
      ...optional('environment', v.environment),
      ...optional('image', v.image),
      ...optional('code', v.code),
      ...(v.requirements.trim() ? { requirements: v.requirements } : {}),
      ...(Object.keys(env).length > 0 ? { env } : {}),
      command: v.command,
      port: numberOf(v.port),
      resources: {
        cpu: numberOf(v.cpu),
        memory: v.memory.trim(),
        accelerator: { type, count: type === 'none' ? 0 : numberOf(v.acceleratorCount) },
      },
      replicas: numberOf(v.replicas),
      ...(Object.keys(probes).length > 0 ? { probes } : {}),
    },
  };
}

/** Fields whose lines may each be wrong: each problem shown. The others show their first one only. */
const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['requirements', 'env']);

/**
 * Every problem of the values by field: the typing's and the contract's (`ServiceSpecSchema`). A limit
 * field says what it takes in its own words and units.
 */
export function formProblems(values: ServiceFormValues, trans: TranslationBundle): Map<string, string[]> {
  const typed: FieldIssue[] = [];
  if (values.auth === 'none' && !values.noAuthConfirmed) {
    typed.push({
      field: 'noAuthConfirmed',
      message: trans.__('Tick the box: without authentication anyone who can reach the server may call'),
    });
  }
  const parsed = ServiceSpecSchema.safeParse(specInput(values, typed));
  const byField = problemsByField(judgedProblems(typed, parsed), (path) =>
    path === 'noAuthConfirmed' ? path : fieldOfPath(path),
  );
  for (const [field, messages] of byField) {
    if (isLimitField(field)) byField.set(field, [limitFieldProblem(field, trans)]);
    else if (!MULTI_LINE_FIELDS.has(field)) byField.set(field, messages.slice(0, 1));
  }
  return byField;
}

/** The fields of one probe that show problems: its kind, its target and each timing. */
export function probeFields(name: ProbeName): string[] {
  return [`${name}.type`, `${name}.target`, ...PROBE_TIMINGS.map((timing) => `${name}.${timing}`)];
}

/** The fields whose problems a change of `key` may show or clear. */
export function fieldsOfKey(key: keyof ServiceFormValues): string[] {
  if (key === 'acceleratorType') return ['acceleratorCount'];
  if (key === 'auth') return ['auth', 'noAuthConfirmed'];
  if (key === 'startup' || key === 'readiness' || key === 'liveness') {
    return probeFields(key);
  }
  return [key];
}

/**
 * A form of a service's fields (the deploy form, the update form): each problem at its field as it
 * is typed (the contract's `ServiceSpecSchema` judges; the API's 400 `issues` land at their fields
 * too), its probes, the server's engine.
 */
export abstract class ServiceFieldsModel extends FieldFormModel<ServiceFormValues> {
  protected constructor(
    connection: IConnectionModel,
    /** Translates the problems the form words itself. */
    protected readonly trans: TranslationBundle,
    values: ServiceFormValues,
  ) {
    super(connection, values);
  }

  /** The server's engine: the form puts its field first (local: environment, Kubernetes: image). */
  get engine(): 'local' | 'kubernetes' | undefined {
    const state = this.connection.state;
    return state.status === 'connected' ? state.info.engine : undefined;
  }

  protected problems(values: ServiceFormValues): Map<string, string[]> {
    return formProblems(values, this.trans);
  }

  protected fieldOfPath(path: string): string {
    return fieldOfPath(path);
  }

  protected override fieldsOfKey(key: keyof ServiceFormValues): string[] {
    return fieldsOfKey(key);
  }

  /** Changes one probe's values. */
  updateProbe(name: ProbeName, patch: Partial<ProbeValues>): void {
    this.update({ [name]: { ...this._values[name], ...patch } });
  }
}

/** The deploy form: the service's fields and the deploy itself. */
export class ServiceFormModel extends ServiceFieldsModel {
  constructor(
    connection: IConnectionModel,
    trans: TranslationBundle,
    prefill: { model?: string; spec?: Partial<ServiceSpecInput> } = {},
  ) {
    super(connection, trans, prefill.spec ? valuesFromSpec(prefill.spec) : initialValues(prefill.model));
  }

  get deploying(): boolean {
    return this.busy;
  }

  /** Deploys the service; it, or undefined with the problems at their fields. */
  deploy(): Promise<Service | undefined> {
    return this.submit(
      () => this.validate(),
      (client) => client.deployService({ body: { spec: specInput(this._values) as ServiceSpecInput } }),
    );
  }
}
