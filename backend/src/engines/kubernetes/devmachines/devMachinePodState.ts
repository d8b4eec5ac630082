import type { PodObject } from '../clusterObjects.js';

/** What a dev machine's pod says of it. */
export type DevMachinePodState =
  | { kind: 'gone' }
  | { kind: 'waiting'; message: string }
  | { kind: 'starting' }
  | { kind: 'ready' }
  | { kind: 'failed'; message: string };

/** Kueue holds a pod it has not admitted behind this scheduling gate. */
export const KUEUE_ADMISSION_GATE = 'kueue.x-k8s.io/admission';

/** How the dev machine image's entrypoint begins the termination message of a failed lifecycle script. */
export const LIFECYCLE_FAILURE = 'aiplat-lifecycle: ';
/** How it begins the termination message when the image cannot run the machine as asked (SSH without sshd). */
export const START_FAILURE = 'aiplat-devmachine: ';

/** Container waits that do not end by waiting longer: the dev machine has failed. */
const FATAL_WAITS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
]);

/**
 * Reads a dev machine's pod: gated by Kueue or not scheduled is a wait with its reason, Ready is
 * ready, an image that cannot be pulled, a container that keeps crashing or a pod that ended is a
 * failure with the cluster's words. `queue` names the queue in the wait.
 */
export function devMachinePodState(
  pod: (PodObject & { spec?: { schedulingGates?: { name: string }[] } }) | undefined,
  queue: string,
): DevMachinePodState {
  if (!pod || pod.metadata?.deletionTimestamp) return { kind: 'gone' };
  if (pod.spec?.schedulingGates?.some((gate) => gate.name === KUEUE_ADMISSION_GATE)) {
    return { kind: 'waiting', message: `waiting for Kueue to admit it in queue ${queue}` };
  }
  const status = pod.status ?? {};
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return { kind: 'failed', message: `its pod ended (${status.phase}${status.reason ? `: ${status.reason}` : ''})` };
  }
  for (const container of status.containerStatuses ?? []) {
    // A lifecycle script failed: the entrypoint ended with its reason (a restart would only fail again).
    const ended = container.state?.terminated ?? container.lastState?.terminated;
    if (ended?.message?.startsWith(LIFECYCLE_FAILURE)) {
      return {
        kind: 'failed',
        message: `${ended.message.slice(LIFECYCLE_FAILURE.length)}; start it in safe mode to skip the scripts once`,
      };
    }
    if (ended?.message?.startsWith(START_FAILURE)) {
      return { kind: 'failed', message: ended.message.slice(START_FAILURE.length) };
    }
    const waiting = container.state?.waiting;
    if (waiting?.reason && FATAL_WAITS.has(waiting.reason)) {
      const last = container.lastState?.terminated;
      const exit = last ? `; it last exited with code ${last.exitCode}` : '';
      return {
        kind: 'failed',
        message: `${waiting.reason}: ${waiting.message ?? 'the container cannot start'}${exit}`,
      };
    }
  }
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  if (condition('Ready')?.status === 'True') return { kind: 'ready' };
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      kind: 'waiting',
      message: `not scheduled yet: ${scheduled.message ?? scheduled.reason ?? 'no node fits'}`,
    };
  }
  return { kind: 'starting' };
}
