import type { Service, UpdateServiceBody } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IConnectionModel } from '../../tokens.js';
import {
  formProblems,
  initialValues,
  PROBE_NAMES,
  ServiceFieldsModel,
  specInput,
  valuesFromSpec,
  type ServiceFormValues,
} from './serviceFormModel.js';

/**
 * The parts of an update, each sent alone: the serving version's replicas (scale), a new version
 * rolled out while the serving one answers, and who may call with the gateway's limits.
 */
export type UpdatePart = 'scale' | 'version' | 'settings';

const SETTINGS_FIELDS = new Set([
  ...['auth', 'noAuthConfirmed', 'description', 'limits'],
  ...['qpsPerReplica', 'concurrencyPerReplica', 'maxBodyMiB', 'upstreamTimeoutSeconds'],
]);

/** The part of the update form a field belongs to (a new version's replicas are the scale field's). */
export function partOfField(field: string): UpdatePart {
  if (field === 'replicas') return 'scale';
  return SETTINGS_FIELDS.has(field) ? 'settings' : 'version';
}

/** The keys of the values each part sends. */
const PART_KEYS: Record<UpdatePart, readonly (keyof ServiceFormValues)[]> = {
  scale: ['replicas'],
  version: [
    ...(['model', 'environment', 'image', 'code', 'requirements', 'env', 'command', 'port'] as const),
    ...(['cpu', 'memory', 'acceleratorType', 'acceleratorCount', 'replicas'] as const),
    ...PROBE_NAMES,
  ],
  settings: ['auth', 'description', 'qpsPerReplica', 'concurrencyPerReplica', 'maxBodyMiB', 'upstreamTimeoutSeconds'],
};

/** The service as the update form shows it: its serving version's spec, its auth, limits and description. */
export function valuesOfService(service: Service): ServiceFormValues {
  const serving = service.versions.find((v) => v.version === service.version) ?? service.versions.at(-1);
  const values = valuesFromSpec({
    name: service.name,
    ...(service.description ? { description: service.description } : {}),
    auth: service.auth,
    limits: service.limits,
    ...(serving ? { version: serving.spec } : {}),
  });
  // A service already open to anyone was said yes to when it was deployed.
  return { ...values, noAuthConfirmed: service.auth.includes('none') };
}

/**
 * The PATCH body of one part of the values (`UpdateServiceBodySchema`); the description is sent
 * when there is one, or to clear the one `base` had.
 */
export function updateBody(part: UpdatePart, values: ServiceFormValues, base?: ServiceFormValues): UpdateServiceBody {
  const spec = specInput(values) as { version: UpdateServiceBody['version']; limits: UpdateServiceBody['limits'] };
  switch (part) {
    case 'scale':
      return { replicas: values.replicas.trim() === '' ? Number.NaN : Number(values.replicas) };
    case 'version':
      return { version: spec.version };
    case 'settings': {
      const description = values.description.trim();
      return {
        auth: values.auth.split(',') as UpdateServiceBody['auth'],
        limits: spec.limits,
        ...(description || base?.description.trim() ? { description } : {}),
      };
    }
  }
}

/**
 * The update form of one service, prefilled from it: each field checked as typed with the deploy
 * form's rules (`formProblems`), each part sent alone as `PATCH /api/services/:name` (only once it
 * differs from the service), the API's 400 issues at their fields.
 */
export class ServiceUpdateModel extends ServiceFieldsModel {
  private _base: ServiceFormValues;
  private _loaded = false;
  private _deleted = false;
  private _sentPart: UpdatePart | undefined;

  constructor(
    connection: IConnectionModel,
    trans: TranslationBundle,
    readonly name: string,
  ) {
    super(connection, trans, initialValues());
    this._base = this._values;
  }

  /** The form was filled from the service (`reset`). */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The service was deleted: nothing is sent any more (`markDeleted`). */
  get deleted(): boolean {
    return this._deleted;
  }

  /** The service is gone: each part's button waits for good, `apply` and `scaleTo` send nothing. */
  markDeleted(): void {
    if (this._deleted) return;
    this._deleted = true;
    this.emit();
  }

  /** The part sent last or being sent (whose button says so). */
  get sentPart(): UpdatePart | undefined {
    return this._sentPart;
  }

  /** Fills the form from the service again, its problems cleared. */
  reset(service: Service): void {
    this._values = valuesOfService(service);
    this._base = this._values;
    this._loaded = true;
    this.validate();
  }

  /** The service changed: the form follows it unless something is typed in it (or nothing it shows changed). */
  follow(service: Service): void {
    if (this._deleted) return;
    if (!this._loaded) return this.reset(service);
    const parts: UpdatePart[] = ['scale', 'version', 'settings'];
    if (parts.some((part) => this.differs(part))) return;
    if (JSON.stringify(valuesOfService(service)) !== JSON.stringify(this._base)) this.reset(service);
  }

  /** The part's values differ from the service's. */
  differs(part: UpdatePart): boolean {
    return PART_KEYS[part].some((key) => JSON.stringify(this._values[key]) !== JSON.stringify(this._base[key]));
  }

  /** The problems shown in the part's fields. */
  problemsOf(part: UpdatePart): string[] {
    return [...this.errors.keys()].filter((field) => partOfField(field) === part);
  }

  protected override problems(values: ServiceFormValues): Map<string, string[]> {
    return formProblems({ ...values, name: this.name }, this.trans);
  }

  /** Sets the replicas and scales to them. */
  scaleTo(replicas: number): Promise<Service | undefined> {
    this.update({ replicas: String(replicas) });
    return this.apply('scale');
  }

  /**
   * Sends one part: the service as the server answered, or undefined with the problems at their
   * fields (or nothing sent: the service was deleted). A rolled-out version's replicas are the scale field's.
   */
  async apply(part: UpdatePart): Promise<Service | undefined> {
    if (this._deleted) return undefined;
    this._sentPart = part;
    const counts = (field: string) => partOfField(field) === part || (part === 'version' && field === 'replicas');
    // Nothing is sent for a part as the service has it (its button waits for a change).
    const ready = () => this.validate(counts) && this.differs(part);
    const sent = { ...this._values };
    const body = updateBody(part, sent, this._base);
    const service = await this.submit(ready, (client) => client.updateService({ params: { name: this.name }, body }));
    // What was sent is the service's now; the other parts keep what is typed in them.
    if (service) this._base = { ...this._base, ...pick(sent, PART_KEYS[part]) };
    this.emit();
    return service;
  }
}

function pick<V extends object>(values: V, keys: readonly (keyof V)[]): Partial<V> {
  const picked: Partial<V> = {};
  for (const key of keys) picked[key] = values[key];
  return picked;
}
