import {
  runsCommand,
  type FailureReason,
  type InstanceState,
  type JobMode,
  type JobState,
  type WaitReason,
} from '@aiplat/api';
import type { PlannedInstance } from '../../jobs/plannedInstances.js';
import {
  createdAtMs,
  type ClusterObject,
  type Condition,
  type ContainerStatus,
  type PodObject,
} from './clusterObjects.js';
import { crdFor, type JobResource } from './manifests/index.js';
import { podRoles } from './podRoles.js';

export type { ClusterObject, Condition, ContainerStatus, ObjectMeta, PodObject } from './clusterObjects.js';
export { OPERATOR_LABELS, podRoles, type PodRole } from './podRoles.js';

type CrKind = JobResource['kind'];

/*
 * What a job's objects in the cluster say about it, as the platform's states. Pure: the watcher
 * hands in what its informers hold (the job's custom resource, Kueue's Workload for it, its pods)
 * and applies the answer. The cluster is the source of truth; this is only the translation.
 */

// ---- the job's state ---------------------------------------------------------------------------

export interface ObservedInstance {
  index: number;
  state: InstanceState;
  pod?: string;
  node?: string;
  exitCode?: number;
}

export interface ObservedJob {
  state: JobState;
  /** For people: why the job is in this state (the condition or pod that says so). */
  message: string;
  waitReason?: WaitReason;
  reason?: FailureReason;
  instances: ObservedInstance[];
}

function condition(object: ClusterObject | undefined, type: string): Condition | undefined {
  const conditions = object?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((c) => c.type === type);
}

function isTrue(object: ClusterObject | undefined, type: string): Condition | undefined {
  const found = condition(object, type);
  return found?.status === 'True' ? found : undefined;
}

type Outcome = { result: 'succeeded' | 'failed'; message: string } | undefined;

/** Whether the custom resource says the job has finished, by its kind's own conventions. */
function crOutcome(kind: CrKind, cr: ClusterObject): Outcome {
  const text = (c: Condition) => c.message || c.reason || c.type;
  if (kind === 'RayJob') {
    const status = cr.status ?? {};
    const deployment = status.jobDeploymentStatus;
    const job = status.jobStatus;
    const message = typeof status.message === 'string' && status.message ? status.message : undefined;
    if (deployment === 'Complete' && job === 'SUCCEEDED')
      return { result: 'succeeded', message: 'the Ray job succeeded' };
    if (deployment === 'Failed' || job === 'FAILED' || (deployment === 'Complete' && job !== 'SUCCEEDED')) {
      return { result: 'failed', message: message ?? `the Ray job ended ${String(job ?? deployment)}` };
    }
    return undefined;
  }
  const success = { TrainJob: 'Complete', MPIJob: 'Succeeded', JobSet: 'Completed' }[kind];
  const failed = isTrue(cr, 'Failed');
  if (failed) return { result: 'failed', message: text(failed) };
  const done = isTrue(cr, success);
  if (done) return { result: 'succeeded', message: text(done) };
  return undefined;
}

function crSuspended(kind: CrKind, cr: ClusterObject): boolean {
  if (kind === 'RayJob') {
    const deployment = cr.status?.jobDeploymentStatus;
    return cr.spec?.suspend === true || deployment === 'Suspended' || deployment === 'Suspending';
  }
  if (kind === 'MPIJob') return (cr.spec?.runPolicy as { suspend?: boolean } | undefined)?.suspend === true;
  return cr.spec?.suspend === true;
}

/** Why Kueue has not admitted the job yet, from its Workload. */
function waitReason(workload: ClusterObject | undefined, workloadsUnseen: string | undefined): WaitReason {
  if (!workload && workloadsUnseen)
    return { message: `queued; Kueue's Workloads cannot be followed: ${workloadsUnseen}` };
  if (!workload) return { message: 'waiting for Kueue to create its Workload (is the queue a Kueue LocalQueue?)' };
  const evicted = isTrue(workload, 'Evicted');
  if (evicted) return { message: `evicted by Kueue: ${evicted.message || evicted.reason || 'no reason given'}` };
  const pending = condition(workload, 'QuotaReserved');
  const message = pending?.status === 'False' && pending.message ? pending.message : 'waiting for Kueue to admit it';
  const resource = /insufficient.*\b(cpu|memory)\b/i.exec(message)?.[1]?.toLowerCase();
  const accelerator = /insufficient.*(gpu|ascend|npu)/i.test(message);
  return {
    message,
    ...(resource === 'cpu' || resource === 'memory' ? { resource } : accelerator ? { resource: 'accelerator' } : {}),
  };
}

function containerOf(pod: PodObject): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.[0];
}

/** The state of one instance from its pod. */
export function instanceFromPod(index: number, pod: PodObject | undefined): ObservedInstance {
  if (!pod) return { index, state: 'Pending' };
  const base = {
    index,
    ...(pod.metadata?.name ? { pod: pod.metadata.name } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
  };
  const terminated = containerOf(pod)?.state?.terminated;
  switch (pod.status?.phase) {
    case 'Succeeded':
      return { ...base, state: 'Succeeded', exitCode: 0 };
    case 'Failed':
      return { ...base, state: 'Failed', ...(terminated ? { exitCode: terminated.exitCode } : {}) };
    case 'Running':
      return { ...base, state: pod.metadata?.deletionTimestamp ? 'Stopped' : 'Running' };
    default:
      return { ...base, state: pod.spec?.nodeName ? 'Starting' : 'Pending' };
  }
}

/** The failure a failed pod explains: which instance, which pod, which exit code. */
export function podFailure(index: number, pod: PodObject): FailureReason | undefined {
  const status = containerOf(pod);
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
  const name = pod.metadata?.name ?? 'a pod';
  if (terminated && terminated.exitCode !== 0) {
    if (terminated.reason === 'OOMKilled') {
      return {
        kind: 'oom',
        instance: index,
        exitCode: terminated.exitCode,
        message: `instance ${index} (pod ${name}) ran out of memory (OOMKilled, exit code ${terminated.exitCode}); ask for more memory`,
      };
    }
    return {
      kind: 'exit-code',
      instance: index,
      exitCode: terminated.exitCode,
      message: `instance ${index} (pod ${name}) exited with code ${terminated.exitCode}${terminated.reason && terminated.reason !== 'Error' ? ` (${terminated.reason})` : ''}`,
    };
  }
  const waiting = status?.state?.waiting;
  if (waiting && /ImagePull|ErrImage|InvalidImageName|CreateContainerConfigError/.test(waiting.reason ?? '')) {
    return {
      kind: 'start-failed',
      instance: index,
      message: `instance ${index} (pod ${name}) cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
    };
  }
  if (pod.status?.phase === 'Failed') {
    return {
      kind: 'lost',
      instance: index,
      message: `instance ${index} (pod ${name}) failed: ${pod.status.reason || pod.status.message || 'no reason given'}`,
    };
  }
  return undefined;
}

export interface JobObjects {
  mode: JobMode;
  planned: readonly PlannedInstance[];
  /** The job's custom resource; undefined when it is not (or no longer) in the cluster. */
  cr: ClusterObject | undefined;
  /** Kueue's Workload owned by the custom resource. */
  workload: ClusterObject | undefined;
  /** Why the engine cannot see Kueue's Workloads (the API server refused to list or watch them), if it cannot. */
  workloadsUnseen?: string;
  pods: readonly PodObject[];
}

/**
 * The platform state the cluster shows for a job. Undefined when the custom resource is missing:
 * what that means (stopped, lost, not created yet) depends on what the platform asked for.
 */
export function observeJob(objects: JobObjects): ObservedJob | undefined {
  const { cr, mode, planned } = objects;
  if (!cr) return undefined;
  const kind = crdFor(mode).kind;
  const roles = podRoles(mode, objects.pods, planned);
  const podOf = new Map<number, PodObject>();
  for (const [pod, role] of roles) {
    if (role.stateOf === undefined) continue;
    const seen = podOf.get(role.stateOf);
    // A replaced pod (restart) and its successor: the newer one speaks for the instance.
    if (!seen || createdAtMs(pod) >= createdAtMs(seen)) {
      podOf.set(role.stateOf, pod);
    }
  }
  const instances = planned.map((p) => instanceFromPod(p.index, podOf.get(p.index)));

  const outcome = crOutcome(kind, cr);
  if (outcome?.result === 'succeeded') {
    // In a launcher-only mode the job's success is the launcher's (instance 0); the instances that
    // waited for it were stopped, as on the local engine.
    const finished = (i: ObservedInstance): InstanceState => (runsCommand(mode, i.index) ? 'Succeeded' : 'Stopped');
    return {
      state: 'Succeeded',
      message: outcome.message,
      instances: instances.map((i) => (i.state === 'Failed' ? i : { ...i, state: finished(i) })),
    };
  }
  if (outcome?.result === 'failed') {
    let reason: FailureReason | undefined;
    for (const [index, pod] of podOf) {
      reason = podFailure(index, pod);
      if (reason) break;
    }
    for (const [pod, role] of roles) {
      if (reason || role.stateOf !== undefined || role.logTo === undefined) continue;
      const failure = podFailure(role.logTo, pod);
      if (failure) reason = failure;
    }
    reason ??= { kind: 'exit-code', message: `${kind} ${cr.metadata?.name ?? ''} failed: ${outcome.message}` };
    return {
      state: 'Failed',
      message: reason.message,
      reason,
      instances: instances.map((i) =>
        i.state === 'Running' || i.state === 'Pending' || i.state === 'Starting' ? { ...i, state: 'Stopped' } : i,
      ),
    };
  }
  if (crSuspended(kind, cr)) {
    const wait = waitReason(objects.workload, objects.workloadsUnseen);
    return {
      state: 'Queued',
      message: wait.message,
      waitReason: wait,
      instances: planned.map((p) => ({ index: p.index, state: 'Pending' })),
    };
  }
  for (const [index, pod] of podOf) {
    const failure = podFailure(index, pod);
    if (failure?.kind === 'start-failed') {
      return { state: 'Starting', message: failure.message, instances };
    }
  }
  const running = instances.every((i) => i.state === 'Running' || i.state === 'Succeeded');
  if (running) return { state: 'Running', message: `all ${instances.length} instance(s) running`, instances };
  const up = instances.filter((i) => i.state === 'Running').length;
  return { state: 'Starting', message: `admitted; ${up} of ${instances.length} instance(s) running`, instances };
}

/** States a job may pass through on its way to what the cluster shows (never finished or stopping ones). */
const PASSING: readonly JobState[] = ['Queued', 'Starting', 'Running'];

/** The shortest way through the contract's transitions from one state to another, without `from`. */
export function transitionPath(
  from: JobState,
  to: JobState,
  transitions: Readonly<Record<JobState, readonly JobState[]>>,
): JobState[] | undefined {
  if (from === to) return [];
  const previous = new Map<JobState, JobState>();
  const queue: JobState[] = [from];
  while (queue.length > 0) {
    const state = queue.shift() as JobState;
    for (const next of transitions[state]) {
      if (next === from || previous.has(next)) continue;
      if (next !== to && !PASSING.includes(next)) continue;
      previous.set(next, state);
      if (next === to) {
        const path: JobState[] = [to];
        for (let s = state; s !== from; s = previous.get(s) as JobState) path.unshift(s);
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
}
