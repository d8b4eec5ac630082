import { ApiError, UpdateServiceBodySchema, type Service, type UpdateServiceBody } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { tinyService } from '../test/serviceFixture.js';
import { partOfField, ServiceUpdateModel, updateBody, valuesOfService } from './serviceUpdateModel.js';

const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])),
} as unknown as TranslationBundle;

const service = (patch: Partial<Service> = {}) => tinyService(patch);

/** A connection whose client records each PATCH and answers with `answer` (or throws it). */
function recording(answer: (body: UpdateServiceBody) => Service | Error) {
  const sent: UpdateServiceBody[] = [];
  const connection = {
    client: {
      updateService: ({ body }: { body: UpdateServiceBody }) => {
        sent.push(body);
        const result = answer(body);
        return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
      },
    },
    state: { status: 'connected', info: { engine: 'local' } },
  } as unknown as IConnectionModel;
  return { connection, sent };
}

describe('the update form', () => {
  it('is prefilled from the serving version, its auth, limits and description', () => {
    const values = valuesOfService(service({ description: 'a tiny model' }));
    expect(values).toMatchObject({
      name: 'tiny',
      description: 'a tiny model',
      model: 'home/models/tiny',
      code: 'home/serving',
      env: 'GREETING=hello',
      command: 'python3 server.py',
      cpu: '0.5',
      memory: '256Mi',
      replicas: '1',
      readiness: { type: 'http', target: '/ready', periodSeconds: '1', failureThreshold: '3' },
      auth: 'appkey,token',
      noAuthConfirmed: false,
      qpsPerReplica: '50',
      concurrencyPerReplica: '4',
      maxBodyMiB: '2',
      upstreamTimeoutSeconds: '30',
    });
    expect(valuesOfService(service({ auth: ['none'] })).noAuthConfirmed).toBe(true);
  });

  it('sends each part alone, as the contract takes it', () => {
    const values = { ...valuesOfService(service()), replicas: '2', env: 'GREETING=bonjour', auth: 'token' as const };
    expect(updateBody('scale', values)).toEqual({ replicas: 2 });
    const version = UpdateServiceBodySchema.parse(updateBody('version', values));
    expect(Object.keys(version)).toEqual(['version']);
    expect(version.version).toMatchObject({ env: { GREETING: 'bonjour' }, replicas: 2, code: 'home/serving' });
    expect(updateBody('settings', values)).toEqual({
      auth: ['token'],
      limits: {
        qpsPerReplica: 50,
        concurrencyPerReplica: 4,
        maxBodyBytes: 2 * 1024 * 1024,
        upstreamTimeoutSeconds: 30,
      },
    });
    const cleared = updateBody('settings', values, { ...values, description: 'old' });
    expect(cleared.description).toBe('');
    expect(partOfField('replicas')).toBe('scale');
    expect(partOfField('readiness.target')).toBe('version');
    expect(partOfField('maxBodyMiB')).toBe('settings');
  });

  it('checks fields as typed with the deploy form’s rules and sends nothing unchanged or wrong', async () => {
    const { connection, sent } = recording(() => service());
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    form.reset(service());
    expect(form.errors.size).toBe(0);
    expect(await form.apply('scale')).toBeUndefined();
    form.update({ replicas: '17' });
    expect([...form.errors.keys()]).toEqual(['replicas']);
    expect(form.differs('scale')).toBe(true);
    expect(await form.apply('scale')).toBeUndefined();
    form.update({ replicas: '2', command: '  ' });
    expect([...form.errors.keys()]).toEqual(['command']);
    expect(form.problemsOf('version')).toEqual(['command']);
    expect(await form.apply('version')).toBeUndefined();
    // A problem in the version's fields does not hold the scale back.
    expect(await form.apply('scale')).toBeDefined();
    form.update({ auth: 'none' });
    expect(form.errors.get('noAuthConfirmed')?.[0]).toMatch(/anyone/);
    expect(await form.apply('settings')).toBeUndefined();
    form.update({ noAuthConfirmed: true });
    expect(await form.apply('settings')).toBeDefined();
    expect(sent).toEqual([
      { replicas: 2 },
      {
        auth: ['none'],
        limits: {
          qpsPerReplica: 50,
          concurrencyPerReplica: 4,
          maxBodyBytes: 2 * 1024 * 1024,
          upstreamTimeoutSeconds: 30,
        },
      },
    ]);
    // What was sent is the service's now.
    expect(form.differs('scale')).toBe(false);
    expect(form.differs('settings')).toBe(false);
    expect(form.differs('version')).toBe(true);
  });

  it('says what a limit field takes in its units, and sends nothing until it is fixed', async () => {
    const { connection, sent } = recording(() => service());
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    form.reset(service());
    form.update({ maxBodyMiB: '-3' });
    expect(form.errors.get('maxBodyMiB')).toEqual([
      'Request body limit must be a number of MiB greater than 0 (e.g. 0.5), at most 1024',
    ]);
    expect(form.problemsOf('settings')).toEqual(['maxBodyMiB']);
    expect(await form.apply('settings')).toBeUndefined();
    form.update({ maxBodyMiB: '3' });
    expect(await form.apply('settings')).toBeDefined();
    expect(sent).toMatchObject([{ limits: { maxBodyBytes: 3 * 1024 * 1024 } }]);
  });

  it('keeps the probes’ initial delay and timeout of the serving version in a new version', async () => {
    const slow = service();
    slow.versions[0]!.spec.probes = {
      readiness: { ...slow.versions[0]!.spec.probes.readiness!, initialDelaySeconds: 20, timeoutSeconds: 5 },
    };
    expect(valuesOfService(slow).readiness).toMatchObject({ initialDelaySeconds: '20', timeoutSeconds: '5' });
    const { connection, sent } = recording(() => slow);
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    form.reset(slow);
    form.update({ env: 'GREETING=bonjour' });
    expect(await form.apply('version')).toBeDefined();
    // As the server reads it: nothing left out for the contract's defaults (timeout 1 s, no delay) to fill.
    const version = UpdateServiceBodySchema.parse(sent[0]).version;
    expect(version?.probes.readiness).toEqual({
      type: 'http',
      path: '/ready',
      initialDelaySeconds: 20,
      periodSeconds: 1,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
  });

  it('sends nothing once the service is deleted, and no longer follows it', async () => {
    const { connection, sent } = recording(() => service());
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    form.reset(service());
    let changes = 0;
    form.changed.connect(() => changes++);
    form.markDeleted();
    expect(form.deleted).toBe(true);
    expect(changes).toBe(1);
    // The last news of the service does not fill the form again.
    const scaled = service();
    scaled.versions[0]!.spec.replicas = 3;
    form.follow(scaled);
    expect(form.values.replicas).toBe('1');
    expect(await form.scaleTo(2)).toBeUndefined();
    form.update({ env: 'GREETING=bonjour', qpsPerReplica: '10' });
    expect(await form.apply('version')).toBeUndefined();
    expect(await form.apply('settings')).toBeUndefined();
    expect(sent).toEqual([]);
    expect(form.busy).toBe(false);
    // What is typed stays.
    expect(form.values).toMatchObject({ replicas: '2', env: 'GREETING=bonjour', qpsPerReplica: '10' });
  });

  it('shows the API’s 400 issues at their fields', async () => {
    const { connection } = recording(
      () =>
        new ApiError('validation_failed', 'bad', {
          status: 400,
          issues: [{ path: 'body.spec.version.model', message: 'does not exist under /work' }],
        }),
    );
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    form.reset(service());
    form.update({ model: 'home/models/none' });
    expect(await form.apply('version')).toBeUndefined();
    expect(form.errors.get('model')).toEqual(['does not exist under /work']);
    expect(form.busy).toBe(false);
  });

  it('follows the service while nothing is typed, and keeps what is typed', () => {
    const { connection } = recording(() => service());
    const form = new ServiceUpdateModel(connection, trans, 'tiny');
    expect(form.loaded).toBe(false);
    form.follow(service());
    expect(form.values.replicas).toBe('1');
    const scaled = service();
    scaled.versions[0]!.spec.replicas = 3;
    form.follow(scaled);
    expect(form.values.replicas).toBe('3');
    form.update({ command: 'python3 other.py' });
    form.follow(service());
    expect(form.values).toMatchObject({ replicas: '3', command: 'python3 other.py' });
  });

  it('refuses to update while offline, saying so', async () => {
    const offline = { client: undefined, state: { status: 'disconnected' } } as unknown as IConnectionModel;
    const form = new ServiceUpdateModel(offline, trans, 'tiny');
    form.reset(service());
    expect(await form.scaleTo(2)).toBeUndefined();
    expect(form.generalErrors).toEqual(['not connected to the AI Platform server']);
  });
});
