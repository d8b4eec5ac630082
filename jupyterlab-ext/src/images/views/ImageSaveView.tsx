import { formatBytes, type ImageSave, type ImageSavePreview } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CopyButton } from '../../services/views/CopyButton.js';
import { FormActions, FormProblems } from '../../training/views/FormActions.js';
import { bindField, CodeField, InputField } from '../../training/views/FormField.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { saveFraction, type ImageSaveModel, type ImageSaveValues } from '../model/imageSaveModel.js';
import { imageSaveStateLabel } from './imageLabels.js';

export interface ImageSaveProps {
  model: ImageSaveModel;
  trans: TranslationBundle;
}

type SkipReason = ImageSavePreview['skipped'][number]['reason'];

function skipReasonLabel(reason: SkipReason, trans: TranslationBundle): string {
  const labels: Record<SkipReason, string> = {
    system: trans.__('system folder'),
    mount: trans.__('mount point'),
    exclude: trans.__('excluded'),
    agent: trans.__('the snapshot agent'),
    socket: trans.__('socket'),
    unreadable: trans.__('unreadable'),
  };
  return labels[reason];
}

function SaveForm({ model, trans }: ImageSaveProps) {
  const { values, errors } = model;
  const bind = <K extends keyof ImageSaveValues & string>(key: K) =>
    bindField(values, errors, (patch) => model.update(patch), key);
  return (
    <form
      className="aiplat-form"
      data-testid="aiplat-image-save-form"
      onSubmit={(e) => {
        e.preventDefault();
        void model.loadPreview();
      }}
    >
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Image')}</legend>
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Repository')}
            hint={trans.__('lowercase letters, digits and . _ - separated by /')}
            {...bind('repository')}
          />
          <InputField label={trans.__('Tag')} hint={trans.__('e.g. v1')} {...bind('tag')} />
        </div>
        <InputField label={trans.__('Comment')} hint={trans.__('kept in the image’s history')} {...bind('comment')} />
        <CodeField
          label={trans.__('Leave out')}
          hint={trans.__('paths or patterns, one a line; empty: the default list (caches)')}
          rows={3}
          {...bind('excludes')}
        />
      </fieldset>
      <FormActions
        errors={errors}
        generalErrors={model.generalErrors}
        shown={new Set(['repository', 'tag', 'comment', 'excludes'])}
        busy={model.busy}
        label={trans.__('Preview')}
        busyLabel={trans.__('Looking at the changes…')}
        testId="aiplat-image-save-preview"
        errorTestId="aiplat-image-save-error"
      />
    </form>
  );
}

function PreviewSummary({ preview, trans }: { preview: ImageSavePreview; trans: TranslationBundle }) {
  return (
    <div className="aiplat-imageSave-preview" data-testid="aiplat-image-save-summary">
      <p>
        {trans.__('The new layer: %1 in %2 files', formatBytes(preview.bytes), preview.files.toLocaleString())}
        {' · '}
        {trans.__(
          '%1 added, %2 modified, %3 deleted',
          preview.added.toLocaleString(),
          (preview.modified + preview.replaced).toLocaleString(),
          preview.deleted.toLocaleString(),
        )}
      </p>
      {preview.largestDirectories.length > 0 && (
        <>
          <h4>{trans.__('Largest folders')}</h4>
          <table className="aiplat-jobView-instances">
            <tbody>
              {preview.largestDirectories.map((d) => (
                <tr key={d.path}>
                  <td>
                    <code>{d.path}</code>
                  </td>
                  <td>{formatBytes(d.bytes)}</td>
                  <td>{trans.__('%1 files', d.files.toLocaleString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {preview.skipped.length > 0 && (
        <>
          <h4>{trans.__('Left out')}</h4>
          <ul className="aiplat-imageSave-skipped">
            {preview.skipped.map((s) => (
              <li key={s.path}>
                <code>{s.path}</code> — {skipReasonLabel(s.reason, trans)}
                {s.detail && s.detail !== s.path ? ` (${s.detail})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {preview.excludes.length > 0 && (
        <>
          <h4>{trans.__('Exclude patterns in force')}</h4>
          <ul className="aiplat-imageSave-skipped">
            {preview.excludes.map((x) => (
              <li key={x.pattern}>
                <code>{x.pattern}</code>
                {x.reason ? ` — ${x.reason}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Progress({ save, trans }: { save: ImageSave; trans: TranslationBundle }) {
  const fraction = saveFraction(save);
  const { bytes, files, totalBytes, totalFiles } = save.progress;
  return (
    <div className="aiplat-jobView-progress" data-testid="aiplat-image-save-progress" data-state={save.state}>
      <span data-testid="aiplat-image-save-state">{imageSaveStateLabel(save.state, trans)}</span>
      {fraction === undefined ? <progress /> : <progress max={1} value={fraction} />}
      <span>
        {totalBytes ? `${formatBytes(bytes)} / ${formatBytes(totalBytes)}` : formatBytes(bytes)}
        {' · '}
        {totalFiles
          ? trans.__('%1 of %2 files', files.toLocaleString(), totalFiles.toLocaleString())
          : trans.__('%1 files', files.toLocaleString())}
      </span>
    </div>
  );
}

function Ended({ model, save, trans }: ImageSaveProps & { save: ImageSave }) {
  const ref = model.savedRef;
  return (
    <div className="aiplat-imageSave-ended" data-testid="aiplat-image-save-ended" data-state={save.state}>
      {ref && (
        <div className="aiplat-service-secretLine">
          <span>{trans.__('Saved as')}</span>
          <code data-testid="aiplat-image-save-ref">{ref}</code>
          <CopyButton text={ref} trans={trans} testId="aiplat-image-save-copy" />
        </div>
      )}
      {save.state === 'Failed' && (
        <div className="aiplat-error" role="alert" data-testid="aiplat-image-save-failure">
          {save.error ?? trans.__('The save failed.')}
        </div>
      )}
      {save.state === 'Cancelled' && <div>{trans.__('The save was cancelled; nothing was kept.')}</div>}
      {!ref && (
        <button className="jp-mod-styled" data-testid="aiplat-image-save-again" onClick={() => model.edit()}>
          {trans.__('Try again')}
        </button>
      )}
    </div>
  );
}

export function ImageSaveBody(props: ImageSaveProps) {
  const { model, trans } = props;
  const { preview, save } = model;
  const step = model.step;
  return (
    <div className="aiplat-imageSave" data-testid="aiplat-image-save" data-step={step}>
      <h2>{trans.__('Save %1 as an image', model.devMachine.name)}</h2>
      {step === 'form' && <SaveForm {...props} />}
      {step !== 'form' && (
        <p data-testid="aiplat-image-save-name">
          <code>
            {model.values.repository}:{model.values.tag}
          </code>
          {model.values.comment ? ` — ${model.values.comment}` : ''}
        </p>
      )}
      {preview && step !== 'form' && <PreviewSummary preview={preview} trans={trans} />}
      {step === 'preview' && (
        <>
          <FormProblems errors={model.errors} generalErrors={model.generalErrors} testId="aiplat-image-save-error" />
          <div className="aiplat-form-actions">
            <button className="jp-mod-styled" data-testid="aiplat-image-save-back" onClick={() => model.edit()}>
              {trans.__('Back')}
            </button>
            <button
              className="jp-mod-styled"
              data-testid="aiplat-image-save-edit-excludes"
              onClick={() => model.editExcludes()}
            >
              {trans.__('Change what is left out')}
            </button>
            <button
              className="jp-mod-styled jp-mod-accept"
              data-testid="aiplat-image-save-start"
              disabled={model.busy}
              onClick={() => void model.start()}
            >
              {model.busy ? trans.__('Starting…') : trans.__('Save')}
            </button>
          </div>
        </>
      )}
      {save && <Progress save={save} trans={trans} />}
      {step === 'saving' && (
        <>
          <FormProblems errors={model.errors} generalErrors={model.generalErrors} testId="aiplat-image-save-error" />
          <button
            className="jp-mod-styled jp-mod-warn"
            data-testid="aiplat-image-save-cancel"
            disabled={model.cancelling}
            onClick={() => void model.cancel()}
          >
            {model.cancelling ? trans.__('Cancelling…') : trans.__('Cancel')}
          </button>
        </>
      )}
      {save && step === 'ended' && <Ended {...props} save={save} />}
    </div>
  );
}

/** "Save environment as image" of one dev machine, in the main area. */
export class ImageSaveView extends ModelWidget<ImageSaveProps> {
  constructor(props: ImageSaveProps) {
    super(props, props.model.changed, ImageSaveBody, 'aiplat-image-save-view');
  }
}
