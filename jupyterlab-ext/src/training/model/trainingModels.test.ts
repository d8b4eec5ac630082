import { isTerminalJobState, type JobSpecInput } from '@aiplat/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionModel } from '../../model/connectionModel.js';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { connectedModel, waitFor } from '../test/connectedModel.js';
import { JobFormModel } from './jobFormModel.js';
import { JobListModel, RunningJobsCount } from './jobListModel.js';
import { JobViewModel } from './jobViewModel.js';

let backend: RealBackend;
let connection: ConnectionModel;

beforeAll(async () => {
  backend = await startRealBackend();
  connection = await connectedModel(backend);
});
afterAll(async () => {
  connection?.dispose();
  await backend?.close();
});

const quick = (name: string, extra: Partial<JobSpecInput> = {}): JobSpecInput =>
  ({
    name,
    mode: 'ddp',
    nodes: 2,
    command: 'echo hi from $RANK; sleep 1',
    resources: { cpu: 0.1, memory: '64Mi' },
    workingDir: 'home',
    ...extra,
  }) as JobSpecInput;

describe('the job list model against the real backend', () => {
  it('lists jobs and follows their states over the WebSocket, with filters', async () => {
    const list = new JobListModel(connection);
    await waitFor(list.jobsChanged, () => !list.loading, 'the first load');
    const job = await backend.client().createJob({ body: { spec: quick('listed', { tags: { team: 'vision' } }) } });
    const succeeded = await waitFor(
      list.jobsChanged,
      () => list.jobs.find((j) => j.id === job.id && j.state === 'Succeeded'),
      'the job to succeed in the list',
    );
    expect(succeeded.spec.name).toBe('listed');

    await list.setFilters({ tag: 'team=nlp' });
    expect(list.jobs.find((j) => j.id === job.id)).toBeUndefined();
    await list.setFilters({ tag: 'team=vision', mine: true, states: ['Succeeded'] });
    expect(list.jobs.map((j) => j.id)).toContain(job.id);
    await list.setFilters({ states: ['Running'] });
    expect(list.jobs.map((j) => j.id)).not.toContain(job.id);

    await list.setFilters({ states: [], tag: '' });
    await backend.client().deleteJob({ params: { id: job.id } });
    await waitFor(list.jobsChanged, () => !list.jobs.some((j) => j.id === job.id), 'the deleted job to go');
    list.dispose();
    list.dispose();
  });

  it('counts the user’s running jobs', async () => {
    const count = new RunningJobsCount(connection);
    const job = await backend
      .client()
      .createJob({ body: { spec: quick('counted', { nodes: 1, command: 'sleep 600' }) } });
    await waitFor(count.changed, () => count.count === 1, 'one running job');
    await backend.client().stopJob({ params: { id: job.id }, body: { force: true } });
    await waitFor(count.changed, () => count.count === 0, 'no running job');
    count.dispose();
  });
});

describe('the job form model against the real backend', () => {
  it('shows the schema’s problems at their fields before sending', async () => {
    const form = new JobFormModel(connection, { mode: 'ddp' });
    form.update({ name: 'bad name!', command: ' ', nodes: '0', resources: { ...form.values.resources, memory: '12' } });
    expect(await form.submit()).toBeUndefined();
    expect([...form.errors.keys()].sort()).toEqual(['command', 'name', 'nodes', 'resources.memory']);
    form.update({ name: 'fixed' });
    expect(form.errors.has('name')).toBe(false);
    form.update({ hyperparameters: '{"lr": ' });
    expect(form.errors.get('hyperparameters')?.[0]).toMatch(/JSON/);
    form.dispose();
  });

  it('shows the API’s 400 issues at their fields', async () => {
    const form = new JobFormModel(connection, quick('no-dir', { workingDir: 'home/does-not-exist' }));
    expect(await form.submit()).toBeUndefined();
    expect(form.errors.get('workingDir')?.join()).toMatch(/does-not-exist|not exist|no such/i);
    form.update({ name: 'Bad!', workingDir: 'home' });
    expect(await form.submit({ validateFirst: false })).toBeUndefined();
    expect(form.errors.get('name')?.join()).toMatch(/name/);
    form.dispose();
  });

  it('submits a valid job', async () => {
    const form = new JobFormModel(connection, quick('from-form', { nodes: 1, command: 'echo ok' }));
    const job = await form.submit();
    expect(job?.spec.name).toBe('from-form');
    expect(form.errors.size).toBe(0);
    form.dispose();
  });
});

describe('the job view model against the real backend', () => {
  it('streams a 2-node job’s logs and events to success, then starts it again, copies and deletes it', async () => {
    const created = await backend.client().createJob({ body: { spec: quick('viewed') } });
    const view = new JobViewModel(connection, created.id);
    await view.start();
    await waitFor(view.jobChanged, () => view.job?.state === 'Succeeded', 'success');
    await waitFor(view.logsChanged, () => view.logsEnded, 'the end of the logs');
    const texts = view.logs.lines().map((l) => l.text);
    expect(texts).toContain('hi from 0');
    expect(texts).toContain('hi from 1');
    expect(view.logs.lines(1).every((l) => l.instance === 1)).toBe(true);
    expect(view.logs.search('HI FROM').length).toBe(2);
    await waitFor(view.eventsChanged, () => view.events.some((e) => e.type === 'succeeded'), 'the succeeded event');
    expect(view.job?.instances).toHaveLength(2);
    await view.refreshMetrics();
    expect(view.metrics?.instances).toBeDefined();

    const spec = await view.copySpec();
    expect(spec?.name).toBe('viewed-copy');

    expect(await view.startAgain()).toBe(true);
    await waitFor(view.jobChanged, () => view.job && !isTerminalJobState(view.job.state), 'the job to run again');
    await waitFor(view.jobChanged, () => view.job?.state === 'Succeeded', 'success again');
    await waitFor(
      view.logsChanged,
      () => view.logsEnded && view.logs.lines().filter((l) => l.text === 'hi from 0').length === 2,
      'the second run’s lines',
    );

    expect(await view.remove()).toBe(true);
    expect(view.deleted).toBe(true);
    view.dispose();
  });

  it('stops a job with force and finds the first error line', async () => {
    const created = await backend.client().createJob({
      body: { spec: quick('stopped', { nodes: 1, command: 'echo starting; echo "ValueError: bad" >&2; sleep 600' }) },
    });
    const view = new JobViewModel(connection, created.id);
    await view.start();
    await waitFor(view.logsChanged, () => view.logs.firstError() >= 0, 'the error line');
    expect(view.logs.lines()[view.logs.firstError()]?.text).toBe('ValueError: bad');
    expect(await view.stop(true)).toBe(true);
    await waitFor(view.jobChanged, () => view.job?.state === 'Stopped', 'the stop');
    view.dispose();
  });

  it('follows a running job’s metrics as they are sampled (the job-metrics topic, no polling)', async () => {
    const created = await backend.client().createJob({
      body: { spec: quick('sampled', { nodes: 1, command: 'sleep 600' }) },
    });
    const view = new JobViewModel(connection, created.id);
    await view.start();
    await waitFor(view.jobChanged, () => view.job?.state === 'Running', 'running');
    const stopFollowing = view.followMetrics();
    const points = () => view.metrics?.instances[0]?.points.length ?? 0;
    await waitFor(view.metricsChanged, () => points() >= 1, 'a first point');
    const first = points();
    // Only the topic can bring more: the model reads over HTTP once.
    await waitFor(view.metricsChanged, () => points() > first, 'a pushed point');
    const times = view.metrics!.instances[0]!.points.map((p) => p.time);
    expect(new Set(times).size).toBe(times.length);
    stopFollowing();
    expect(await view.stop(true)).toBe(true);
    view.dispose();
  });

  it('follows the logs across a reconnect from the last cursor, no line missed or repeated', async () => {
    const created = await backend.client().createJob({
      body: {
        spec: quick('reconnected', { nodes: 1, command: 'for i in $(seq 1 30); do echo line $i; sleep 0.05; done' }),
      },
    });
    const view = new JobViewModel(connection, created.id);
    await view.start();
    await waitFor(view.logsChanged, () => view.logs.lines().some((l) => l.text === 'line 3'), 'the first lines');
    connection.disconnect();
    expect((await connection.connect()).status).toBe('connected');
    await waitFor(view.logsChanged, () => view.logsEnded, 'the end of the logs');
    const numbers = view.logs
      .lines()
      .filter((l) => l.stream === 'stdout')
      .map((l) => l.text);
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
    view.dispose();
  });
});
