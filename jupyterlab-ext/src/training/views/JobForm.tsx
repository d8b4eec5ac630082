import { JOB_MODES, type AcceleratorType, type JobDetail, type JobMode } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JobFormModel } from '../model/jobFormModel.js';
import { defaultWorkerGroup, type JobFormValues, type ResourceValues } from '../model/jobFormValues.js';
import { scriptCommand, torchrunCommand } from '../model/scriptPrefill.js';
import { jobModeLabel, testIdPart } from './labels.js';

export interface JobFormProps {
  model: JobFormModel;
  trans: TranslationBundle;
  /** The script the form was opened for ("Train this script"), to offer its commands. */
  scriptFile?: string;
  onSubmitted: (job: JobDetail) => void;
}

interface FieldProps {
  field: string;
  label: string;
  errors: ReadonlyMap<string, readonly string[]>;
  hint?: string;
  children: (props: { id: string; 'data-testid': string; 'aria-invalid': boolean }) => React.ReactNode;
}

/** A labelled input with the problems found at its field under it. */
function Field({ field, label, errors, hint, children }: FieldProps) {
  const id = `aiplat-field-${testIdPart(field)}`;
  const problems = errors.get(field) ?? [];
  return (
    <div className={`aiplat-form-field${problems.length ? ' aiplat-mod-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'data-testid': id, 'aria-invalid': problems.length > 0 })}
      {hint && <div className="aiplat-form-hint">{hint}</div>}
      {problems.length > 0 && (
        <div className="aiplat-form-error" data-testid={`aiplat-field-error-${testIdPart(field)}`} role="alert">
          {problems.join(' · ')}
        </div>
      )}
    </div>
  );
}

function ResourceFields(props: {
  prefix: string;
  values: ResourceValues;
  errors: ReadonlyMap<string, readonly string[]>;
  trans: TranslationBundle;
  onChange: (values: ResourceValues) => void;
}) {
  const { prefix, values, errors, trans, onChange } = props;
  const set = (patch: Partial<ResourceValues>) => onChange({ ...values, ...patch });
  return (
    <div className="aiplat-form-row">
      <Field field={`${prefix}.cpu`} label={trans.__('CPU cores')} errors={errors}>
        {(p) => (
          <input {...p} className="jp-mod-styled" value={values.cpu} onChange={(e) => set({ cpu: e.target.value })} />
        )}
      </Field>
      <Field field={`${prefix}.memory`} label={trans.__('Memory')} errors={errors} hint={trans.__('e.g. 512Mi, 2Gi')}>
        {(p) => (
          <input
            {...p}
            className="jp-mod-styled"
            value={values.memory}
            onChange={(e) => set({ memory: e.target.value })}
          />
        )}
      </Field>
      <Field field={`${prefix}.accelerator.type`} label={trans.__('Accelerator')} errors={errors}>
        {(p) => (
          <select
            {...p}
            className="jp-mod-styled"
            value={values.acceleratorType}
            onChange={(e) => {
              const type = e.target.value as AcceleratorType;
              set({
                acceleratorType: type,
                acceleratorCount:
                  type === 'none' ? '0' : values.acceleratorCount === '0' ? '1' : values.acceleratorCount,
              });
            }}
          >
            <option value="none">{trans.__('None')}</option>
            <option value="nvidia">{trans.__('NVIDIA GPU')}</option>
            <option value="ascend">{trans.__('Ascend NPU')}</option>
          </select>
        )}
      </Field>
      <Field
        field={`${prefix}.accelerator.count`}
        label={trans.__('Accelerators per node')}
        errors={errors}
        hint={trans.__('whole devices, or a share from 0.1 to 1')}
      >
        {(p) => (
          <input
            {...p}
            className="jp-mod-styled"
            value={values.acceleratorCount}
            disabled={values.acceleratorType === 'none'}
            onChange={(e) => set({ acceleratorCount: e.target.value })}
          />
        )}
      </Field>
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
          <Field field="nodes" label={trans.__('Nodes')} errors={errors}>
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                type="number"
                min={1}
                value={values.nodes}
                onChange={(e) => update({ nodes: e.target.value })}
              />
            )}
          </Field>
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
            <Field field="ps" label={trans.__('Parameter servers')} errors={errors}>
              {(p) => (
                <input
                  {...p}
                  className="jp-mod-styled"
                  type="number"
                  min={1}
                  value={values.ps}
                  onChange={(e) => update({ ps: e.target.value })}
                />
              )}
            </Field>
            <Field field="workers" label={trans.__('Workers')} errors={errors}>
              {(p) => (
                <input
                  {...p}
                  className="jp-mod-styled"
                  type="number"
                  min={1}
                  value={values.workers}
                  onChange={(e) => update({ workers: e.target.value })}
                />
              )}
            </Field>
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
                  <Field field={`workerGroups.${i}.name`} label={trans.__('Group name')} errors={errors}>
                    {(p) => (
                      <input
                        {...p}
                        className="jp-mod-styled"
                        value={group.name}
                        onChange={(e) => setGroup({ name: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field field={`workerGroups.${i}.replicas`} label={trans.__('Replicas')} errors={errors}>
                    {(p) => (
                      <input
                        {...p}
                        className="jp-mod-styled"
                        type="number"
                        min={1}
                        value={group.replicas}
                        onChange={(e) => setGroup({ replicas: e.target.value })}
                      />
                    )}
                  </Field>
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
  errors: ReadonlyMap<string, readonly string[]>;
  trans: TranslationBundle;
  update: (values: Partial<JobFormValues>) => void;
}

const PRIORITIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

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
          <Field field="name" label={trans.__('Name')} errors={errors}>
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                value={values.name}
                onChange={(e) => update({ name: e.target.value })}
              />
            )}
          </Field>
          <Field field="mode" label={trans.__('Mode')} errors={errors}>
            {(p) => (
              <select
                {...p}
                className="jp-mod-styled"
                value={values.mode}
                onChange={(e) => update({ mode: e.target.value as JobMode })}
              >
                {JOB_MODES.map((m) => (
                  <option key={m} value={m}>
                    {jobModeLabel(m, trans)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field field="engine" label={trans.__('Engine')} errors={errors}>
            {(p) => (
              <select
                {...p}
                className="jp-mod-styled"
                value={values.engine}
                onChange={(e) => update({ engine: e.target.value as JobFormValues['engine'] })}
              >
                <option value="">{trans.__('Server default')}</option>
                <option value="local">{trans.__('Local')}</option>
                <option value="kubernetes">{trans.__('Kubernetes')}</option>
              </select>
            )}
          </Field>
        </div>
        <Field field="description" label={trans.__('Description')} errors={errors}>
          {(p) => (
            <input
              {...p}
              className="jp-mod-styled"
              value={values.description}
              onChange={(e) => update({ description: e.target.value })}
            />
          )}
        </Field>
        <Field
          field="command"
          label={trans.__('Command')}
          errors={errors}
          hint={trans.__('Shell command every node runs, in the working folder')}
        >
          {(p) => (
            <textarea
              {...p}
              className="jp-mod-styled aiplat-form-code"
              rows={3}
              value={values.command}
              onChange={(e) => update({ command: e.target.value })}
            />
          )}
        </Field>
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
          <Field
            field="workingDir"
            label={trans.__('Working folder')}
            errors={errors}
            hint={trans.__('relative to /work, e.g. home/mnist')}
          >
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                value={values.workingDir}
                onChange={(e) => update({ workingDir: e.target.value })}
              />
            )}
          </Field>
          <Field field="image" label={trans.__('Image')} errors={errors} hint={trans.__('e.g. pytorch:2.3')}>
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                value={values.image}
                onChange={(e) => update({ image: e.target.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <Topology {...section} />
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Environment and hyperparameters')}</legend>
        <Field
          field="env"
          label={trans.__('Environment variables')}
          errors={errors}
          hint={trans.__('NAME=value, one a line')}
        >
          {(p) => (
            <textarea
              {...p}
              className="jp-mod-styled aiplat-form-code"
              rows={3}
              value={values.env}
              onChange={(e) => update({ env: e.target.value })}
            />
          )}
        </Field>
        <Field
          field="hyperparameters"
          label={trans.__('Hyperparameters (JSON)')}
          errors={errors}
          hint={trans.__('A JSON object, written to the file at $HYPERPARAMETERS_PATH')}
        >
          {(p) => (
            <textarea
              {...p}
              className="jp-mod-styled aiplat-form-code"
              rows={4}
              value={values.hyperparameters}
              onChange={(e) => update({ hyperparameters: e.target.value })}
            />
          )}
        </Field>
        <Field field="tags" label={trans.__('Tags')} errors={errors} hint={trans.__('key=value, one a line')}>
          {(p) => (
            <textarea
              {...p}
              className="jp-mod-styled aiplat-form-code"
              rows={2}
              value={values.tags}
              onChange={(e) => update({ tags: e.target.value })}
            />
          )}
        </Field>
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Scheduling')}</legend>
        <div className="aiplat-form-row">
          <Field field="priority" label={trans.__('Priority')} errors={errors} hint={trans.__('P0 is the highest')}>
            {(p) => (
              <select
                {...p}
                className="jp-mod-styled"
                value={values.priority}
                onChange={(e) => update({ priority: e.target.value })}
              >
                {PRIORITIES.map((n) => (
                  <option key={n} value={String(n)}>
                    P{n}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field field="queue" label={trans.__('Queue')} errors={errors}>
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                value={values.queue}
                onChange={(e) => update({ queue: e.target.value })}
              />
            )}
          </Field>
          <Field
            field="autoRestart.maxRestarts"
            label={trans.__('Auto-restart (times)')}
            errors={errors}
            hint={trans.__('Run again after a failure, at most this many times')}
          >
            {(p) => (
              <input
                {...p}
                className="jp-mod-styled"
                type="number"
                min={0}
                max={10}
                value={values.maxRestarts}
                onChange={(e) => update({ maxRestarts: e.target.value })}
              />
            )}
          </Field>
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
export class JobFormView extends ReactWidget {
  constructor(private readonly props: JobFormProps) {
    super();
    this.addClass('aiplat-jobForm-widget');
  }

  protected render(): JSX.Element {
    return <UseSignal signal={this.props.model.changed}>{() => <JobForm {...this.props} />}</UseSignal>;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.props.model.dispose();
    super.dispose();
  }
}
