import { JOB_MODES, type AcceleratorType, type JobDetail } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import { ImageField } from '../../images/views/ImageField.js';
import type { JobFormModel } from '../model/jobFormModel.js';
import { defaultWorkerGroup, type JobFormValues, type ResourceValues } from '../model/jobFormValues.js';
import { scriptCommand, torchrunCommand } from '../model/scriptPrefill.js';
import { bindField, CodeField, FieldProblems, InputField, SelectField, type FieldErrors } from './FormField.js';
import { acceleratorOptions, jobModeLabel } from './labels.js';
import { ModelWidget } from './ModelWidget.js';

export interface JobFormProps {
  model: JobFormModel;
  trans: TranslationBundle;
  /** The script the form was opened for ("Train this script"), to offer its commands. */
  scriptFile?: string;
  /** The catalog's images, offered in the image field. */
  images?: ImageChoices;
  onSubmitted: (job: JobDetail) => void;
}

function ResourceFields(props: {
  prefix: string;
  values: ResourceValues;
  errors: FieldErrors;
  trans: TranslationBundle;
  onChange: (values: ResourceValues) => void;
}) {
  const { prefix, values, errors, trans, onChange } = props;
  const set = (patch: Partial<ResourceValues>) => onChange({ ...values, ...patch });
  const bind = <K extends keyof ResourceValues & string>(key: K, field: string = key) =>
    bindField(values, errors, set, key, `${prefix}.${field}`);
  return (
    <div className="aiplat-form-row">
      <InputField label={trans.__('CPU cores')} {...bind('cpu')} />
      <InputField label={trans.__('Memory')} hint={trans.__('e.g. 512Mi, 2Gi')} {...bind('memory')} />
      <SelectField
        field={`${prefix}.accelerator.type`}
        label={trans.__('Accelerator')}
        errors={errors}
        value={values.acceleratorType}
        options={acceleratorOptions(trans)}
        onChange={(type: AcceleratorType) =>
          set({
            acceleratorType: type,
            acceleratorCount: type === 'none' ? '0' : values.acceleratorCount === '0' ? '1' : values.acceleratorCount,
          })
        }
      />
      <InputField
        label={trans.__('Accelerators per node')}
        hint={trans.__('whole devices, or a share from 0.1 to 1')}
        disabled={values.acceleratorType === 'none'}
        {...bind('acceleratorCount', 'accelerator.count')}
      />
    </div>
  );
}

function Topology({ values, errors, trans, update }: SectionProps) {
  const bind = <K extends keyof JobFormValues & string>(key: K) => bindField(values, errors, update, key);
  switch (values.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return (
        <fieldset className="aiplat-form-section">
          <legend>{trans.__('Nodes and resources per node')}</legend>
          <InputField label={trans.__('Nodes')} number={{ min: 1 }} {...bind('nodes')} />
          <ResourceFields
            prefix="resources"
            values={values.resources}
            errors={errors}
            trans={trans}
            onChange={(resources) => update({ resources })}
          />
        </fieldset>
      );
    case 'ps-worker':
      return (
        <fieldset className="aiplat-form-section">
          <legend>{trans.__('Parameter servers and workers')}</legend>
          <div className="aiplat-form-row">
            <InputField label={trans.__('Parameter servers')} number={{ min: 1 }} {...bind('ps')} />
            <InputField label={trans.__('Workers')} number={{ min: 1 }} {...bind('workers')} />
          </div>
          <ResourceFields
            prefix="resources"
            values={values.resources}
            errors={errors}
            trans={trans}
            onChange={(resources) => update({ resources })}
          />
          <label className="aiplat-form-check">
            <input
              type="checkbox"
              data-testid="aiplat-field-separatePsResources"
              checked={values.separatePsResources}
              onChange={(e) => update({ separatePsResources: e.target.checked })}
            />
            {trans.__('Other resources for the parameter servers')}
          </label>
          {values.separatePsResources && (
            <ResourceFields
              prefix="psResources"
              values={values.psResources}
              errors={errors}
              trans={trans}
              onChange={(psResources) => update({ psResources })}
            />
          )}
        </fieldset>
      );
    case 'ray':
      return (
        <fieldset className="aiplat-form-section">
          <legend>{trans.__('Ray head and worker groups')}</legend>
          <div className="aiplat-form-subtitle">{trans.__('Head')}</div>
          <ResourceFields
            prefix="head.resources"
            values={values.headResources}
            errors={errors}
            trans={trans}
            onChange={(headResources) => update({ headResources })}
          />
          <FieldProblems field="workerGroups" errors={errors} />
          {values.workerGroups.map((group, i) => {
            const setGroup = (patch: Partial<typeof group>) =>
              update({ workerGroups: values.workerGroups.map((g, j) => (j === i ? { ...g, ...patch } : g)) });
            const bindGroup = <K extends keyof typeof group & string>(key: K) =>
              bindField(group, errors, setGroup, key, `workerGroups.${i}.${key}`);
            return (
              <div className="aiplat-form-group" key={i} data-testid={`aiplat-worker-group-${i}`}>
                <div className="aiplat-form-row">
                  <InputField label={trans.__('Group name')} {...bindGroup('name')} />
                  <InputField label={trans.__('Replicas')} number={{ min: 1 }} {...bindGroup('replicas')} />
                  <button
                    type="button"
                    className="jp-mod-styled"
                    data-testid={`aiplat-remove-worker-group-${i}`}
                    onClick={() => update({ workerGroups: values.workerGroups.filter((_, j) => j !== i) })}
                  >
                    {trans.__('Remove')}
                  </button>
                </div>
                <ResourceFields
                  prefix={`workerGroups.${i}.resources`}
                  values={group.resources}
                  errors={errors}
                  trans={trans}
                  onChange={(resources) => setGroup({ resources })}
                />
              </div>
            );
          })}
          <button
            type="button"
            className="jp-mod-styled"
            data-testid="aiplat-add-worker-group"
            disabled={values.workerGroups.length >= 5}
            onClick={() =>
              update({ workerGroups: [...values.workerGroups, defaultWorkerGroup(values.workerGroups.length)] })
            }
          >
            {trans.__('Add worker group')}
          </button>
        </fieldset>
      );
  }
}

interface SectionProps {
  values: JobFormValues;
  errors: FieldErrors;
  trans: TranslationBundle;
  update: (values: Partial<JobFormValues>) => void;
}

const PRIORITY_OPTIONS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [String(n), `P${n}`] as const);

function JobForm({ model, trans, scriptFile, images, onSubmitted }: JobFormProps) {
  const { values, errors } = model;
  const update = (patch: Partial<JobFormValues>) => model.update(patch);
  const section = { values, errors, trans, update };
  const bind = <K extends keyof JobFormValues & string>(key: K, field?: string) =>
    bindField(values, errors, update, key, field);
  const submit = async () => {
    const job = await model.submit();
    if (job) onSubmitted(job);
  };
  return (
    <form
      className="aiplat-jobForm"
      data-testid="aiplat-job-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{trans.__('New training job')}</h2>
      {model.generalErrors.length > 0 && (
        <div className="aiplat-error" data-testid="aiplat-form-errors" role="alert">
          {model.generalErrors.map((m, i) => (
            <div key={i}>{m}</div>
          ))}
        </div>
      )}
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Job')}</legend>
        <div className="aiplat-form-row">
          <InputField label={trans.__('Name')} {...bind('name')} />
          <SelectField
            label={trans.__('Mode')}
            options={JOB_MODES.map((m) => [m, jobModeLabel(m, trans)] as const)}
            {...bind('mode')}
          />
          <SelectField
            label={trans.__('Engine')}
            options={[
              ['', trans.__('Server default')],
              ['local', trans.__('Local')],
              ['kubernetes', trans.__('Kubernetes')],
            ]}
            {...bind('engine')}
          />
        </div>
        <InputField label={trans.__('Description')} {...bind('description')} />
        <CodeField
          label={trans.__('Command')}
          hint={trans.__('Shell command every node runs, in the working folder')}
          rows={3}
          {...bind('command')}
        />
        {scriptFile && (
          <div className="aiplat-form-row">
            <button
              type="button"
              className="jp-mod-styled"
              data-testid="aiplat-command-python"
              onClick={() => update({ command: scriptCommand(scriptFile) })}
            >
              {trans.__('Run with python')}
            </button>
            <button
              type="button"
              className="jp-mod-styled"
              data-testid="aiplat-command-torchrun"
              onClick={() => update({ command: torchrunCommand(scriptFile), mode: 'ddp' })}
            >
              {trans.__('Run with torchrun')}
            </button>
          </div>
        )}
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Working folder')}
            hint={trans.__('relative to /work, e.g. home/mnist')}
            {...bind('workingDir')}
          />
          <ImageField
            images={images}
            trans={trans}
            label={trans.__('Image')}
            hint={trans.__('e.g. pytorch:2.3')}
            {...bind('image')}
          />
        </div>
      </fieldset>
      <Topology {...section} />
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Environment and hyperparameters')}</legend>
        <CodeField
          label={trans.__('Environment variables')}
          hint={trans.__('NAME=value, one a line')}
          rows={3}
          {...bind('env')}
        />
        <CodeField
          label={trans.__('Hyperparameters (JSON)')}
          hint={trans.__('A JSON object, written to the file at $HYPERPARAMETERS_PATH')}
          rows={4}
          {...bind('hyperparameters')}
        />
        <CodeField label={trans.__('Tags')} hint={trans.__('key=value, one a line')} rows={2} {...bind('tags')} />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Datasets and models')}</legend>
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Datasets')}
            hint={trans.__('Published datasets, e.g. alpaca-zh@v2, faq: each read as $AIPLAT_DATASET_<NAME>')}
            {...bind('datasets')}
          />
          <InputField
            label={trans.__('Models')}
            hint={trans.__('Model versions to start from, e.g. tiny-llama@v1: each read as $AIPLAT_MODEL_<NAME>')}
            {...bind('models')}
          />
        </div>
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Scheduling')}</legend>
        <div className="aiplat-form-row">
          <SelectField
            label={trans.__('Priority')}
            hint={trans.__('P0 is the highest')}
            options={PRIORITY_OPTIONS}
            {...bind('priority')}
          />
          <InputField label={trans.__('Queue')} {...bind('queue')} />
          <InputField
            label={trans.__('Auto-restart (times)')}
            hint={trans.__('Run again after a failure, at most this many times')}
            number={{ min: 0, max: 10 }}
            {...bind('maxRestarts', 'autoRestart.maxRestarts')}
          />
        </div>
      </fieldset>
      <div className="aiplat-form-actions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-submit-job"
          disabled={model.submitting}
        >
          {model.submitting ? trans.__('Submitting…') : trans.__('Submit job')}
        </button>
      </div>
    </form>
  );
}

/** The new-job form, opened in the main area. */
export class JobFormView extends ModelWidget<JobFormProps> {
  constructor(props: JobFormProps) {
    super(props, props.model.changed, JobForm, 'aiplat-jobForm-widget');
  }
}
