import {
  decodeLifecycleScript,
  encodeLifecycleScript,
  LifecycleConfigSpecSchema,
  type LifecycleConfig,
  type LifecycleConfigSpec,
  type LifecycleScriptField,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { scriptSize, type ScriptSize } from './scriptSize.js';

/** The form's values as typed: the scripts in plain text, encoded on save. */
export interface LifecycleConfigFormValues {
  name: string;
  description: string;
  onCreate: string;
  onStart: string;
}

/** A spec path (`onStart`, or the API's `body.spec.onStart`) → the field that shows it. */
export function lifecycleFieldOfPath(path: string): string {
  const field = path.replace(/^body\.spec\.?/, '').split('.')[0];
  return field || 'name';
}

export function lifecycleValuesFrom(spec?: LifecycleConfigSpec): LifecycleConfigFormValues {
  return {
    name: spec?.name ?? '',
    description: spec?.description ?? '',
    onCreate: spec?.onCreate ? decodeLifecycleScript(spec.onCreate) : '',
    onStart: spec?.onStart ? decodeLifecycleScript(spec.onStart) : '',
  };
}

/** The spec the values describe: a script left blank is left out; the others go base64-encoded. */
export function lifecycleSpecOf(values: LifecycleConfigFormValues): Record<string, unknown> {
  const description = values.description.trim();
  const script = (field: LifecycleScriptField) =>
    values[field].trim() ? { [field]: encodeLifecycleScript(values[field]) } : {};
  return {
    name: values.name.trim(),
    ...(description ? { description } : {}),
    ...script('onCreate'),
    ...script('onStart'),
  };
}

/**
 * The create/edit form of a lifecycle config: its values, each problem at its field as typed (the
 * contract's `LifecycleConfigSpecSchema` judges the encoded spec; the API's 400/409 `issues` after
 * a save), the scripts' encoded sizes, and the save (create, or update of `editing`).
 */
export class LifecycleConfigFormModel extends FieldFormModel<LifecycleConfigFormValues> {
  constructor(
    connection: IConnectionModel,
    readonly editing?: LifecycleConfig,
  ) {
    super(connection, lifecycleValuesFrom(editing?.spec));
  }

  get saving(): boolean {
    return this.busy;
  }

  /** Each script's encoded size against the limit. */
  size(field: LifecycleScriptField): ScriptSize {
    return scriptSize(this._values[field]);
  }

  /** Nothing stops a save: no problem at any field and both scripts within the limit. */
  get canSave(): boolean {
    return !this.busy && this.errors.size === 0 && !this.size('onCreate').over && !this.size('onStart').over;
  }

  spec(): Record<string, unknown> {
    return lifecycleSpecOf(this._values);
  }

  protected fieldOfPath(path: string): string {
    return lifecycleFieldOfPath(path);
  }

  protected problems(values: LifecycleConfigFormValues): Map<string, string[]> {
    const parsed = LifecycleConfigSpecSchema.safeParse(lifecycleSpecOf(values));
    return problemsByField(judgedProblems([], parsed), lifecycleFieldOfPath);
  }

  /** Creates the config, or replaces the one edited; it, or undefined with the problems shown. */
  save(): Promise<LifecycleConfig | undefined> {
    const spec = this.spec() as LifecycleConfigSpec;
    const id = this.editing?.id;
    return this.submit(
      () => this.validate(),
      (client) =>
        id
          ? client.updateLifecycleConfig({ params: { id }, body: { spec } })
          : client.createLifecycleConfig({ body: { spec } }),
    );
  }
}
