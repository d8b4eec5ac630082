import type { DevMachine } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import { ImageField } from '../../images/views/ImageField.js';
import { bindField, CodeField, FieldProblems, InputField, SelectField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { ResourceRow } from '../../training/views/ResourceRow.js';
import type {
  DevMachineFormModel,
  DevMachineFormValues,
  IdeChoice,
  IdleCombine,
} from '../model/devMachineFormModel.js';
import { RepositoriesSection, SshSection } from './DevMachineFormAccess.js';

type IdleActivityKey = 'idleKernels' | 'idleTerminals' | 'idleCodeServer' | 'idleJobs';

/** The form's "Idle policy" part: off by default; on, when to count the machine idle and stop it. */
function IdlePolicySection({ model, trans }: Pick<DevMachineFormProps, 'model' | 'trans'>) {
  const { values, errors } = model;
  const update = (patch: Partial<DevMachineFormValues>) => model.update(patch);
  const bind = <K extends keyof DevMachineFormValues & string>(key: K) => bindField(values, errors, update, key);
  const check = (key: 'idleEnabled' | IdleActivityKey, label: string) => (
    <label className="aiplat-form-check" key={key}>
      <input
        type="checkbox"
        data-testid={`aiplat-field-${key}`}
        checked={values[key]}
        onChange={(e) => update({ [key]: e.target.checked })}
      />
      {label}
    </label>
  );
  return (
    <fieldset className="aiplat-form-section" data-testid="aiplat-devmachine-idle-policy">
      <legend>{trans.__('Idle policy')}</legend>
      {check('idleEnabled', trans.__('Stop the machine when it stays idle'))}
      {values.idleEnabled && (
        <>
          <InputField
            label={trans.__('Stop after (idle minutes)')}
            hint={trans.__('1 to 1440 minutes idle without a break')}
            {...bind('idleMinutes')}
          />
          <div className="aiplat-form-row">
            <InputField
              label={trans.__('CPU below (%)')}
              hint={trans.__('0 to 100; empty: not looked at')}
              {...bind('idleCpuPercent')}
            />
            <InputField
              label={trans.__('Memory below (%)')}
              hint={trans.__('0 to 100; empty: not looked at')}
              {...bind('idleMemoryPercent')}
            />
            <SelectField<IdleCombine>
              label={trans.__('Idle when')}
              {...bind('idleCombine')}
              options={[
                ['all', trans.__('all thresholds are met')],
                ['any', trans.__('any threshold is met')],
              ]}
            />
          </div>
          <div className="aiplat-form-field">
            <span className="aiplat-form-label">{trans.__('Activity that keeps it up')}</span>
            <div className="aiplat-devMachine-idleActivity">
              {check('idleKernels', trans.__('Busy kernels'))}
              {check('idleTerminals', trans.__('Open terminals'))}
              {check('idleCodeServer', trans.__('VS Code in use'))}
              {check('idleJobs', trans.__('Jobs submitted from it'))}
            </div>
          </div>
          <InputField
            label={trans.__('Excluded processes')}
            hint={trans.__('process names whose CPU and memory do not count, comma-separated')}
            {...bind('idleExcludeProcesses')}
          />
          <FieldProblems field="idlePolicy" errors={errors} />
        </>
      )}
    </fieldset>
  );
}

export interface DevMachineFormProps {
  model: DevMachineFormModel;
  trans: TranslationBundle;
  /** The catalog's images, offered in the image field. */
  images?: ImageChoices;
  onCreated: (machine: DevMachine) => void;
}

function DevMachineFormBody({ model, trans, images, onCreated }: DevMachineFormProps) {
  const { values, errors } = model;
  const update = (patch: Partial<DevMachineFormValues>) => model.update(patch);
  const bind = <K extends keyof DevMachineFormValues & string>(key: K) => bindField(values, errors, update, key);
  return (
    <form
      className="aiplat-form aiplat-devMachineForm"
      data-testid="aiplat-devmachine-form"
      onSubmit={(e) => {
        e.preventDefault();
        void model.create().then((created) => created && onCreated(created));
      }}
    >
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Dev machine')}</legend>
        <InputField label={trans.__('Name')} hint={trans.__('letters, digits, _ and -')} {...bind('name')} />
        <SelectField<IdeChoice>
          label={trans.__('IDEs')}
          {...bind('ides')}
          options={[
            ['both', trans.__('JupyterLab and VS Code')],
            ['jupyterlab', 'JupyterLab'],
            ['code-server', trans.__('VS Code (code-server)')],
          ]}
        />
        <InputField
          label={trans.__('Working folder')}
          hint={trans.__('relative to /work, e.g. home')}
          {...bind('workingDir')}
        />
        <SelectField<string>
          label={trans.__('Lifecycle config')}
          hint={trans.__('scripts run before the IDEs: on-create at the first start, on-start at every start')}
          {...bind('lifecycleConfig')}
          options={[['', trans.__('None')] as const, ...model.configNames.map((n) => [n, n] as const)]}
        />
        <InputField
          label={trans.__('Auto-stop after (hours)')}
          hint={trans.__('1 to 24 hours of running, warned 10 minutes before; empty for never')}
          {...bind('autoStopHours')}
        />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Resources')}</legend>
        <ResourceRow values={values} errors={errors} update={update} trans={trans} />
        <FieldProblems field="resources" errors={errors} />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Scheduling')}</legend>
        <div className="aiplat-form-row">
          <InputField label={trans.__('Queue')} {...bind('queue')} />
          <SelectField<string>
            label={trans.__('Priority')}
            hint={trans.__('0 is the highest')}
            {...bind('priority')}
            options={['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((p) => [p, p] as const)}
          />
        </div>
        <CodeField
          label={trans.__('Environment variables')}
          hint={trans.__('NAME=value, one a line')}
          rows={3}
          {...bind('env')}
        />
        <ImageField
          images={images}
          trans={trans}
          label={trans.__('Container image')}
          hint={trans.__('it runs in a container from this image; left empty, the local engine runs it as processes')}
          {...bind('image')}
        />
      </fieldset>
      <IdlePolicySection model={model} trans={trans} />
      <SshSection model={model} trans={trans} />
      <RepositoriesSection model={model} trans={trans} />
      <FormActions
        errors={errors}
        generalErrors={model.generalErrors}
        busy={model.creating}
        label={trans.__('Create and start')}
        busyLabel={trans.__('Creating…')}
        testId="aiplat-devmachine-create"
        errorTestId="aiplat-devmachine-form-error"
      />
    </form>
  );
}

/** The create form of a dev machine, in the main area. */
export class DevMachineFormView extends ModelWidget<DevMachineFormProps> {
  constructor(props: DevMachineFormProps) {
    super(props, props.model.changed, DevMachineFormBody, 'aiplat-devmachine-form-view');
  }
}
