import {
  ANNOTATION_TYPES,
  DATASET_DATA_TYPES,
  type AnnotationType,
  type Asset,
  type DatasetDataType,
} from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { bindField, InputField, SelectField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import type { AssetCreateFormModel, AssetCreateValues, RedeemFormModel, RedeemValues } from '../model/assetForms.js';
import { annotationTypeLabel, dataTypeLabel, kindLabels } from './assetLabels.js';

function CancelButton({ trans, testId, onCancel }: { trans: TranslationBundle; testId: string; onCancel: () => void }) {
  return (
    <button type="button" className="jp-mod-styled" data-testid={testId} onClick={onCancel}>
      {trans.__('Cancel')}
    </button>
  );
}

/** New dataset (name, description, data and annotation type) or new model (name, description). */
export function AssetCreateForm(props: {
  form: AssetCreateFormModel;
  trans: TranslationBundle;
  onCreated: (asset: Asset) => void;
  onCancel: () => void;
}) {
  const { form, trans } = props;
  const datasets = form.kind === 'datasets';
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors } = form;
        const update = (patch: Partial<AssetCreateValues>) => form.update(patch);
        const bind = <K extends keyof AssetCreateValues & string>(key: K) => bindField(values, errors, update, key);
        return (
          <form
            className="aiplat-form aiplat-asset-form"
            data-testid="aiplat-asset-create-form"
            onSubmit={(e) => {
              e.preventDefault();
              void form.create().then((asset) => asset && props.onCreated(asset));
            }}
          >
            <fieldset className="aiplat-form-section">
              <legend>{kindLabels(form.kind, trans).create}</legend>
              <InputField
                label={trans.__('Name')}
                hint={trans.__('letters, digits, ".", "_" and "-"; it names a folder')}
                {...bind('name')}
              />
              <InputField label={trans.__('Description')} {...bind('description')} />
              {datasets && (
                <>
                  <SelectField<DatasetDataType>
                    label={trans.__('Data type')}
                    {...bind('dataType')}
                    options={DATASET_DATA_TYPES.map((t) => [t, dataTypeLabel(t, trans)] as const)}
                  />
                  <SelectField<AnnotationType>
                    label={trans.__('Annotation type')}
                    hint={trans.__('imports check each record against it')}
                    {...bind('annotationType')}
                    options={ANNOTATION_TYPES.map((t) => [t, annotationTypeLabel(t, trans)] as const)}
                  />
                </>
              )}
            </fieldset>
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['name', 'description', 'dataType', 'annotationType'])}
              busy={form.busy}
              label={trans.__('Create')}
              busyLabel={trans.__('Creating…')}
              testId="aiplat-asset-create"
              errorTestId="aiplat-asset-create-error"
            />
            <CancelButton trans={trans} testId="aiplat-asset-create-cancel" onCancel={props.onCancel} />
          </form>
        );
      }}
    </UseSignal>
  );
}

/** Add shared dataset / model: the token, and a name of its own when the user has one of the same name. */
export function RedeemForm(props: {
  form: RedeemFormModel;
  trans: TranslationBundle;
  onAdded: (asset: Asset) => void;
  onCancel: () => void;
}) {
  const { form, trans } = props;
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors } = form;
        const update = (patch: Partial<RedeemValues>) => form.update(patch);
        const bind = <K extends keyof RedeemValues & string>(key: K) => bindField(values, errors, update, key);
        return (
          <form
            className="aiplat-form aiplat-asset-form"
            data-testid="aiplat-asset-redeem-form"
            onSubmit={(e) => {
              e.preventDefault();
              void form.redeem().then((asset) => asset && props.onAdded(asset));
            }}
          >
            <fieldset className="aiplat-form-section">
              <legend>{kindLabels(form.kind, trans).redeem}</legend>
              <InputField
                label={trans.__('Share token')}
                hint={trans.__('the share token you were given')}
                {...bind('token')}
              />
              <InputField
                label={trans.__('Name in your list')}
                hint={trans.__('optional: needed when you already have one of the same name')}
                {...bind('name')}
              />
            </fieldset>
            {form.expired && (
              <div className="aiplat-error" role="alert" data-testid="aiplat-asset-redeem-expired">
                {trans.__('This share token has expired or was revoked: ask its owner for a new one.')}
              </div>
            )}
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['token', 'name'])}
              busy={form.busy}
              label={trans.__('Add')}
              busyLabel={trans.__('Adding…')}
              testId="aiplat-asset-redeem"
              errorTestId="aiplat-asset-redeem-error"
            />
            <CancelButton trans={trans} testId="aiplat-asset-redeem-cancel" onCancel={props.onCancel} />
          </form>
        );
      }}
    </UseSignal>
  );
}
