import { formatBytes } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { bindField, FieldProblems, InputField, SelectField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import type { AssetImportModel, ImportChoice, ImportValues } from '../model/assetImportModel.js';
import type { AssetTask } from '@aiplat/api';
import { importChoiceLabel } from './assetLabels.js';

/**
 * Import into a dataset's folder, or as a model's new version: the source, its fields, and Import.
 * The task it starts shows on the asset's row.
 */
export function ImportForm(props: {
  form: AssetImportModel;
  trans: TranslationBundle;
  onStarted: (task: AssetTask) => void;
  onCancel: () => void;
}) {
  const { form, trans } = props;
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors } = form;
        const update = (patch: Partial<ImportValues>) => form.update(patch);
        const bind = <K extends keyof ImportValues & string>(key: K) => bindField(values, errors, update, key);
        const extract = (
          <label className="aiplat-form-check">
            <input
              type="checkbox"
              data-testid="aiplat-asset-import-extract"
              checked={values.extract}
              onChange={(e) => update({ extract: e.target.checked })}
            />
            {trans.__('Extract archives (zip, tar, tar.gz)')}
          </label>
        );
        return (
          <form
            className="aiplat-form aiplat-asset-form"
            data-testid="aiplat-asset-import-form"
            onSubmit={(e) => {
              e.preventDefault();
              void form.start().then((task) => task && props.onStarted(task));
            }}
          >
            <SelectField<ImportChoice>
              label={trans.__('Import from')}
              {...bind('source')}
              options={form.choices.map((c) => [c, importChoiceLabel(c, trans)] as const)}
            />
            {values.source === 'folder' && (
              <InputField
                label={trans.__('Folder')}
                hint={trans.__('relative to /work, e.g. home/data/raw')}
                {...bind('path')}
              />
            )}
            {values.source === 'job' && (
              <>
                <InputField label={trans.__('Job id')} hint={trans.__("a finished job's id")} {...bind('jobId')} />
                <InputField
                  label={trans.__('Folder in the job')}
                  hint={trans.__("optional: a folder inside the job's working folder")}
                  {...bind('subPath')}
                />
              </>
            )}
            {values.source === 'url' && (
              <>
                <InputField
                  label={trans.__('Download link')}
                  hint={trans.__('an http(s) link to a file or an archive')}
                  {...bind('url')}
                />
                {extract}
              </>
            )}
            {values.source === 'share' && (
              <InputField
                label={trans.__('Share token')}
                hint={trans.__('imports the latest version of the shared model as a new version')}
                {...bind('token')}
              />
            )}
            {values.source === 'upload' && (
              <div className="aiplat-form-field">
                <label htmlFor="aiplat-asset-import-file">{trans.__('File or archive')}</label>
                <input
                  id="aiplat-asset-import-file"
                  type="file"
                  data-testid="aiplat-asset-import-file"
                  onChange={(e) => update({ file: e.target.files?.[0] })}
                />
                {values.file && (
                  <div className="aiplat-form-hint">
                    {values.file.name} · {formatBytes(values.file.size)}
                  </div>
                )}
                <FieldProblems field="file" errors={errors} />
                {extract}
              </div>
            )}
            {form.kind === 'models' && (
              <InputField
                label={trans.__('Version description')}
                hint={trans.__('optional')}
                {...bind('description')}
              />
            )}
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['source', 'path', 'jobId', 'subPath', 'url', 'token', 'file', 'description'])}
              busy={form.busy || !form.ready}
              label={trans.__('Import')}
              busyLabel={form.busy ? trans.__('Starting…') : trans.__('Import')}
              testId="aiplat-asset-import-start"
              errorTestId="aiplat-asset-import-error"
            />
            <button
              type="button"
              className="jp-mod-styled"
              data-testid="aiplat-asset-import-cancel"
              onClick={props.onCancel}
            >
              {trans.__('Cancel')}
            </button>
          </form>
        );
      }}
    </UseSignal>
  );
}
