import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { bindField, CodeField, FieldProblems, InputField, SelectField } from '../../training/views/FormField.js';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import { ImageField } from '../../images/views/ImageField.js';
import { ResourceRow } from '../../training/views/ResourceRow.js';
import {
  PROBE_NAMES,
  probeFields,
  type AuthChoice,
  type ProbeChoice,
  type ProbeName,
  type ProbeValues,
  type ServiceFormValues,
} from '../model/serviceFormModel.js';

/** What the sections need of a form: the deploy form's model and the update form's both are one. */
export interface ServiceFields {
  readonly values: ServiceFormValues;
  readonly errors: ReadonlyMap<string, readonly string[]>;
  /** The server's engine: its field comes first (local: environment, Kubernetes: image). */
  readonly engine: 'local' | 'kubernetes' | undefined;
  update(values: Partial<ServiceFormValues>): void;
  updateProbe(name: ProbeName, patch: Partial<ProbeValues>): void;
}

export interface SectionProps {
  form: ServiceFields;
  trans: TranslationBundle;
  /** The catalog's images, offered in the image field. */
  images?: ImageChoices | undefined;
}

/** The fields the sections show problems at (and the deploy form's name and description). */
export const SHOWN_FIELDS: ReadonlySet<string> = new Set([
  ...['name', 'description', 'model', 'code', 'environment', 'image', 'command', 'port', 'requirements', 'env'],
  ...['cpu', 'memory', 'acceleratorType', 'acceleratorCount', 'replicas', 'resources', 'probes', 'auth'],
  ...['noAuthConfirmed', 'qpsPerReplica', 'concurrencyPerReplica', 'maxBodyMiB', 'upstreamTimeoutSeconds', 'limits'],
  ...PROBE_NAMES.flatMap(probeFields),
]);

/** Ties a field of the form to its value, problems and update (`bindField`). */
export function binder(form: ServiceFields) {
  const update = (patch: Partial<ServiceFormValues>) => form.update(patch);
  return <K extends keyof ServiceFormValues & string>(key: K) => bindField(form.values, form.errors, update, key);
}

/** The model folder and the code folder. */
export function FolderFields({ form, trans }: SectionProps) {
  const bind = binder(form);
  return (
    <>
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
    </>
  );
}

/** How a replica runs: its environment or image, command, port, requirements and variables. */
function RunSection({ form, trans, images }: SectionProps) {
  const bind = binder(form);
  const kubernetes = form.engine === 'kubernetes';
  const environment = (
    <InputField
      label={trans.__('Python environment')}
      hint={trans.__('local engine: an absolute path, e.g. /opt/conda/envs/torch; the server’s Python when empty')}
      {...bind('environment')}
    />
  );
  const image = (
    <ImageField
      images={images}
      trans={trans}
      label={trans.__('Container image')}
      hint={trans.__('Kubernetes: the image the replicas run')}
      {...bind('image')}
    />
  );
  return (
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
  );
}

/** A replica's resources, and the replicas field when `replicas` (the update form has it apart). */
function ResourcesSection({ form, trans, replicas = true }: SectionProps & { replicas?: boolean }) {
  const bind = binder(form);
  return (
    <fieldset className="aiplat-form-section">
      <legend>{trans.__('Resources per replica')}</legend>
      <ResourceRow values={form.values} errors={form.errors} update={(patch) => form.update(patch)} trans={trans}>
        {replicas && <InputField label={trans.__('Replicas')} {...bind('replicas')} />}
      </ResourceRow>
      <FieldProblems field="resources" errors={form.errors} />
    </fieldset>
  );
}

function probeTitle(name: ProbeName, trans: TranslationBundle): string {
  const titles: Record<ProbeName, string> = {
    startup: trans.__('Startup probe'),
    readiness: trans.__('Readiness probe'),
    liveness: trans.__('Liveness probe'),
  };
  return titles[name];
}

function ProbeRow({ form, trans, name }: SectionProps & { name: ProbeName }) {
  const probe = form.values[name];
  const errors = form.errors;
  const targetHint: Record<ProbeChoice, string> = {
    default: '',
    http: trans.__('path, e.g. /healthz'),
    tcp: trans.__('port (the service port when empty)'),
    exec: trans.__('command, e.g. test -f /tmp/ready'),
  };
  const text = (key: Exclude<keyof ProbeValues, 'type'>, label: string, hint?: string) => (
    <InputField
      field={`${name}.${key}`}
      label={label}
      {...(hint ? { hint } : {})}
      errors={errors}
      value={probe[key]}
      onChange={(value) => form.updateProbe(name, { [key]: value })}
    />
  );
  return (
    <div className="aiplat-form-row" data-testid={`aiplat-service-probe-${name}`}>
      <SelectField<ProbeChoice>
        field={`${name}.type`}
        label={probeTitle(name, trans)}
        errors={errors}
        value={probe.type}
        onChange={(type) => form.updateProbe(name, { type })}
        options={[
          ['default', name === 'readiness' ? trans.__('Default (TCP to the port)') : trans.__('None')],
          ['http', trans.__('HTTP GET')],
          ['tcp', trans.__('TCP connect')],
          ['exec', trans.__('Command')],
        ]}
      />
      {probe.type !== 'default' && (
        <>
          {text('target', trans.__('Target'), targetHint[probe.type])}
          {text('initialDelaySeconds', trans.__('Initial delay (s)'))}
          {text('periodSeconds', trans.__('Every (s)'))}
          {text('timeoutSeconds', trans.__('Timeout (s)'))}
          {text('failureThreshold', trans.__('Failures allowed'))}
        </>
      )}
    </div>
  );
}

/** The startup, readiness and liveness probes. */
function ProbesSection({ form, trans }: SectionProps) {
  return (
    <fieldset className="aiplat-form-section">
      <legend>{trans.__('Health probes')}</legend>
      {PROBE_NAMES.map((name) => (
        <ProbeRow key={name} form={form} trans={trans} name={name} />
      ))}
      <FieldProblems field="probes" errors={form.errors} />
    </fieldset>
  );
}

/** What a version runs: how it starts, a replica's resources (and the replicas, when `replicas`), its probes. */
export function VersionSections({ form, trans, images, replicas = true }: SectionProps & { replicas?: boolean }) {
  return (
    <>
      <RunSection form={form} trans={trans} images={images} />
      <ResourcesSection form={form} trans={trans} replicas={replicas} />
      <ProbesSection form={form} trans={trans} />
    </>
  );
}

/** Who may call (an explicit yes for anyone) and the gateway's limits; `children` after them. */
export function CallersSection({ form, trans, children }: SectionProps & { children?: React.ReactNode }) {
  const bind = binder(form);
  const { values, errors } = form;
  return (
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
              onChange={(e) => form.update({ noAuthConfirmed: e.target.checked })}
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
      {children}
    </fieldset>
  );
}
