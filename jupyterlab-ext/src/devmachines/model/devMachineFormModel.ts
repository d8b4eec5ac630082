import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  DevMachineSpecSchema,
  type DevMachine,
  type DevMachineSpec,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { formatAssignments, parseAssignments, type FieldIssue } from '../../training/model/jobFormValues.js';

export type IdeChoice = 'both' | 'jupyterlab' | 'code-server';
export type AcceleratorChoice = 'none' | 'nvidia' | 'ascend';

/** The form's values as typed. */
export interface DevMachineFormValues {
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
}

const IDES: Record<IdeChoice, DevMachineSpec['ides']> = {
  both: ['jupyterlab', 'code-server'],
  jupyterlab: ['jupyterlab'],
  'code-server': ['code-server'],
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A spec path (`resources.accelerator.count`, or the API's `body.spec.…`) → the field that shows it. */
export function fieldOfPath(path: string): string {
  const spec = path.replace(/^body\.spec\.?/, '');
  if (spec.startsWith('resources.accelerator')) return 'acceleratorCount';
  if (spec.startsWith('resources.')) return spec.slice('resources.'.length).split('.')[0] ?? 'resources';
  if (spec.startsWith('ides')) return 'ides';
  if (spec.startsWith('autoStop')) return 'autoStopHours';
  return spec.split('.')[0] || 'resources';
}

export function valuesFromSpec(spec: Partial<DevMachineSpec> = {}): DevMachineFormValues {
  const ides = spec.ides?.length === 1 ? (spec.ides[0] as IdeChoice) : 'both';
  const accelerator = spec.resources?.accelerator;
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
  };
}

/**
 * The create form of a dev machine: its values, each problem at its field as it is typed (the
 * contract's `DevMachineSpecSchema` judges; the API's 400 `issues` after a create), and the create.
 * A copy keeps what the form does not show (env, description, tags, environment).
 */
export class DevMachineFormModel extends FieldFormModel<DevMachineFormValues> {
  private readonly _kept: Partial<DevMachineSpec>;
  private _configNames: string[] = [];

  constructor(connection: IConnectionModel, prefill: Partial<DevMachineSpec> = {}) {
    super(connection, valuesFromSpec(prefill));
    const { description, tags, environment, engine } = prefill;
    this._kept = {
      ...(description ? { description } : {}),
      ...(tags ? { tags } : {}),
      ...(environment ? { environment } : {}),
      ...(engine ? { engine } : {}),
    };
    if (prefill.name) this.validate();
    void this.loadConfigNames();
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

  get creating(): boolean {
    return this.busy;
  }

  protected override fieldsOfKey(key: keyof DevMachineFormValues): string[] {
    return [key === 'acceleratorType' ? 'acceleratorCount' : key];
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
