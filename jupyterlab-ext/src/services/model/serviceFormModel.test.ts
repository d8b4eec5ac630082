import { ApiError, ServiceSpecSchema } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import {
  fieldOfPath,
  formProblems,
  initialValues,
  ServiceFormModel,
  specInput,
  valuesFromSpec,
  type ServiceFormValues,
} from './serviceFormModel.js';
import { LIMIT_FIELD_MAXIMUMS, LIMIT_FIELDS, type LimitField } from './serviceLimitFields.js';

const offline = { client: undefined, state: { status: 'disconnected' } } as unknown as IConnectionModel;
const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])),
} as unknown as TranslationBundle;

describe('the deploy form', () => {
  it('starts from a model folder: the model prefilled, a name made from it', () => {
    const values = initialValues('mount/models/Tiny_GPT2.v1');
    expect(values.model).toBe('mount/models/Tiny_GPT2.v1');
    expect(values.name).toBe('tiny-gpt2-v1');
  });

  it('checks each field as it is typed, with the contract’s message at that field only', () => {
    const form = new ServiceFormModel(offline, trans, { model: 'home/models/tiny' });
    expect(form.errors.size).toBe(0);
    form.update({ name: 'Bad Name' });
    expect([...form.errors.keys()]).toEqual(['name']);
    expect(form.errors.get('name')?.[0]).toMatch(/lowercase/);
    form.update({ memory: 'lots', port: '70000' });
    expect([...form.errors.keys()].sort()).toEqual(['memory', 'name', 'port']);
    form.update({ name: 'tiny', memory: '256Mi', port: '8080', command: '   ' });
    expect([...form.errors.keys()]).toEqual(['command']);
    form.update({ command: 'python3 server.py', requirements: 'numpy\n--index-url https://example.com/simple' });
    expect(form.errors.get('requirements')?.[0]).toMatch(/line 2: --index-url is not allowed/);
    form.update({ requirements: 'numpy==1.26' });
    form.updateProbe('readiness', { type: 'http', target: '' });
    expect(form.errors.get('readiness.target')?.[0]).toMatch(/needs a path/);
    form.updateProbe('readiness', { target: '/ready', periodSeconds: '0' });
    expect([...form.errors.keys()]).toEqual(['readiness.periodSeconds']);
    form.updateProbe('readiness', { periodSeconds: '1' });
    form.update({ env: 'A=1\noops' });
    expect(form.errors.get('env')?.[0]).toMatch(/line 2: write NAME=value/);
    form.update({ env: 'A=1', maxBodyMiB: '-1', replicas: '17' });
    expect([...form.errors.keys()].sort()).toEqual(['maxBodyMiB', 'replicas']);
    form.update({ maxBodyMiB: '1', replicas: '2', acceleratorType: 'nvidia', acceleratorCount: '0.55' });
    expect([...form.errors.keys()]).toEqual(['acceleratorCount']);
    form.update({ acceleratorCount: '0.5' });
    expect(form.validate()).toBe(true);
    const spec = ServiceSpecSchema.parse(specInput(form.values));
    expect(spec).toMatchObject({
      name: 'tiny',
      auth: ['appkey', 'token'],
      limits: { maxBodyBytes: 1024 * 1024, qpsPerReplica: 100 },
      version: {
        model: 'home/models/tiny',
        command: 'python3 server.py',
        requirements: 'numpy==1.26',
        env: { A: '1' },
        replicas: 2,
        resources: { cpu: 1, memory: '256Mi', accelerator: { type: 'nvidia', count: 0.5 } },
        probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1, failureThreshold: 3 } },
      },
    });
    expect(spec.version.probes.liveness).toBeUndefined();
  });

  it('asks for an explicit yes before a service without auth', () => {
    const values = { ...initialValues('home/m'), command: 'run', auth: 'none' as const };
    expect(formProblems(values, trans).get('noAuthConfirmed')?.[0]).toMatch(/anyone/);
    const confirmed = { ...values, noAuthConfirmed: true };
    expect(formProblems(confirmed, trans).size).toBe(0);
    expect(ServiceSpecSchema.parse(specInput(confirmed)).auth).toEqual(['none']);
  });

  it('says what each limit field takes in its own words and units, one message a field', () => {
    const form = new ServiceFormModel(offline, trans, { model: 'home/models/tiny' });
    form.update({ qpsPerReplica: '0', maxBodyMiB: '-3', upstreamTimeoutSeconds: 'abc', concurrencyPerReplica: '1.5' });
    expect(Object.fromEntries(form.errors)).toEqual({
      qpsPerReplica: ['QPS per replica must be a number greater than 0, at most 100000'],
      concurrencyPerReplica: ['Concurrent requests per replica must be a whole number from 1 to 10000'],
      maxBodyMiB: ['Request body limit must be a number of MiB greater than 0 (e.g. 0.5), at most 1024'],
      upstreamTimeoutSeconds: ['Upstream timeout must be a whole number of seconds from 1 to 3600'],
    });
    form.update({ qpsPerReplica: '0.5', maxBodyMiB: '1024', upstreamTimeoutSeconds: '1', concurrencyPerReplica: '2' });
    expect(form.errors.size).toBe(0);
  });

  it('states the contract’s own bounds in each limit field’s units', () => {
    const base = { ...initialValues('home/m'), command: 'run' };
    const refuses = (field: LimitField, text: string) =>
      formProblems({ ...base, [field]: text } as ServiceFormValues, trans).has(field);
    for (const field of LIMIT_FIELDS) {
      const maximum = LIMIT_FIELD_MAXIMUMS[field];
      expect(refuses(field, String(maximum)), field).toBe(false);
      expect(refuses(field, String(maximum + 1)), field).toBe(true);
      expect(refuses(field, '0'), field).toBe(true);
    }
    expect(refuses('maxBodyMiB', '1')).toBe(false);
    expect(refuses('concurrencyPerReplica', '1')).toBe(false);
    expect(refuses('upstreamTimeoutSeconds', '1')).toBe(false);
  });

  it('takes any body limit greater than 0 MiB, fractions too, as its message says', () => {
    const base = { ...initialValues('home/m'), command: 'run' };
    const bytes = (maxBodyMiB: string) => {
      const values = { ...base, maxBodyMiB };
      expect(formProblems(values, trans).has('maxBodyMiB'), maxBodyMiB).toBe(false);
      return ServiceSpecSchema.parse(specInput(values)).limits.maxBodyBytes;
    };
    expect(bytes('0.5')).toBe(512 * 1024);
    expect(bytes('1.25')).toBe(1.25 * 1024 * 1024);
    // Less than a byte is still more than 0: one byte.
    expect(bytes('0.0000001')).toBe(1);
    expect(bytes('1024')).toBe(1024 * 1024 * 1024);
    const refused = (maxBodyMiB: string) => formProblems({ ...base, maxBodyMiB }, trans).get('maxBodyMiB');
    expect(refused('0')).toEqual([
      'Request body limit must be a number of MiB greater than 0 (e.g. 0.5), at most 1024',
    ]);
    expect(refused('1024.0000001')).toHaveLength(1);
    // A limit in bytes that is no whole number of MiB shows as typed and is sent back unchanged.
    const prefilled = valuesFromSpec({
      name: 'm',
      version: { model: 'home/m', command: 'run', resources: { cpu: 1, memory: '1Gi' } },
      limits: { maxBodyBytes: 1e6 },
    });
    expect(ServiceSpecSchema.parse(specInput(prefilled)).limits.maxBodyBytes).toBe(1_000_000);
  });

  it('has each probe’s initial delay and timeout: prefilled, checked at their fields, sent', () => {
    expect(initialValues().liveness).toEqual({
      type: 'default',
      target: '',
      initialDelaySeconds: '0',
      periodSeconds: '10',
      timeoutSeconds: '1',
      failureThreshold: '3',
    });
    const values = valuesFromSpec({
      name: 'm',
      version: {
        model: 'home/m',
        command: 'run',
        resources: { cpu: 1, memory: '1Gi' },
        probes: {
          startup: { type: 'exec', command: 'test -f /tmp/up', initialDelaySeconds: 30, timeoutSeconds: 5 },
          readiness: { type: 'http', path: '/ready' },
        },
      },
    });
    expect(values.startup).toMatchObject({ initialDelaySeconds: '30', timeoutSeconds: '5', periodSeconds: '10' });
    // A probe without them shows the contract's defaults.
    expect(values.readiness).toMatchObject({ initialDelaySeconds: '0', timeoutSeconds: '1' });
    const probes = ServiceSpecSchema.parse(specInput(values)).version.probes;
    expect(probes.startup).toMatchObject({ initialDelaySeconds: 30, timeoutSeconds: 5 });

    const form = new ServiceFormModel(offline, trans, { model: 'home/m' });
    form.update({ command: 'run' });
    form.updateProbe('liveness', { type: 'tcp', initialDelaySeconds: '3601', timeoutSeconds: '0' });
    expect([...form.errors.keys()].sort()).toEqual(['liveness.initialDelaySeconds', 'liveness.timeoutSeconds']);
    expect(form.errors.get('liveness.timeoutSeconds')?.[0]).toMatch(/timeoutSeconds/);
    form.updateProbe('liveness', { initialDelaySeconds: '60', timeoutSeconds: '10' });
    expect(form.errors.size).toBe(0);
    expect(specInput(form.values)).toMatchObject({
      version: { probes: { liveness: { type: 'tcp', initialDelaySeconds: 60, timeoutSeconds: 10 } } },
    });
  });

  it('shows one problem of a number, the first the contract finds', () => {
    const values = { ...initialValues('home/m'), command: 'run', cpu: '-1' };
    expect(formProblems(values, trans).get('cpu')).toEqual([
      'cpu must be a number of cores greater than 0, e.g. 1 or 0.5 (got -1)',
    ]);
    const requirements = { ...values, cpu: '1', requirements: '-i https://a\n--find-links https://b' };
    expect(formProblems(requirements, trans).get('requirements')).toHaveLength(2);
  });

  it('maps the contract’s and the API’s issue paths to the fields that show them', () => {
    expect(fieldOfPath('body.spec.name')).toBe('name');
    expect(fieldOfPath('body.spec.version.resources.memory')).toBe('memory');
    expect(fieldOfPath('version.resources.accelerator.count')).toBe('acceleratorCount');
    expect(fieldOfPath('version.resources')).toBe('resources');
    expect(fieldOfPath('body.spec.version.probes.liveness.command')).toBe('liveness.target');
    expect(fieldOfPath('version.probes.startup.failureThreshold')).toBe('startup.failureThreshold');
    expect(fieldOfPath('body.spec.version.probes.liveness.timeoutSeconds')).toBe('liveness.timeoutSeconds');
    expect(fieldOfPath('body.version.probes.readiness.initialDelaySeconds')).toBe('readiness.initialDelaySeconds');
    expect(fieldOfPath('version.probes.startup.type')).toBe('startup.type');
    expect(fieldOfPath('body.spec.limits.maxBodyBytes')).toBe('maxBodyMiB');
    expect(fieldOfPath('body.spec.auth.1')).toBe('auth');
    expect(fieldOfPath('body.spec.version.model')).toBe('model');
    expect(fieldOfPath('body.spec.version.image')).toBe('image');
    expect(fieldOfPath('body.spec.version')).toBe('model');
  });

  it('shows the API’s 400 issues at their fields', async () => {
    const connected = {
      client: {
        deployService: () =>
          Promise.reject(
            new ApiError('bad_request', 'bad', {
              status: 400,
              issues: [{ path: 'body.spec.version.model', message: 'model: no folder home/models/none' }],
            }),
          ),
      },
      state: { status: 'connected' },
    } as unknown as IConnectionModel;
    const form = new ServiceFormModel(connected, trans, { model: 'home/models/none' });
    form.update({ command: 'run' });
    expect(await form.deploy()).toBeUndefined();
    expect(form.errors.get('model')).toEqual(['model: no folder home/models/none']);
  });

  it('refuses to deploy while offline, saying so', async () => {
    const form = new ServiceFormModel(offline, trans, { model: 'home/m' });
    form.update({ command: 'run' });
    expect(await form.deploy()).toBeUndefined();
    expect(form.generalErrors).toEqual(['not connected to the AI Platform server']);
  });
});
