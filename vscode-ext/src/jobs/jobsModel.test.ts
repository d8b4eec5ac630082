import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionService } from '../connection/connectionService.js';
import type { LiveEvents } from '../connection/liveEvents.js';
import { connectTo, TWO_NODE_ECHO } from '../test/connectedServices.js';
import { startRealBackend, type RealBackend } from '../../../testing/src/realBackend.js';
import { waitUntil } from '../test/wait.js';
import { JobsModel } from './jobsModel.js';

let backend: RealBackend;
let connection: ConnectionService;
let events: LiveEvents;

beforeAll(async () => {
  backend = await startRealBackend();
  ({ connection, events } = await connectTo(backend));
  expect(await events.ready()).toBe(true);
});

afterAll(async () => {
  events?.dispose();
  connection?.dispose();
  await backend?.close();
});

describe('JobsModel against the real backend', () => {
  it('lists jobs and follows a 2-node DDP job to Succeeded over the jobs topic', async () => {
    const model = new JobsModel({ client: () => connection.client, events });
    try {
      await model.refresh();
      expect(model.loaded).toBe(true);
      const before = model.jobs.length;

      const job = await backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Succeeded', 'job succeeded');

      expect(model.jobs.length).toBe(before + 1);
      expect(model.jobs[0]?.id).toBe(job.id);
      expect(model.runningCount).toBe(0);

      await backend.client().deleteJob({ params: { id: job.id } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id) === undefined, 'job removed');
    } finally {
      model.dispose();
    }
  });

  it('pages with loadMore without repeating jobs', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await backend.client().createJob({ body: { spec: TWO_NODE_ECHO } }));
    const model = new JobsModel({ client: () => connection.client, events });
    try {
      await model.refresh();
      expect(model.jobs.length).toBeGreaterThanOrEqual(3);
      const ids = model.jobs.map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const job of created) expect(ids).toContain(job.id);
    } finally {
      model.dispose();
    }
  });

  it('keeps following after the connection is made again (a new socket, the same subscriptions)', async () => {
    const model = new JobsModel({ client: () => connection.client, events });
    try {
      await model.refresh();
      connection.disconnect();
      expect(await events.ready()).toBe(false);
      expect((await connection.connect()).status).toBe('connected');
      expect(await events.ready()).toBe(true);

      const job = await backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Succeeded', 'job succeeded');
    } finally {
      model.dispose();
    }
  });

  it('settles an action answer that arrives after a newer change from the topic', async () => {
    const model = new JobsModel({ client: () => connection.client, events });
    try {
      await model.refresh();
      const job = await backend
        .client()
        .createJob({ body: { spec: { ...TWO_NODE_ECHO, nodes: 1, command: 'sleep 60' } } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Running', 'running');
      const answer = await backend.client().stopJob({ params: { id: job.id }, body: {} });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Stopped', 'stopped');

      // The stop's answer (Stopping) comes late: shown at once, then the re-read settles it.
      const settled = model.applyAnswer({ ...answer, state: 'Stopping' });
      expect(model.find(job.id)?.state).toBe('Stopping');
      await settled;
      expect(model.find(job.id)?.state).toBe('Stopped');
    } finally {
      model.dispose();
    }
  });
});
