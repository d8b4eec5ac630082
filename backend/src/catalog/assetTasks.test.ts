import { describe, expect, it } from 'vitest';
import type { AssetTask } from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import { AssetTasks, type TaskInit } from './assetTasks.js';

const INIT: TaskInit = {
  action: 'import',
  kind: 'datasets',
  assetId: 'as-000000000001',
  assetName: 'faq',
  owner: 'ann',
  source: 'home/raw',
};

function recorder(): { events: EventPublisher; seen: { user?: string; task: AssetTask }[] } {
  const seen: { user?: string; task: AssetTask }[] = [];
  return {
    seen,
    events: {
      publish: (_topic, _kind, data, options) =>
        seen.push({ task: data as AssetTask, ...(options?.user ? { user: options.user } : {}) }),
    },
  };
}

describe('asset tasks', () => {
  it("publishes a task's start, its phase changes, throttled progress and its end, to its owner only", async () => {
    const { events, seen } = recorder();
    const tasks = new AssetTasks(events, { progressEveryMs: 60_000 });
    const task = tasks.start(INIT, async (control) => {
      control.progress({ phase: 'copying', bytesTotal: 100 });
      for (let i = 1; i <= 100; i++) control.progress({ bytesDone: i });
      return 'copied';
    });
    const done = await tasks.settled(task.id);
    expect(done).toMatchObject({ state: 'succeeded', message: 'copied', bytesDone: 100, phase: 'copying' });
    expect(seen.map((e) => [e.task.state, e.task.phase])).toEqual([
      ['running', 'queued'],
      ['running', 'copying'],
      ['succeeded', 'copying'],
    ]);
    expect(seen.every((e) => e.user === 'ann')).toBe(true);
    expect(tasks.list('ann').map((t) => t.id)).toEqual([task.id]);
    expect(tasks.list('bob')).toEqual([]);
    expect(() => tasks.get(task.id, 'bob')).toThrow(/no task/);
  });

  it('a failure runs the cleanup with the reason and reads failed', async () => {
    const cleaned: string[] = [];
    const tasks = new AssetTasks(recorder().events);
    const task = tasks.start(
      INIT,
      async () => {
        throw new Error('disk full');
      },
      async (outcome, message) => void cleaned.push(`${outcome}: ${message}`),
    );
    expect(await tasks.settled(task.id)).toMatchObject({ state: 'failed', message: 'disk full' });
    expect(cleaned).toEqual(['failed: disk full']);
  });

  it('cancel aborts the work, waits for its cleanup, and cannot cancel twice', async () => {
    const cleaned: string[] = [];
    const tasks = new AssetTasks(recorder().events);
    const task = tasks.start(
      INIT,
      (control) =>
        new Promise((_resolve, reject) => {
          control.signal.addEventListener('abort', () => reject(control.signal.reason));
        }),
      async (outcome) => {
        await new Promise((r) => setTimeout(r, 20));
        cleaned.push(outcome);
      },
    );
    expect(tasks.running(INIT.assetId)).toHaveLength(1);
    const cancelled = await tasks.cancel(task.id, 'ann');
    expect(cancelled.state).toBe('cancelled');
    expect(cleaned).toEqual(['cancelled']);
    await expect(tasks.cancel(task.id, 'ann')).rejects.toThrow(/already cancelled/);
    expect(tasks.running(INIT.assetId)).toEqual([]);
  });

  it('keeps a bounded number of finished tasks per user', async () => {
    const tasks = new AssetTasks(recorder().events, { keepFinished: 2 });
    for (let i = 0; i < 4; i++) await tasks.settled(tasks.start(INIT, async () => undefined).id);
    expect(tasks.list('ann')).toHaveLength(2);
  });
});
