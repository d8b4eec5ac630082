import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { bindField, InputField, SelectField, type FieldErrors } from './FormField.js';
import { acceleratorOptions } from './labels.js';

/** The resource fields a form has at its top level (dev machines, a service's replicas). */
export interface ResourceRowValues {
  cpu: string;
  memory: string;
  acceleratorType: 'none' | 'nvidia' | 'ascend';
  acceleratorCount: string;
}

/** CPU, memory and accelerators in one row (`children` after them), their problems at each field. */
export function ResourceRow<V extends ResourceRowValues>(props: {
  values: V;
  errors: FieldErrors;
  update: (patch: Partial<V>) => void;
  trans: TranslationBundle;
  children?: React.ReactNode;
}) {
  const { values, errors, update, trans } = props;
  const bind = <K extends keyof ResourceRowValues & string>(key: K) =>
    bindField(values as ResourceRowValues, errors, update as (patch: Partial<ResourceRowValues>) => void, key);
  return (
    <div className="aiplat-form-row">
      <InputField label={trans.__('CPU cores')} {...bind('cpu')} />
      <InputField label={trans.__('Memory')} hint={trans.__('e.g. 512Mi, 2Gi')} {...bind('memory')} />
      <SelectField label={trans.__('Accelerator')} {...bind('acceleratorType')} options={acceleratorOptions(trans)} />
      <InputField
        label={trans.__('Accelerators')}
        hint={trans.__('whole devices, or a share from 0.1 to 1')}
        disabled={values.acceleratorType === 'none'}
        {...bind('acceleratorCount')}
      />
      {props.children}
    </div>
  );
}
