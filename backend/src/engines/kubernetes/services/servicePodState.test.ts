import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_RESTARTS, isLivePod, servicePodView, type ServicePod } from './servicePodState.js';

const ready = (status: 'True' | 'False') => ({ type: 'Ready', status });
const waiting = (reason: string, restartCount = 0): ServicePod['status'] => ({
  phase: 'Running',
  conditions: [ready('False')],
  containerStatuses: [{ name: 'server', restartCount, state: { waiting: { reason, message: `${reason} said` } } }],
});
const running: ServicePod['status'] = {
  phase: 'Running',
  conditions: [ready('False')],
  containerStatuses: [{ name: 'server', restartCount: 0, state: { running: {} } }],
};

describe('a service pod read as a replica', () => {
  it.each<[string, ServicePod, boolean, ReturnType<typeof servicePodView>]>([
    [
      'gated by Kueue',
      { spec: { schedulingGates: [{ name: 'kueue.x-k8s.io/admission' }] }, status: { phase: 'Pending' } },
      false,
      { kind: 'waiting', restarts: 0, message: 'waiting for Kueue to admit it in queue q' },
    ],
    [
      'unschedulable',
      { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: 'no GPU' }] } },
      false,
      { kind: 'waiting', restarts: 0, message: 'not scheduled yet: no GPU' },
    ],
    [
      'scheduled, no container yet',
      { status: { phase: 'Pending' } },
      false,
      { kind: 'replica', state: 'Pending', restarts: 0 },
    ],
    [
      'a first pull failure',
      { status: waiting('ErrImagePull') },
      false,
      { kind: 'replica', state: 'Pending', restarts: 0, message: 'ErrImagePull: ErrImagePull said' },
    ],
    [
      'an image pull backing off',
      { status: waiting('ImagePullBackOff') },
      false,
      { kind: 'failed', message: 'ImagePullBackOff: ImagePullBackOff said' },
    ],
    [
      'a crash loop, early',
      { status: waiting('CrashLoopBackOff', 1) },
      true,
      { kind: 'replica', state: 'Restarting', restarts: 1, message: 'CrashLoopBackOff: CrashLoopBackOff said' },
    ],
    [
      'a crash loop, past the restarts allowed',
      { status: waiting('CrashLoopBackOff', CRASH_LOOP_RESTARTS) },
      true,
      { kind: 'failed', message: 'CrashLoopBackOff: CrashLoopBackOff said' },
    ],
    ['running, never ready', { status: running }, false, { kind: 'replica', state: 'Starting', restarts: 0 }],
    [
      'running, ready before',
      { status: running },
      true,
      { kind: 'replica', state: 'NotReady', restarts: 0, message: 'its readiness probe fails' },
    ],
    [
      'ready',
      { status: { ...running, conditions: [ready('True')] } },
      false,
      { kind: 'replica', state: 'Ready', restarts: 0 },
    ],
  ])('%s', (_what, pod, wasReady, view) => {
    expect(servicePodView(pod, wasReady, 'q')).toEqual(view);
  });

  it('counts pods that ended or are being deleted out (their ReplicaSet makes others)', () => {
    expect(isLivePod({ status: { phase: 'Running' } })).toBe(true);
    expect(isLivePod({ status: { phase: 'Failed', reason: 'Evicted' } })).toBe(false);
    expect(isLivePod({ metadata: { deletionTimestamp: new Date() }, status: { phase: 'Running' } })).toBe(false);
  });
});
