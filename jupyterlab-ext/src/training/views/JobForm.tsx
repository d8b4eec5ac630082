import { JOB_MODES, type AcceleratorType, type JobDetail, type JobMode } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { JobFormModel } from '../model/jobFormModel.js';
import { defaultWorkerGroup, type JobFormValues, type ResourceValues } from '../model/jobFormValues.js';
import { scriptCommand, torchrunCommand } from '../model/scriptPrefill.js';
import { CodeField, InputField, SelectField, type FieldErrors } from './FormField.js';
import { jobModeLabel } from './labels.js';
import { ModelWidget } from './ModelWidget.js';

export interface JobFormProps {
  model: JobFormModel;
  trans: TranslationBundle;
  /** The script the form was opened for ("Train this script"), to offer its commands. */
  scriptFile?: string;
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
  return (
    <div className="aiplat-form-row">
      <InputField
        field={`${prefix}.cpu`}
        label={trans.__('CPU cores')}
        errors={errors}
        value={values.cpu}
        onChange={(cpu) => set({ cpu })}
      />
      <InputField
        field={`${prefix}.memory`}
        label={trans.__('Memory')}
        errors={errors}
        hint={trans.__('e.g. 512Mi, 2Gi')}
        value={values.memory}
        onChange={(memory) => set({ memory })}
      />
      <SelectField
        field={`${prefix}.accelerator.type`}
        label={trans.__('Accelerator')}
        errors={errors}
        value={values.acceleratorType}
        options={[
          ['none', trans.__('None')],
          ['nvidia', trans.__('NVIDIA GPU')],
          ['ascend', trans.__('Ascend NPU')],
        ]}
        onChange={(type: AcceleratorType) =>
          set({
            acceleratorType: type,
            acceleratorCount: type === 'none' ? '0' : values.acceleratorCount === '0' ? '1' : values.acceleratorCount,
          })
        }
      />
      <InputField
        field={`${prefix}.accelerator.count`}
        label={trans.__('Accelerators per node')}
        errors={errors}
        hint={trans.__('whole devices, or a share from 0.1 to 1')}
        value={values.acceleratorCount}
        disabled={values.acceleratorType === 'none'}
        onChange={(acceleratorCount) => set({ acceleratorCount })}
      />
    </div>
  );
}

function Topology({ values, errors, trans, update }: SectionProps) {
  switch (values.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
      return (
        <fieldset className="aiplat-form-section">
          <legend>{trans.__('Nodes and resources per node')}</legend>
          <InputField
            field="nodes"
            label={trans.__('Nodes')}
            errors={errors}
            number={{ min: 1 }}
            value={values.nodes}
            onChange={(nodes) => update({ nodes })}
          />
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
            <InputField
              field="ps"
              label={trans.__('Parameter servers')}
              errors={errors}
              number={{ min: 1 }}
              value={values.ps}
              onChange={(ps) => update({ ps })}
            />
            <InputField
              field="workers"
              label={trans.__('Workers')}
              errors={errors}
              number={{ min: 1 }}
              value={values.workers}
              onChange={(workers) => update({ workers })}
            />
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
          {(errors.get('workerGroups') ?? []).length > 0 && (
            <div className="aiplat-form-error" data-testid="aiplat-field-error-workerGroups" role="alert">
              {errors.get('workerGroups')?.join(' · ')}
            </div>
          )}
          {values.workerGroups.map((group, i) => {
            const setGroup = (patch: Partial<typeof group>) =>
              update({ workerGroups: values.workerGroups.map((g, j) => (j === i ? { ...g, ...patch } : g)) });
            return (
              <div className="aiplat-form-group" key={i} data-testid={`aiplat-worker-group-${i}`}>
                <div className="aiplat-form-row">
                  <InputField
                    field={`workerGroups.${i}.name`}
                    label={trans.__('Group name')}
                    errors={errors}
                    value={group.name}
                    onChange={(name) => setGroup({ name })}
                  />
                  <InputField
                    field={`workerGroups.${i}.replicas`}
                    label={trans.__('Replicas')}
                    errors={errors}
                    number={{ min: 1 }}
                    value={group.replicas}
                    onChange={(replicas) => setGroup({ replicas })}
                  />
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

function JobForm({ model, trans, scriptFile, onSubmitted }: JobFormProps) {
  const { values, errors } = model;
  const update = (patch: Partial<JobFormValues>) => model.update(patch);
  const section = { values, errors, trans, update };
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
          <InputField
            field="name"
            label={trans.__('Name')}
            errors={errors}
            value={values.name}
            onChange={(name) => update({ name })}
          />
          <SelectField
            field="mode"
            label={trans.__('Mode')}
            errors={errors}
            value={values.mode}
            options={JOB_MODES.map((m) => [m, jobModeLabel(m, trans)] as const)}
            onChange={(mode: JobMode) => update({ mode })}
          />
          <SelectField
            field="engine"
            label={trans.__('Engine')}
            errors={errors}
            value={values.engine}
            options={[
              ['', trans.__('Server default')],
              ['local', trans.__('Local')],
              ['kubernetes', trans.__('Kubernetes')],
            ]}
            onChange={(engine: JobFormValues['engine']) => update({ engine })}
          />
        </div>
        <InputField
          field="description"
          label={trans.__('Description')}
          errors={errors}
          value={values.description}
          onChange={(description) => update({ description })}
        />
        <CodeField
          field="command"
          label={trans.__('Command')}
          errors={errors}
          hint={trans.__('Shell command every node runs, in the working folder')}
          rows={3}
          value={values.command}
          onChange={(command) => update({ command })}
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
            field="workingDir"
            label={trans.__('Working folder')}
            errors={errors}
            hint={trans.__('relative to /work, e.g. home/mnist')}
            value={values.workingDir}
            onChange={(workingDir) => update({ workingDir })}
          />
          <InputField
            field="image"
            label={trans.__('Image')}
            errors={errors}
            hint={trans.__('e.g. pytorch:2.3')}
            value={values.image}
            onChange={(image) => update({ image })}
          />
        </div>
      </fieldset>
      <Topology {...section} />
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Environment and hyperparameters')}</legend>
        <CodeField
          field="env"
          label={trans.__('Environment variables')}
          errors={errors}
          hint={trans.__('NAME=value, one a line')}
          rows={3}
          value={values.env}
          onChange={(env) => update({ env })}
        />
        <CodeField
          field="hyperparameters"
          label={trans.__('Hyperparameters (JSON)')}
          errors={errors}
          hint={trans.__('A JSON object, written to the file at $HYPERPARAMETERS_PATH')}
          rows={4}
          value={values.hyperparameters}
          onChange={(hyperparameters) => update({ hyperparameters })}
        />
        <CodeField
          field="tags"
          label={trans.__('Tags')}
          errors={errors}
          hint={trans.__('key=value, one a line')}
          rows={2}
          value={values.tags}
          onChange={(tags) => update({ tags })}
        />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Scheduling')}</legend>
        <div className="aiplat-form-row">
          <SelectField
            field="priority"
            label={trans.__('Priority')}
            errors={errors}
            hint={trans.__('P0 is the highest')}
            value={values.priority}
            options={PRIORITY_OPTIONS}
            onChange={(priority) => update({ priority })}
          />
          <InputField
            field="queue"
            label={trans.__('Queue')}
            errors={errors}
            value={values.queue}
            onChange={(queue) => update({ queue })}
          />
          <InputField
            field="autoRestart.maxRestarts"
            label={trans.__('Auto-restart (times)')}
            errors={errors}
            hint={trans.__('Run again after a failure, at most this many times')}
            number={{ min: 0, max: 10 }}
            value={values.maxRestarts}
            onChange={(maxRestarts) => update({ maxRestarts })}
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
