import {
  runsCommand,
  type FailureReason,
  type InstanceState,
  type JobMode,
  type JobState,
  type WaitReason,
} from '@aiplat/api';
import type { PlannedInstance } from '../../jobs/plannedInstances.js';
import { crdFor, type JobResource } from './manifests/index.js';

type CrKind = JobResource['kind'];

/*
 * What a job's objects in the cluster say about it, as the platform's states. Pure: the watcher
 * hands in what its informers hold (the job's custom resource, Kueue's Workload for it, its pods)
 * and applies the answer. The cluster is the source of truth; this is only the translation.
 */

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string }[];
  deletionTimestamp?: string | Date;
  creationTimestamp?: string | Date;
}

export interface ClusterObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ContainerStatus {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string | Date };
    terminated?: { exitCode: number; signal?: number; reason?: string; message?: string };
  };
  lastState?: ContainerStatus['state'];
  restartCount?: number;
}

export interface PodObject {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    containerStatuses?: ContainerStatus[];
    conditions?: Condition[];
  };
}

// ---- pods to instances ---------------------------------------------------------------------------

/** Labels the operators put on the pods they create. */
export const OPERATOR_LABELS = {
  replicatedJob: 'jobset.sigs.k8s.io/replicatedjob-name',
  completionIndex: 'batch.kubernetes.io/job-completion-index',
  mpiRole: 'training.kubeflow.org/job-role',
  mpiIndex: 'training.kubeflow.org/replica-index',
  rayNodeType: 'ray.io/node-type',
  rayGroup: 'ray.io/group',
} as const;

/** What a pod is to its job: the instance whose state it carries and whose log its output goes to. */
export interface PodRole {
  /** The instance whose state this pod is; undefined for helper pods (MPI launcher, Ray submitter). */
  stateOf?: number;
  /** The instance log its output is appended to; undefined when its output is not followed. */
  logTo?: number;
}

function intLabel(pod: PodObject, key: string): number | undefined {
  const value = pod.metadata?.labels?.[key];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function plannedIndex(planned: readonly PlannedInstance[], role: string, n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  return planned.find((p) => p.role === role && p.name === `${role}-${n}`)?.index;
}

/**
 * Maps each pod of a job to its instance. DDP pods are the TrainJob's `node` Job, indexed by
 * completion index; PS-Worker pods the JobSet's `ps` and `worker` Jobs likewise. MPI: each worker
 * is its node, and the launcher's output (mpirun gathers every rank's output there) is node 0's
 * log, while the workers' own output (sshd) is not followed. Ray: the head, and each worker by
 * its one-replica KubeRay group; the submitter pod that runs the entrypoint logs into the head's
 * instance.
 */
export function podRoles(
  mode: JobMode,
  pods: readonly PodObject[],
  planned: readonly PlannedInstance[],
): Map<PodObject, PodRole> {
  const roles = new Map<PodObject, PodRole>();
  if (mode === 'ddp' || mode === 'ps-worker') {
    for (const pod of pods) {
      const job = pod.metadata?.labels?.[OPERATOR_LABELS.replicatedJob];
      const role = job === 'ps' || job === 'worker' ? job : 'node';
      const index = plannedIndex(planned, role, intLabel(pod, OPERATOR_LABELS.completionIndex));
      if (index !== undefined) roles.set(pod, { stateOf: index, logTo: index });
    }
    return roles;
  }
  if (mode === 'mpi' || mode === 'horovod') {
    for (const pod of pods) {
      const role = pod.metadata?.labels?.[OPERATOR_LABELS.mpiRole];
      if (role === 'launcher') {
        roles.set(pod, { logTo: 0 });
      } else if (role === 'worker') {
        const index = plannedIndex(planned, 'node', intLabel(pod, OPERATOR_LABELS.mpiIndex));
        if (index !== undefined) roles.set(pod, index === 0 ? { stateOf: 0 } : { stateOf: index, logTo: index });
      }
    }
    return roles;
  }
  const head = planned.find((p) => p.role === 'head')?.index;
  for (const pod of pods) {
    const type = pod.metadata?.labels?.[OPERATOR_LABELS.rayNodeType];
    if (type === 'head') {
      if (head !== undefined) roles.set(pod, { stateOf: head, logTo: head });
    } else if (type === 'worker') {
      // Each worker is its own KubeRay group `<group>-<k>` (see manifests/ray.ts): the k-th of its group.
      const match = /^(.*)-(\d+)$/.exec(pod.metadata?.labels?.[OPERATOR_LABELS.rayGroup] ?? '');
      const slot = match
        ? planned.filter((p) => p.role === 'ray-worker' && p.group === match[1])[Number(match[2])]
        : undefined;
      if (slot) roles.set(pod, { stateOf: slot.index, logTo: slot.index });
    } else if (head !== undefined) {
      roles.set(pod, { logTo: head });
    }
  }
  return roles;
}

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
function waitReason(workload: ClusterObject | undefined): WaitReason {
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
    if (!seen || String(pod.metadata?.creationTimestamp ?? '') >= String(seen.metadata?.creationTimestamp ?? '')) {
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
    const wait = waitReason(objects.workload);
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
