import type { JobMode } from '@aiplat/api';
import type { PlannedInstance } from '../../jobs/plannedInstances.js';
import type { PodObject } from './clusterObjects.js';

/*
 * Which instance each pod of a job is, by the labels its operator gives it, and whose log its
 * output goes to.
 */

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
 * log, while the workers' own output (sshd) is not followed. DeepSpeed (a TrainJob on an MPI
 * runtime whose launcher is node 0): the `launcher` pod is node 0, the `node` Job's pod k node k+1. Ray: the head, and each worker by
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
  if (mode === 'deepspeed') {
    for (const pod of pods) {
      const job = pod.metadata?.labels?.[OPERATOR_LABELS.replicatedJob];
      const k = intLabel(pod, OPERATOR_LABELS.completionIndex);
      const n = k === undefined ? undefined : job === 'launcher' ? k : job === 'node' ? k + 1 : undefined;
      const index = plannedIndex(planned, 'node', n);
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
