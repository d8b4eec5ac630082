import type { ReplicaState } from '@aiplat/api';
import type { PodObject } from '../clusterObjects.js';
import { KUEUE_ADMISSION_GATE } from '../devmachines/devMachinePodState.js';

/** A replica as one pod of its version shows it. */
export type ServicePodView =
  | { kind: 'replica'; state: ReplicaState; restarts: number; message?: string }
  /** Kueue has not admitted it, or no node fits it yet: the version waits. */
  | { kind: 'waiting'; restarts: number; message: string }
  /** It cannot run by waiting longer: the version has failed, in the cluster's words. */
  | { kind: 'failed'; message: string };

export type ServicePod = PodObject & { spec?: { schedulingGates?: { name: string }[] } };

/** A container crash-looping this many times is the version's failure (fewer: it is restarting). */
export const CRASH_LOOP_RESTARTS = 3;

/** Container waits that do not end by waiting longer. */
const FATAL_WAITS = new Set([
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** A pod that ended or is being deleted: its ReplicaSet makes another, so it is no replica any more. */
export function isLivePod(pod: ServicePod): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata?.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded';
}

export function podRestarts(pod: ServicePod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
}

/**
 * Reads one pod of a version. `wasReady`: this pod has been Ready before, so a pod no longer ready
 * is NotReady (a readiness probe failing) rather than Starting. `queue` names the queue in a wait.
 */
export function servicePodView(pod: ServicePod, wasReady: boolean, queue: string): ServicePodView {
  const restarts = podRestarts(pod);
  if (pod.spec?.schedulingGates?.some((gate) => gate.name === KUEUE_ADMISSION_GATE)) {
    return { kind: 'waiting', restarts, message: `waiting for Kueue to admit it in queue ${queue}` };
  }
  const status = pod.status ?? {};
  for (const container of status.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    if (!waiting?.reason) continue;
    const last = container.lastState?.terminated;
    const exit = last ? `; it last exited with code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
    const words = `${waiting.reason}: ${waiting.message ?? 'the container cannot start'}${exit}`;
    if (FATAL_WAITS.has(waiting.reason)) return { kind: 'failed', message: words };
    if (waiting.reason === 'CrashLoopBackOff') {
      if ((container.restartCount ?? 0) >= CRASH_LOOP_RESTARTS) return { kind: 'failed', message: words };
      return { kind: 'replica', state: 'Restarting', restarts, message: words };
    }
    if (waiting.reason === 'ErrImagePull') return { kind: 'replica', state: 'Pending', restarts, message: words };
  }
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  if (condition('Ready')?.status === 'True') return { kind: 'replica', state: 'Ready', restarts };
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      kind: 'waiting',
      restarts,
      message: `not scheduled yet: ${scheduled.message ?? scheduled.reason ?? 'no node fits'}`,
    };
  }
  const running = (status.containerStatuses ?? []).some((c) => c.state?.running);
  if (running && wasReady) {
    return { kind: 'replica', state: 'NotReady', restarts, message: 'its readiness probe fails' };
  }
  return { kind: 'replica', state: running || status.phase === 'Running' ? 'Starting' : 'Pending', restarts };
}
