import { describe, expect, it } from 'vitest';
import type { ImageSave } from '@aiplat/api';
import { aSave, fakeSaveEvents, FakeImageApi } from '../test/imageFakes.js';
import { watchImageSaves } from './imageSaveWatch.js';

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimer: (run: () => void) => {
      pending.set(++next, run);
      return next;
    },
    clearTimer: (timer: unknown) => pending.delete(timer as number),
    pending: () => pending.size,
    /** Runs the timers due now, and lets the reads they start finish. */
    async fire() {
      const due = [...pending.values()];
      pending.clear();
      for (const run of due) run();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

describe('watching image saves', () => {
  it('polls the saves while the subscription is not confirmed, then follows the topic', async () => {
    const api = new FakeImageApi();
    const live = fakeSaveEvents();
    const timers = manualTimers();
    const seen: ImageSave[] = [];
    const watch = watchImageSaves({ client: api, events: live.events, onSave: (s) => seen.push(s), ...timers });
    expect(timers.pending()).toBe(1);

    api.record(aSave({ state: 'Pushing', progress: { bytes: 10, files: 1 } }));
    await timers.fire();
    expect(seen.map((s) => s.progress.bytes)).toEqual([10]);
    expect(timers.pending()).toBe(1); // polls again

    api.record(aSave({ state: 'Pushing', progress: { bytes: 20, files: 1 } }));
    live.confirm(); // the socket is there: a read now, then only the topic
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen.map((s) => s.progress.bytes)).toEqual([10, 20]);
    expect(timers.pending()).toBe(0);

    live.push(aSave({ state: 'Succeeded', progress: { bytes: 30, files: 2 } }));
    expect(seen.at(-1)?.state).toBe('Succeeded');
    const reads = api.calls.filter((c) => c.route === 'listImageSaves').length;
    expect(reads).toBe(2);

    watch.dispose();
    watch.dispose();
    expect(live.count()).toBe(0);
    live.push(aSave({ state: 'Failed' }));
    expect(seen.at(-1)?.state).toBe('Succeeded');
  });

  it('keeps polling after a failed read, and stops when disposed', async () => {
    const api = new FakeImageApi();
    api.listImageSaves = () => Promise.reject(new Error('server away'));
    const timers = manualTimers();
    const errors: unknown[] = [];
    const watch = watchImageSaves({
      client: api,
      events: fakeSaveEvents().events,
      onSave: () => undefined,
      onError: (e) => errors.push(e),
      ...timers,
    });
    await timers.fire();
    await timers.fire();
    expect(errors.map(String)).toEqual(['Error: server away', 'Error: server away']);
    expect(timers.pending()).toBe(1);
    watch.dispose();
    expect(timers.pending()).toBe(0);
  });
});
