import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { bindField, CodeField, FieldProblems, InputField, SelectField } from '../../training/views/FormField.js';
import { acceleratorOptions } from '../../training/views/labels.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import {
  PROBE_NAMES,
  type AcceleratorChoice,
  type AuthChoice,
  type ProbeChoice,
  type ProbeName,
  type ServiceFormModel,
  type ServiceFormValues,
} from '../model/serviceFormModel.js';

export interface ServiceFormProps {
  model: ServiceFormModel;
  trans: TranslationBundle;
  onDeployed: (service: Service) => void;
}

function probeTitle(name: ProbeName, trans: TranslationBundle): string {
  const titles: Record<ProbeName, string> = {
    startup: trans.__('Startup probe'),
    readiness: trans.__('Readiness probe'),
    liveness: trans.__('Liveness probe'),
  };
  return titles[name];
}

function ProbeRow({ model, trans, name }: { model: ServiceFormModel; trans: TranslationBundle; name: ProbeName }) {
  const probe = model.values[name];
  const errors = model.errors;
  const targetHint: Record<ProbeChoice, string> = {
    default: '',
    http: trans.__('path, e.g. /healthz'),
    tcp: trans.__('port (the service port when empty)'),
    exec: trans.__('command, e.g. test -f /tmp/ready'),
  };
  return (
    <div className="aiplat-form-row" data-testid={`aiplat-service-probe-${name}`}>
      <SelectField<ProbeChoice>
        field={`${name}.type`}
        label={probeTitle(name, trans)}
        errors={errors}
        value={probe.type}
        onChange={(type) => model.updateProbe(name, { type })}
        options={[
          ['default', name === 'readiness' ? trans.__('Default (TCP to the port)') : trans.__('None')],
          ['http', trans.__('HTTP GET')],
          ['tcp', trans.__('TCP connect')],
          ['exec', trans.__('Command')],
        ]}
      />
      {probe.type !== 'default' && (
        <>
          <InputField
            field={`${name}.target`}
            label={trans.__('Target')}
            hint={targetHint[probe.type]}
            errors={errors}
            value={probe.target}
            onChange={(target) => model.updateProbe(name, { target })}
          />
          <InputField
            field={`${name}.periodSeconds`}
            label={trans.__('Every (s)')}
            errors={errors}
            value={probe.periodSeconds}
            onChange={(periodSeconds) => model.updateProbe(name, { periodSeconds })}
          />
          <InputField
            field={`${name}.failureThreshold`}
            label={trans.__('Failures allowed')}
            errors={errors}
            value={probe.failureThreshold}
            onChange={(failureThreshold) => model.updateProbe(name, { failureThreshold })}
          />
        </>
      )}
    </div>
  );
}

/** The fields the form shows problems at; a problem anywhere else is listed above the Deploy button. */
const SHOWN_FIELDS = new Set([
  ...['name', 'description', 'model', 'code', 'environment', 'image', 'command', 'port', 'requirements', 'env'],
  ...['cpu', 'memory', 'acceleratorType', 'acceleratorCount', 'replicas', 'resources', 'probes', 'auth'],
  ...['noAuthConfirmed', 'qpsPerReplica', 'concurrencyPerReplica', 'maxBodyMiB', 'upstreamTimeoutSeconds', 'limits'],
  ...PROBE_NAMES.flatMap((p) => [`${p}.type`, `${p}.target`, `${p}.periodSeconds`, `${p}.failureThreshold`]),
]);

function ServiceFormBody({ model, trans, onDeployed }: ServiceFormProps) {
  const { values, errors } = model;
  const elsewhere = [...errors].filter(([field]) => !SHOWN_FIELDS.has(field));
  const update = (patch: Partial<ServiceFormValues>) => model.update(patch);
  const bind = <K extends keyof ServiceFormValues & string>(key: K) => bindField(values, errors, update, key);
  const kubernetes = model.engine === 'kubernetes';
  const environment = (
    <InputField
      label={trans.__('Python environment')}
      hint={trans.__('local engine: an absolute path, e.g. /opt/conda/envs/torch; the server’s Python when empty')}
      {...bind('environment')}
    />
  );
  const image = (
    <InputField
      label={trans.__('Container image')}
      hint={trans.__('Kubernetes: the image the replicas run')}
      {...bind('image')}
    />
  );
  return (
    <form
      className="aiplat-form aiplat-serviceForm"
      data-testid="aiplat-service-form"
      onSubmit={(e) => {
        e.preventDefault();
        void model.deploy().then((service) => service && onDeployed(service));
      }}
    >
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Service')}</legend>
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Name')}
            hint={trans.__('lowercase letters, digits and -; called at /services/<name>/')}
            {...bind('name')}
          />
          <InputField label={trans.__('Description')} {...bind('description')} />
        </div>
        <InputField
          label={trans.__('Model folder')}
          hint={trans.__('relative to /work, e.g. mount/models/tiny-gpt2; read-only at MODEL_DIR')}
          {...bind('model')}
        />
        <InputField
          label={trans.__('Code folder')}
          hint={trans.__('relative to /work; the command runs there (the model folder when empty)')}
          {...bind('code')}
        />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('How it runs')}</legend>
        {kubernetes ? image : environment}
        {kubernetes ? environment : image}
        <CodeField
          label={trans.__('Start command')}
          hint={trans.__('starts the model server listening on $PORT')}
          rows={2}
          {...bind('command')}
        />
        <div className="aiplat-form-row">
          <InputField label={trans.__('Port')} {...bind('port')} />
        </div>
        <CodeField
          label={trans.__('Requirements')}
          hint={trans.__('requirements.txt lines, installed at start from the platform’s package index')}
          rows={3}
          {...bind('requirements')}
        />
        <CodeField
          label={trans.__('Environment variables')}
          hint={trans.__('NAME=value, one a line')}
          rows={2}
          {...bind('env')}
        />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Resources per replica')}</legend>
        <div className="aiplat-form-row">
          <InputField label={trans.__('CPU cores')} {...bind('cpu')} />
          <InputField label={trans.__('Memory')} hint={trans.__('e.g. 512Mi, 2Gi')} {...bind('memory')} />
          <SelectField<AcceleratorChoice>
            label={trans.__('Accelerator')}
            {...bind('acceleratorType')}
            options={acceleratorOptions(trans)}
          />
          <InputField
            label={trans.__('Accelerators')}
            hint={trans.__('whole devices, or a share from 0.1 to 1')}
            disabled={values.acceleratorType === 'none'}
            {...bind('acceleratorCount')}
          />
          <InputField label={trans.__('Replicas')} {...bind('replicas')} />
        </div>
        <FieldProblems field="resources" errors={errors} />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Health probes')}</legend>
        {PROBE_NAMES.map((name) => (
          <ProbeRow key={name} model={model} trans={trans} name={name} />
        ))}
        <FieldProblems field="probes" errors={errors} />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Callers and limits')}</legend>
        <SelectField<AuthChoice>
          label={trans.__('Who may call')}
          {...bind('auth')}
          options={[
            ['appkey,token', trans.__('AppKey signatures and bearer tokens')],
            ['appkey', trans.__('AppKey signatures only')],
            ['token', trans.__('Bearer tokens only')],
            ['none', trans.__('Anyone (no authentication)')],
          ]}
        />
        {values.auth === 'none' && (
          <div className="aiplat-service-warning" data-testid="aiplat-service-noauth-warning" role="alert">
            <p>
              {trans.__(
                'Without authentication anyone who can reach the server may call this service and spend its resources.',
              )}
            </p>
            <label>
              <input
                type="checkbox"
                data-testid="aiplat-field-noAuthConfirmed"
                checked={values.noAuthConfirmed}
                onChange={(e) => update({ noAuthConfirmed: e.target.checked })}
              />{' '}
              {trans.__('I understand: deploy it without authentication')}
            </label>
            <FieldProblems field="noAuthConfirmed" errors={errors} />
          </div>
        )}
        <div className="aiplat-form-row">
          <InputField label={trans.__('QPS per replica')} {...bind('qpsPerReplica')} />
          <InputField label={trans.__('Concurrent requests per replica')} {...bind('concurrencyPerReplica')} />
          <InputField label={trans.__('Request body limit (MiB)')} {...bind('maxBodyMiB')} />
          <InputField label={trans.__('Upstream timeout (s)')} {...bind('upstreamTimeoutSeconds')} />
        </div>
        <FieldProblems field="limits" errors={errors} />
      </fieldset>
      {elsewhere.map(([field, problems]) => (
        <div key={field} className="aiplat-error" role="alert">
          {field}: {problems.join(' · ')}
        </div>
      ))}
      {model.generalErrors.length > 0 && (
        <div className="aiplat-error" data-testid="aiplat-service-form-error" role="alert">
          {model.generalErrors.join(' · ')}
        </div>
      )}
      <div className="aiplat-form-actions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-service-deploy"
          disabled={model.deploying || errors.size > 0}
        >
          {model.deploying ? trans.__('Deploying…') : trans.__('Deploy')}
        </button>
      </div>
    </form>
  );
}

/** The deploy form of a service, in the main area. */
export class ServiceFormView extends ModelWidget<ServiceFormProps> {
  constructor(props: ServiceFormProps) {
    super(props, props.model.changed, ServiceFormBody, 'aiplat-service-form-view');
  }
}
