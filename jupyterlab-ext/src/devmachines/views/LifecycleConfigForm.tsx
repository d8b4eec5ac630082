import type { LifecycleConfig, LifecycleScriptField } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { bindField, FieldProblems, InputField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import type { LifecycleConfigFormModel, LifecycleConfigFormValues } from '../model/lifecycleConfigFormModel.js';
import { formatCount } from '../model/scriptSize.js';

interface ScriptFieldProps {
  form: LifecycleConfigFormModel;
  field: LifecycleScriptField;
  /** The script's short name in the size line (on-start). */
  short: string;
  label: string;
  hint: string;
  trans: TranslationBundle;
}

/** A script in plain text, with its encoded size against the limit as it is typed. */
function ScriptField({ form, field, short, label, hint, trans }: ScriptFieldProps) {
  const id = `aiplat-field-${field}`;
  const size = form.size(field);
  const invalid = size.over || (form.errors.get(field)?.length ?? 0) > 0;
  return (
    <div className={`aiplat-form-field${invalid ? ' aiplat-mod-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        data-testid={id}
        aria-invalid={invalid}
        className="jp-mod-styled aiplat-form-code aiplat-lifecycle-script"
        rows={10}
        spellCheck={false}
        value={form.values[field]}
        onChange={(e) => {
          const text = e.target.value;
          form.update(field === 'onCreate' ? { onCreate: text } : { onStart: text });
        }}
      />
      <div
        className={`aiplat-form-hint aiplat-lifecycle-size${size.over ? ' aiplat-mod-over' : ''}`}
        data-testid={`aiplat-lifecycle-size-${field}`}
        data-over={size.over}
      >
        {trans.__('%1: %2 / %3 characters encoded', short, formatCount(size.encoded), formatCount(size.limit))}
      </div>
      <div className="aiplat-form-hint">{hint}</div>
      <FieldProblems field={field} errors={form.errors} />
    </div>
  );
}

export interface LifecycleConfigFormProps {
  form: LifecycleConfigFormModel;
  trans: TranslationBundle;
  onSaved: (config: LifecycleConfig) => void;
  onCancel: () => void;
}

/** The create/edit form of a lifecycle config: name, description and the two scripts. */
export function LifecycleConfigForm(props: LifecycleConfigFormProps) {
  const { form, trans } = props;
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors } = form;
        const update = (patch: Partial<LifecycleConfigFormValues>) => form.update(patch);
        const bind = <K extends keyof LifecycleConfigFormValues & string>(key: K) =>
          bindField(values, errors, update, key);
        const editing = form.editing;
        return (
          <form
            className="aiplat-form aiplat-lifecycleConfigForm"
            data-testid="aiplat-lifecycleconfig-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!form.canSave) return;
              void form.save().then((saved) => saved && props.onSaved(saved));
            }}
          >
            <fieldset className="aiplat-form-section">
              <legend>{editing ? trans.__('Edit %1', editing.spec.name) : trans.__('New lifecycle config')}</legend>
              <InputField label={trans.__('Name')} hint={trans.__('letters, digits, _ and -')} {...bind('name')} />
              <InputField label={trans.__('Description')} {...bind('description')} />
              <ScriptField
                form={form}
                field="onCreate"
                short={trans.__('on-create')}
                label={trans.__('On-create script')}
                hint={trans.__('Runs once, at the first start, before the IDEs (at most 5 minutes).')}
                trans={trans}
              />
              <ScriptField
                form={form}
                field="onStart"
                short={trans.__('on-start')}
                label={trans.__('On-start script')}
                hint={trans.__('Runs at every start, before the IDEs (at most 5 minutes).')}
                trans={trans}
              />
            </fieldset>
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['name', 'description', 'onCreate', 'onStart'])}
              busy={form.saving || !form.canSave}
              label={editing ? trans.__('Save') : trans.__('Create')}
              busyLabel={form.saving ? trans.__('Saving…') : editing ? trans.__('Save') : trans.__('Create')}
              testId="aiplat-lifecycleconfig-save"
              errorTestId="aiplat-lifecycleconfig-form-error"
            />
            <div className="aiplat-form-actions">
              <button
                type="button"
                className="jp-mod-styled"
                data-testid="aiplat-lifecycleconfig-cancel"
                onClick={props.onCancel}
              >
                {trans.__('Cancel')}
              </button>
            </div>
          </form>
        );
      }}
    </UseSignal>
  );
}
