import { describe, expect, it } from 'vitest';
import { TWO_NODE_ECHO, useConnectedBackend } from '../test/connectedServices.js';
import { waitUntil } from '../test/wait.js';
import { JobsModel } from './jobsModel.js';

const live = useConnectedBackend();

/** Runs `test` with a new model over the file's connection, and disposes the model after. */
async function withModel(test: (model: JobsModel) => Promise<void>): Promise<void> {
  const model = new JobsModel({ client: () => live.connection.client, events: live.events });
  try {
    await test(model);
  } finally {
    model.dispose();
  }
}

describe('JobsModel against the real backend', () => {
  it('lists jobs and follows a 2-node DDP job to Succeeded over the jobs topic', () =>
    withModel(async (model) => {
      await model.refresh();
      expect(model.loaded).toBe(true);
      const before = model.jobs.length;

      const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Succeeded', 'job succeeded');

      expect(model.jobs.length).toBe(before + 1);
      expect(model.jobs[0]?.id).toBe(job.id);
      expect(model.runningCount).toBe(0);

      await live.backend.client().deleteJob({ params: { id: job.id } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id) === undefined, 'job removed');
    }));

  it('pages with loadMore without repeating jobs', async () => {
    const created: { id: string }[] = [];
    for (let i = 0; i < 3; i++) created.push(await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } }));
    await withModel(async (model) => {
      await model.refresh();
      expect(model.jobs.length).toBeGreaterThanOrEqual(3);
      const ids = model.jobs.map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const job of created) expect(ids).toContain(job.id);
    });
  });

  it('keeps following after the connection is made again (a new socket, the same subscriptions)', () =>
    withModel(async (model) => {
      await model.refresh();
      live.connection.disconnect();
      expect(await live.events.ready()).toBe(false);
      expect((await live.connection.connect()).status).toBe('connected');
      expect(await live.events.ready()).toBe(true);

      const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Succeeded', 'job succeeded');
    }));

  it('settles an action answer that arrives after a newer change from the topic', () =>
    withModel(async (model) => {
      await model.refresh();
      const job = await live.backend
        .client()
        .createJob({ body: { spec: { ...TWO_NODE_ECHO, nodes: 1, command: 'sleep 60' } } });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Running', 'running');
      const answer = await live.backend.client().stopJob({ params: { id: job.id }, body: {} });
      await waitUntil(model.onDidChangeJobs, () => model.find(job.id)?.state === 'Stopped', 'stopped');

      // The stop's answer (Stopping) comes late: shown at once, then the re-read settles it.
      const settled = model.applyAnswer({ ...answer, state: 'Stopping' });
      expect(model.find(job.id)?.state).toBe('Stopping');
      await settled;
      expect(model.find(job.id)?.state).toBe('Stopped');
    }));
});
