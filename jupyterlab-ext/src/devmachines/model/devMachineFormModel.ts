import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  DevMachineSpecSchema,
  isApiError,
  type DevMachine,
  type DevMachineSpec,
} from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
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
}

const IDES: Record<IdeChoice, DevMachineSpec['ides']> = {
  both: ['jupyterlab', 'code-server'],
  jupyterlab: ['jupyterlab'],
  'code-server': ['code-server'],
};

/** A spec path (`resources.accelerator.count`, or the API's `body.spec.…`) → the field that shows it. */
export function fieldOfPath(path: string): string {
  const spec = path.replace(/^body\.spec\.?/, '');
  if (spec.startsWith('resources.accelerator')) return 'acceleratorCount';
  if (spec.startsWith('resources.')) return spec.slice('resources.'.length).split('.')[0] ?? 'resources';
  if (spec.startsWith('ides')) return 'ides';
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
  };
}

/**
 * The create form of a dev machine: its values, each problem at its field as it is typed (the
 * contract's `DevMachineSpecSchema` judges; the API's 400 `issues` after a create), and the create.
 * A copy keeps what the form does not show (env, description, tags, environment).
 */
export class DevMachineFormModel extends ChangingModel {
  private _values: DevMachineFormValues;
  private _errors = new Map<string, string[]>();
  private _generalErrors: string[] = [];
  private _creating = false;
  private readonly _kept: Partial<DevMachineSpec>;

  constructor(
    private readonly _connection: IConnectionModel,
    prefill: Partial<DevMachineSpec> = {},
  ) {
    super();
    const { description, tags, environment, engine } = prefill;
    this._kept = {
      ...(description ? { description } : {}),
      ...(tags ? { tags } : {}),
      ...(environment ? { environment } : {}),
      ...(engine ? { engine } : {}),
    };
    this._values = valuesFromSpec(prefill);
    if (prefill.name) this.validate();
  }

  get values(): DevMachineFormValues {
    return this._values;
  }

  get errors(): ReadonlyMap<string, readonly string[]> {
    return this._errors;
  }

  get generalErrors(): readonly string[] {
    return this._generalErrors;
  }

  get creating(): boolean {
    return this._creating;
  }

  /** Changes values; the fields changed are checked at once (the others keep what they showed). */
  update(values: Partial<DevMachineFormValues>): void {
    this._values = { ...this._values, ...values };
    const problems = this._problems();
    for (const key of Object.keys(values)) {
      const field = key === 'acceleratorType' ? 'acceleratorCount' : key;
      const found = problems.get(field);
      if (found) this._errors.set(field, found);
      else this._errors.delete(field);
    }
    this.emit();
  }

  /** The spec the values describe, before the contract's judgement. */
  input(issues: FieldIssue[] = []): Record<string, unknown> {
    const v = this._values;
    const env = parseAssignments(v.env, 'env', issues);
    const type = v.acceleratorType;
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
    };
  }

  /** Checks every field; true when there is nothing to fix. */
  validate(): boolean {
    this._errors = this._problems();
    this._generalErrors = [];
    this.emit();
    return this._errors.size === 0;
  }

  private _problems(): Map<string, string[]> {
    const problems = new Map<string, string[]>();
    const typed: FieldIssue[] = [];
    const parsed = DevMachineSpecSchema.safeParse(this.input(typed));
    const all = [
      ...typed,
      ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))),
    ];
    for (const issue of all) {
      const field = fieldOfPath(issue.field);
      const list = problems.get(field) ?? [];
      if (!list.includes(issue.message)) list.push(issue.message);
      problems.set(field, list);
    }
    return problems;
  }

  /** Creates (and starts) the dev machine; it, or undefined with the problems at their fields. */
  async create(): Promise<DevMachine | undefined> {
    if (this._creating || !this.validate()) return undefined;
    const client = this._connection.client;
    if (!client) {
      this._generalErrors = ['not connected to the AI Platform server'];
      this.emit();
      return undefined;
    }
    this._creating = true;
    this.emit();
    try {
      return await client.createDevMachine({ body: { spec: this.input() as DevMachineSpec, start: true } });
    } catch (e) {
      if (isApiError(e) && e.issues?.length) {
        for (const issue of e.issues) {
          const field = fieldOfPath(issue.path);
          this._errors.set(field, [...(this._errors.get(field) ?? []), issue.message]);
        }
      } else {
        this._generalErrors = [e instanceof Error ? e.message : String(e)];
      }
      return undefined;
    } finally {
      this._creating = false;
      this.emit();
    }
  }
}
