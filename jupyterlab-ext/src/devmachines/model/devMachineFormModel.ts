import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  DevMachineSpecSchema,
  type DevMachine,
  type DevMachineSpec,
  type IdlePolicy,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { formatAssignments, parseAssignments, type FieldIssue } from '../../training/model/jobFormValues.js';
import {
  accessFieldOfPath,
  accessValuesFromSpec,
  REPOSITORY_FIELDS,
  repositoriesInput,
  sshInput,
  withRepositoryAdded,
  withRepositoryChanged,
  withRepositoryRemoved,
  type AccessFormValues,
  type RepositoryRow,
} from './accessFormValues.js';

export type IdeChoice = 'both' | 'jupyterlab' | 'code-server';
export type AcceleratorChoice = 'none' | 'nvidia' | 'ascend';
export type IdleCombine = IdlePolicy['combine'];

/** The form's values as typed (SSH and repositories: `AccessFormValues`). */
export interface DevMachineFormValues extends AccessFormValues {
  name: string;
  ides: IdeChoice;
  cpu: string;
  memory: string;
  acceleratorType: AcceleratorChoice;
  acceleratorCount: string;
  image: string;
  queue: string;
  priority: string;
  workingDir: string;
  /** NAME=value lines. */
  env: string;
  /** The name of one of the user's lifecycle configs; empty for none. */
  lifecycleConfig: string;
  /** Hours of running before it stops by itself (1–24); empty for never. */
  autoStopHours: string;
  /** Stop once idle (the idle policy); off by default. */
  idleEnabled: boolean;
  /** Minutes idle before it stops (1–1440). */
  idleMinutes: string;
  /** Utilisation below these (percent, 0–100) is idle; empty: not looked at. */
  idleCpuPercent: string;
  idleMemoryPercent: string;
  idleCombine: IdleCombine;
  /** Which activity signals keep the machine up. */
  idleKernels: boolean;
  idleTerminals: boolean;
  idleCodeServer: boolean;
  idleJobs: boolean;
  /** Process names whose CPU and memory do not count, comma-separated. */
  idleExcludeProcesses: string;
}

/** The form field that shows an `idlePolicy.…` path (relative to the policy). */
function idleFieldOfPath(path: string): string {
  if (path.startsWith('forMinutes')) return 'idleMinutes';
  if (path.startsWith('thresholds.cpuPercent')) return 'idleCpuPercent';
  if (path.startsWith('thresholds.memoryPercent')) return 'idleMemoryPercent';
  if (path.startsWith('combine')) return 'idleCombine';
  if (path.startsWith('excludeProcesses')) return 'idleExcludeProcesses';
  return 'idlePolicy';
}

const IDES: Record<IdeChoice, DevMachineSpec['ides']> = {
  both: ['jupyterlab', 'code-server'],
  jupyterlab: ['jupyterlab'],
  'code-server': ['code-server'],
};

const IDLE_FIELDS = ['idleMinutes', 'idleCpuPercent', 'idleMemoryPercent', 'idleCombine', 'idleExcludeProcesses'];

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A spec path (`resources.accelerator.count`, or the API's `body.spec.…`) → the field that shows it. */
export function fieldOfPath(path: string): string {
  const spec = path.replace(/^body\.spec\.?/, '');
  if (spec.startsWith('resources.accelerator')) return 'acceleratorCount';
  if (spec.startsWith('resources.')) return spec.slice('resources.'.length).split('.')[0] ?? 'resources';
  if (spec.startsWith('ides')) return 'ides';
  if (spec.startsWith('autoStop')) return 'autoStopHours';
  if (spec === 'idlePolicy' || spec.startsWith('idlePolicy.')) return idleFieldOfPath(spec.slice('idlePolicy.'.length));
  const access = accessFieldOfPath(spec);
  if (access) return access;
  return spec.split('.')[0] || 'resources';
}

export function valuesFromSpec(spec: Partial<DevMachineSpec> = {}): DevMachineFormValues {
  const ides = spec.ides?.length === 1 ? (spec.ides[0] as IdeChoice) : 'both';
  const accelerator = spec.resources?.accelerator;
  const idle = spec.idlePolicy;
  return {
    name: spec.name ?? '',
    ides,
    cpu: String(spec.resources?.cpu ?? 2),
    memory: String(spec.resources?.memory ?? '4Gi'),
    acceleratorType: accelerator?.type ?? 'none',
    acceleratorCount: String(accelerator?.count || 1),
    image: spec.image ?? '',
    queue: spec.queue ?? DEFAULT_JOB_QUEUE,
    priority: String(spec.priority ?? DEFAULT_JOB_PRIORITY),
    workingDir: spec.workingDir ?? DEFAULT_WORKING_DIR,
    env: formatAssignments(spec.env),
    lifecycleConfig: spec.lifecycleConfig ?? '',
    autoStopHours: spec.autoStop ? String(spec.autoStop.afterHours) : '',
    idleEnabled: idle !== undefined,
    idleMinutes: String(idle?.forMinutes ?? 60),
    idleCpuPercent: idle?.thresholds?.cpuPercent === undefined ? '' : String(idle.thresholds.cpuPercent),
    idleMemoryPercent: idle?.thresholds?.memoryPercent === undefined ? '' : String(idle.thresholds.memoryPercent),
    idleCombine: idle?.combine ?? 'all',
    idleKernels: idle?.activity?.kernels ?? true,
    idleTerminals: idle?.activity?.terminals ?? true,
    idleCodeServer: idle?.activity?.codeServer ?? true,
    idleJobs: idle?.activity?.jobs ?? true,
    idleExcludeProcesses: (idle?.excludeProcesses ?? []).join(', '),
    ...accessValuesFromSpec(spec),
  };
}

/** Text as a number when it reads as one; otherwise as typed, for the contract's message to quote it. */
function typedNumber(text: string): number | string {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * The idle policy the values describe (undefined when it is off). `accelerator` is a copied
 * machine's accelerator threshold, which the form does not show but keeps.
 */
export function idlePolicyInput(v: DevMachineFormValues, accelerator?: number): Record<string, unknown> | undefined {
  if (!v.idleEnabled) return undefined;
  const minutes = v.idleMinutes.trim();
  const thresholds: Record<string, unknown> = {};
  if (v.idleCpuPercent.trim()) thresholds.cpuPercent = typedNumber(v.idleCpuPercent);
  if (v.idleMemoryPercent.trim()) thresholds.memoryPercent = typedNumber(v.idleMemoryPercent);
  if (accelerator !== undefined) thresholds.acceleratorPercent = accelerator;
  return {
    thresholds,
    combine: v.idleCombine,
    // Empty goes as missing, for the contract to say it is required.
    ...(minutes ? { forMinutes: typedNumber(minutes) } : {}),
    excludeProcesses: v.idleExcludeProcesses
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    activity: { kernels: v.idleKernels, terminals: v.idleTerminals, codeServer: v.idleCodeServer, jobs: v.idleJobs },
  };
}

/**
 * The create form of a dev machine: its values, each problem at its field as it is typed (the
 * contract's `DevMachineSpecSchema` judges; the API's 400 `issues` after a create), and the create.
 * A copy keeps what the form does not show (env, description, tags, environment).
 */
export class DevMachineFormModel extends FieldFormModel<DevMachineFormValues> {
  private readonly _kept: Partial<DevMachineSpec>;
  /** A copied machine's accelerator idle threshold (not shown, kept while the policy is on). */
  private readonly _idleAccelerator: number | undefined;
  private _configNames: string[] = [];
  private _credentialNames: string[] = [];

  constructor(connection: IConnectionModel, prefill: Partial<DevMachineSpec> = {}) {
    super(connection, valuesFromSpec(prefill));
    const { description, tags, environment, engine } = prefill;
    this._kept = {
      ...(description ? { description } : {}),
      ...(tags ? { tags } : {}),
      ...(environment ? { environment } : {}),
      ...(engine ? { engine } : {}),
    };
    this._idleAccelerator = prefill.idlePolicy?.thresholds?.acceleratorPercent;
    if (prefill.name) this.validate();
    void this.loadConfigNames();
    void this.loadCredentialNames();
  }

  /** The names of the user's lifecycle configs, offered by the lifecycle config field (the chosen one first kept). */
  get configNames(): readonly string[] {
    const chosen = this._values.lifecycleConfig;
    return chosen && !this._configNames.includes(chosen) ? [chosen, ...this._configNames] : this._configNames;
  }

  /** Reads the user's lifecycle configs' names (none while offline). */
  async loadConfigNames(): Promise<void> {
    const client = this.connection.client;
    if (!client) return;
    try {
      const { lifecycleConfigs } = await client.listLifecycleConfigs();
      this._configNames = lifecycleConfigs.map((c) => c.spec.name).sort();
    } catch {
      // The field still offers "none" and a copied machine's config; a create names any problem.
      return;
    }
    this.emit();
  }

  /** The names of the user's Git credentials, offered by each repository's credential field (those chosen kept). */
  get credentialNames(): readonly string[] {
    const chosen = this._values.repositories.map((r) => r.credential).filter((c) => c !== '');
    return [...new Set([...chosen.filter((c) => !this._credentialNames.includes(c)), ...this._credentialNames])];
  }

  /** Reads the user's Git credentials' names (none while offline). */
  async loadCredentialNames(): Promise<void> {
    const client = this.connection.client;
    if (!client) return;
    try {
      const { gitCredentials } = await client.listGitCredentials();
      this._credentialNames = gitCredentials.map((c) => c.name).sort();
    } catch {
      // A repository still names a copied machine's credential; a create names any problem.
      return;
    }
    this.emit();
  }

  /** Adds an empty repository row; false (and no row) when there are as many as a machine clones. */
  addRepository(): boolean {
    const rows = withRepositoryAdded(this._values.repositories);
    if (rows.length === this._values.repositories.length) return false;
    this.update({ repositories: rows });
    return true;
  }

  removeRepository(index: number): void {
    this.update({ repositories: withRepositoryRemoved(this._values.repositories, index) });
  }

  updateRepository(index: number, patch: Partial<RepositoryRow>): void {
    this.update({ repositories: withRepositoryChanged(this._values.repositories, index, patch) });
  }

  get creating(): boolean {
    return this.busy;
  }

  protected override fieldsOfKey(key: keyof DevMachineFormValues): string[] {
    if (key === 'acceleratorType') return ['acceleratorCount'];
    // Turning the policy on or off shows or clears all of its problems.
    if (key === 'idleEnabled') return [...IDLE_FIELDS, 'idlePolicy'];
    if (key === 'sshEnabled') return ['ssh', 'sshPublicKeys'];
    // A row added or removed moves the rows after it: all of them are checked again.
    if (key === 'repositories') return [...REPOSITORY_FIELDS];
    return [key];
  }

  protected fieldOfPath(path: string): string {
    return fieldOfPath(path);
  }

  /** The spec the values describe, before the contract's judgement. */
  input(issues: FieldIssue[] = []): Record<string, unknown> {
    const v = this._values;
    const env = parseAssignments(v.env, 'env', issues);
    const type = v.acceleratorType;
    const autoStopHours = v.autoStopHours.trim();
    const idlePolicy = idlePolicyInput(v, this._idleAccelerator);
    const ssh = sshInput(v, issues);
    const repositories = repositoriesInput(v.repositories);
    return {
      ...this._kept,
      name: v.name.trim(),
      ides: IDES[v.ides],
      resources: {
        cpu: v.cpu.trim() === '' ? Number.NaN : Number(v.cpu),
        memory: v.memory.trim(),
        accelerator: { type, count: type === 'none' ? 0 : Number(v.acceleratorCount) },
      },
      ...(v.image.trim() ? { image: v.image.trim() } : {}),
      queue: v.queue.trim(),
      priority: Number(v.priority),
      workingDir: v.workingDir.trim(),
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(v.lifecycleConfig ? { lifecycleConfig: v.lifecycleConfig } : {}),
      // Text that is no number goes as typed, for the contract's message to quote it.
      ...(autoStopHours
        ? { autoStop: { afterHours: NUMBER.test(autoStopHours) ? Number(autoStopHours) : autoStopHours } }
        : {}),
      ...(idlePolicy ? { idlePolicy } : {}),
      ...(ssh ? { ssh } : {}),
      ...(repositories ? { repositories } : {}),
    };
  }

  protected problems(): Map<string, string[]> {
    const typed: FieldIssue[] = [];
    const parsed = DevMachineSpecSchema.safeParse(this.input(typed));
    return problemsByField(judgedProblems(typed, parsed), fieldOfPath);
  }

  /** Creates (and starts) the dev machine; it, or undefined with the problems at their fields. */
  create(): Promise<DevMachine | undefined> {
    return this.submit(
      () => this.validate(),
      (client) => client.createDevMachine({ body: { spec: this.input() as DevMachineSpec, start: true } }),
    );
  }
}
