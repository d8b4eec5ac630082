import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { JobSpecSchema } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { JobRecord } from '../../jobs/jobStore.js';
import type { KubeCluster } from './cluster.js';
import { JobEventRelay } from './jobEventRelay.js';

/*
 * The relay's timing against what an API server stores: an Event's lastTimestamp in whole seconds,
 * and Events listed at most once a second per job, a poll that came too soon being made later.
 */

const job: JobRecord = {
  id: 'job-1',
  user: 'alice',
  spec: JobSpecSchema.parse({
    name: 'j',
    mode: 'ddp',
    engine: 'kubernetes',
    command: 'x',
    nodes: 1,
    resources: { cpu: 1, memory: '1Gi' },
  }),
  state: 'Queued',
  engine: 'kubernetes',
  createdAt: '2026-01-01T10:00:00.700Z',
  restarts: 0,
  attempt: 1,
};
const resource = { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { uid: 'tj-uid' } };

function event(name: string, lastTimestamp: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, uid: name },
    involvedObject: { uid: 'tj-uid', kind: 'TrainJob', name: 'job-1' },
    reason: 'Created',
    message: name,
    type: 'Normal',
    lastTimestamp,
  } as KubernetesObject;
}

function relay(events: KubernetesObject[], schedule?: (id: string) => void) {
  const told: string[] = [];
  const cluster = { list: () => Promise.resolve({ items: events }) } as unknown as KubeCluster;
  const lifecycle = { event: (_id: string, _type: string, message: string) => void told.push(message) };
  const relay = new JobEventRelay({ cluster, lifecycle, log: pino({ level: 'silent' }), schedule });
  const seen = { namespace: 'ns', resource, workload: undefined, pods: [] };
  return { told, poll: () => relay.poll(job, seen), relay };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('JobEventRelay', () => {
  it('tells an Event of the job’s first second, whose timestamp the server keeps in whole seconds', async () => {
    const { told, poll } = relay([
      event('before', '2026-01-01T09:59:59Z'),
      event('same second', '2026-01-01T10:00:00Z'),
    ]);
    await poll();
    expect(told).toEqual(['TrainJob job-1: Created: same second']);
  });

  it('a poll too soon after the last is made later, not dropped', async () => {
    vi.useFakeTimers();
    const events: KubernetesObject[] = [];
    const schedule = vi.fn();
    const { told, poll } = relay(events, schedule);
    await poll();
    events.push(event('later', '2026-01-01T10:00:05Z'));
    await poll();
    expect(told).toEqual([]);
    expect(schedule).not.toHaveBeenCalled();
    await poll(); // a second early poll asks once
    vi.advanceTimersByTime(1_000);
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(schedule).toHaveBeenCalledWith('job-1');
    await poll();
    expect(told).toEqual(['TrainJob job-1: Created: later']);
  });

  it('forget cancels a poll put off', async () => {
    vi.useFakeTimers();
    const schedule = vi.fn();
    const { poll, relay: r } = relay([], schedule);
    await poll();
    await poll();
    r.forget('job-1');
    vi.advanceTimersByTime(2_000);
    expect(schedule).not.toHaveBeenCalled();
  });
});
