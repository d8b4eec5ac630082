import { describe, expect, it } from 'vitest';
import { devMachinePodState } from './devMachinePodState.js';

describe('what a dev machine’s pod says of it', () => {
  it('is gone, gated, unscheduled, starting or ready', () => {
    expect(devMachinePodState(undefined, 'q')).toEqual({ kind: 'gone' });
    expect(devMachinePodState({ metadata: { deletionTimestamp: '2026-12-05T00:00:00Z' } }, 'q')).toEqual({
      kind: 'gone',
    });
    expect(devMachinePodState({ spec: { schedulingGates: [{ name: 'kueue.x-k8s.io/admission' }] } }, 'gpu')).toEqual({
      kind: 'waiting',
      message: 'waiting for Kueue to admit it in queue gpu',
    });
    const unscheduled = {
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' },
        ],
      },
    };
    expect(devMachinePodState(unscheduled, 'q')).toEqual({
      kind: 'waiting',
      message: 'not scheduled yet: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
    });
    expect(devMachinePodState({ status: { phase: 'Pending' } }, 'q')).toEqual({ kind: 'starting' });
    expect(
      devMachinePodState({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'q'),
    ).toEqual({
      kind: 'ready',
    });
  });

  it('has failed when its container keeps crashing or its pod ended, saying how', () => {
    const crashing = {
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'ide',
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' } },
            lastState: { terminated: { exitCode: 3 } },
          },
        ],
      },
    };
    expect(devMachinePodState(crashing, 'q')).toEqual({
      kind: 'failed',
      message: 'CrashLoopBackOff: back-off 20s restarting failed container; it last exited with code 3',
    });
    // A lifecycle script failed: said at once, from the entrypoint's termination message, before any back-off.
    const scriptFailed = (state: 'state' | 'lastState') => ({
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'ide',
            [state]: {
              terminated: {
                exitCode: 3,
                message: 'aiplat-lifecycle: the on-start script exited with code 4; its last lines: broken',
              },
            },
            ...(state === 'lastState' ? { state: { running: {} } } : {}),
          },
        ],
      },
    });
    for (const state of ['state', 'lastState'] as const) {
      expect(devMachinePodState(scriptFailed(state), 'q')).toEqual({
        kind: 'failed',
        message:
          'the on-start script exited with code 4; its last lines: broken; start it in safe mode to skip the scripts once',
      });
    }
    // An image without sshd for a machine with SSH: said at once too, as the entrypoint put it.
    const noSshd = 'SSH is enabled, but the image has no /usr/sbin/sshd: install openssh-server in the image';
    const withoutSshd = {
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'ide', state: { terminated: { exitCode: 2, message: `aiplat-devmachine: ${noSshd}` } } },
        ],
      },
    };
    expect(devMachinePodState(withoutSshd, 'q')).toEqual({ kind: 'failed', message: noSshd });
    expect(devMachinePodState({ status: { phase: 'Failed', reason: 'Evicted' } }, 'q')).toEqual({
      kind: 'failed',
      message: 'its pod ended (Failed: Evicted)',
    });
  });
});
