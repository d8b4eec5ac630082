import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1OwnerReference,
  type V1Pod,
} from '@kubernetes/client-node';
import { JOB_RESOURCES } from '../../../../backend/src/engines/kubernetes/apiDiscovery.js';
import { LABEL_PREFIX, LABELS } from '../../../../backend/src/engines/kubernetes/manifests/jobMetadata.js';
import { OPERATOR_LABELS } from '../../../../backend/src/engines/kubernetes/podRoles.js';
import type { JobKind } from '../fakeOperators.js';
import { retryingConflicts } from './conflicts.js';

/*
 * What Kueue, the training operators and the kubelet would write, written through a real API
 * server (envtest has none of them): Kueue's Workload and its admission, the job's unsuspension,
 * the operators' pods with their labels, the pods' phases and the job's own outcome. Status goes
 * through the status subresource, as the controllers write it; an update that meets a newer
 * resourceVersion (409) is read and written again.
 */

type Obj = Record<string, unknown> & {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta2', plural: 'workloads' };

function crd(kind: JobKind) {
  const ref = JOB_RESOURCES.find((r) => r.kind === kind);
  if (!ref) throw new Error(`no job resource of kind ${kind}`);
  return ref;
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string) {
  return { type, status, reason, message, lastTransitionTime: new Date().toISOString() };
}

/** A pod's status as the kubelet reports it, for its one container. */
function podStatus(phase: string, container: string, exitCode?: number): V1Pod['status'] {
  const base = { name: container, image: 'img', imageID: '', restartCount: 0, ready: phase === 'Running' };
  if (phase === 'Pending') {
    return { phase, containerStatuses: [{ ...base, state: { waiting: { reason: 'ContainerCreating' } } }] };
  }
  if (phase === 'Running') {
    return { phase, containerStatuses: [{ ...base, state: { running: { startedAt: new Date() } } }] };
  }
  const code = exitCode ?? (phase === 'Succeeded' ? 0 : 1);
  const terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' };
  return { phase, containerStatuses: [{ ...base, state: { terminated } }] };
}

export class EnvtestOperators {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  /** `kubeConfig`: one allowed to write everything (envtest's admin). */
  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The job's resource as stored; undefined when there is none. */
  async job(namespace: string, name: string, kind: JobKind = 'TrainJob'): Promise<Obj | undefined> {
    const { group, version, plural } = crd(kind);
    try {
      return (await this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as Obj;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  private async mustJob(namespace: string, name: string, kind: JobKind): Promise<Obj> {
    const found = await this.job(namespace, name, kind);
    if (!found) throw new Error(`no ${kind} ${namespace}/${name} in the API server`);
    return found;
  }

  private ownerOf(kind: JobKind, job: Obj): V1OwnerReference {
    const { group, version } = crd(kind);
    return {
      apiVersion: `${group}/${version}`,
      kind,
      name: job.metadata.name,
      uid: job.metadata.uid,
      controller: true,
    };
  }

  /** Kueue's name for a job's Workload. */
  workloadName(name: string, kind: JobKind = 'TrainJob'): string {
    return `${kind.toLowerCase()}-${name}-1a2b3`;
  }

  /** Creates the job's Workload as Kueue would (once), then sets its status. */
  private async workloadStatus(
    namespace: string,
    name: string,
    kind: JobKind,
    status: Record<string, unknown>,
  ): Promise<void> {
    const job = await this.mustJob(namespace, name, kind);
    const workload = this.workloadName(name, kind);
    const where = { ...KUEUE, namespace, name: workload };
    try {
      await this.custom.createNamespacedCustomObject({
        ...KUEUE,
        namespace,
        body: {
          apiVersion: `${KUEUE.group}/${KUEUE.version}`,
          kind: 'Workload',
          metadata: { name: workload, namespace, ownerReferences: [this.ownerOf(kind, job)] },
          spec: {
            queueName: job.metadata.labels?.[LABELS.queueName] ?? 'default',
            podSets: [{ name: 'main', count: 1, template: { spec: { containers: [{ name: 'c', image: 'img' }] } } }],
          },
        },
      });
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409) throw error;
    }
    await retryingConflicts(async () => {
      const current = (await this.custom.getNamespacedCustomObject(where)) as Obj;
      await this.custom.replaceNamespacedCustomObjectStatus({ ...where, body: { ...current, status } });
    });
  }

  /** Kueue's Workload for a job, pending with Kueue's message. */
  async pending(namespace: string, name: string, message: string, kind: JobKind = 'TrainJob'): Promise<void> {
    await this.workloadStatus(namespace, name, kind, {
      conditions: [condition('QuotaReserved', 'False', 'Pending', message)],
    });
  }

  /** Kueue reserves quota in ClusterQueue `default`, admits the Workload and unsuspends the job. */
  async admit(namespace: string, name: string, kind: JobKind = 'TrainJob'): Promise<void> {
    await this.workloadStatus(namespace, name, kind, {
      admission: {
        clusterQueue: 'default',
        podSetAssignments: [{ name: 'main', count: 1, flavors: { cpu: 'default-flavor' } }],
      },
      conditions: [
        condition('QuotaReserved', 'True', 'QuotaReserved', 'Quota reserved in ClusterQueue default'),
        condition('Admitted', 'True', 'Admitted', 'The workload is admitted'),
      ],
    });
    const { group, version, plural } = crd(kind);
    await retryingConflicts(async () => {
      const job = await this.mustJob(namespace, name, kind);
      const spec = job.spec ?? {};
      const unsuspended =
        kind === 'MPIJob'
          ? { ...spec, runPolicy: { ...(spec.runPolicy as object), suspend: false } }
          : { ...spec, suspend: false };
      await this.custom.replaceNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        name,
        body: { ...job, spec: unsuspended },
      });
    });
  }

  /**
   * A pod the operator creates for a job: the platform's pod labels (copied from the job, as the
   * operators propagate the template's) plus the operator's own, owned by the job, on a node, in
   * `phase` as the kubelet then reports it.
   */
  async pod(
    namespace: string,
    name: string,
    kind: JobKind,
    pod: string,
    operatorLabels: Record<string, string>,
    container: string,
    phase: 'Pending' | 'Running' = 'Running',
  ): Promise<string> {
    const job = await this.mustJob(namespace, name, kind);
    const labels = Object.fromEntries(
      Object.entries(job.metadata.labels ?? {}).filter(
        ([key]) => key.startsWith(`${LABEL_PREFIX}/`) || key === LABELS.managedBy,
      ),
    );
    await this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name: pod,
          namespace,
          labels: { ...labels, ...operatorLabels },
          ownerReferences: [this.ownerOf(kind, job)],
        },
        spec: { nodeName: `node-${pod.slice(-1)}`, containers: [{ name: container, image: 'img' }] },
      },
    });
    await this.podStatus(namespace, pod, podStatus(phase, container));
    return pod;
  }

  /** The Trainer's pods of a TrainJob's `node` Job, one per node (completion index = rank). */
  async startPods(namespace: string, name: string, nodes: number, phase: 'Pending' | 'Running' = 'Running') {
    const pods: string[] = [];
    for (let rank = 0; rank < nodes; rank++) {
      const labels = { [OPERATOR_LABELS.replicatedJob]: 'node', [OPERATOR_LABELS.completionIndex]: String(rank) };
      pods.push(await this.pod(namespace, name, 'TrainJob', `${name}-node-0-${rank}-x${rank}`, labels, 'node', phase));
    }
    return pods;
  }

  /** mpi-operator's pods of an MPIJob: a launcher and `workers` workers. */
  async mpiPods(namespace: string, name: string, workers = 2): Promise<{ launcher: string; workers: string[] }> {
    const launcher = await this.pod(
      namespace,
      name,
      'MPIJob',
      `${name}-launcher-abc`,
      { [OPERATOR_LABELS.mpiRole]: 'launcher' },
      'launcher',
    );
    const workerPods: string[] = [];
    for (let i = 0; i < workers; i++) {
      const labels = { [OPERATOR_LABELS.mpiRole]: 'worker', [OPERATOR_LABELS.mpiIndex]: String(i) };
      workerPods.push(await this.pod(namespace, name, 'MPIJob', `${name}-worker-${i}`, labels, 'worker'));
    }
    return { launcher, workers: workerPods };
  }

  /** KubeRay's pods of a RayJob: the head and one pod per one-replica worker group (`<group>-<k>`). */
  async rayPods(namespace: string, name: string, groups: readonly string[]): Promise<string[]> {
    const pods = [
      await this.pod(
        namespace,
        name,
        'RayJob',
        `${name}-head-0`,
        { [OPERATOR_LABELS.rayNodeType]: 'head' },
        'ray-head',
      ),
    ];
    for (const [i, group] of groups.entries()) {
      const labels = { [OPERATOR_LABELS.rayNodeType]: 'worker', [OPERATOR_LABELS.rayGroup]: group };
      pods.push(await this.pod(namespace, name, 'RayJob', `${name}-worker-${i}`, labels, 'ray-worker'));
    }
    return pods;
  }

  /** The JobSet controller's pods of a PS-Worker JobSet's `ps` and `worker` Jobs. */
  async jobSetPods(namespace: string, name: string, ps: number, workers: number): Promise<string[]> {
    const pods: string[] = [];
    for (const [job, count] of [
      ['ps', ps],
      ['worker', workers],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const labels = { [OPERATOR_LABELS.replicatedJob]: job, [OPERATOR_LABELS.completionIndex]: String(i) };
        pods.push(await this.pod(namespace, name, 'JobSet', `${name}-${job}-0-${i}-x${i}`, labels, job));
      }
    }
    return pods;
  }

  private async podStatus(namespace: string, pod: string, status: V1Pod['status']): Promise<void> {
    await retryingConflicts(async () => {
      const current = await this.core.readNamespacedPod({ namespace, name: pod });
      await this.core.replaceNamespacedPodStatus({ namespace, name: pod, body: { ...current, status } });
    });
  }

  /** A pod's phase as the kubelet reports it. */
  async podPhase(
    namespace: string,
    pod: string,
    phase: 'Running' | 'Succeeded' | 'Failed',
    exitCode?: number,
  ): Promise<void> {
    const current = await this.core.readNamespacedPod({ namespace, name: pod });
    await this.podStatus(namespace, pod, podStatus(phase, current.spec?.containers[0]?.name ?? '', exitCode));
  }

  /** The job's own outcome, as its operator reports it (status subresource). */
  async finish(
    namespace: string,
    name: string,
    result: 'Complete' | 'Failed',
    message: string,
    kind: JobKind = 'TrainJob',
  ): Promise<void> {
    const ok = result === 'Complete';
    const type = ok ? { TrainJob: 'Complete', MPIJob: 'Succeeded', JobSet: 'Completed', RayJob: '' }[kind] : 'Failed';
    const status =
      kind === 'RayJob'
        ? { jobDeploymentStatus: ok ? 'Complete' : 'Failed', jobStatus: ok ? 'SUCCEEDED' : 'FAILED', message }
        : { conditions: [condition(type, 'True', type, message)] };
    const { group, version, plural } = crd(kind);
    await retryingConflicts(async () => {
      const job = await this.mustJob(namespace, name, kind);
      await this.custom.replaceNamespacedCustomObjectStatus({
        group,
        version,
        namespace,
        plural,
        name,
        body: { ...job, status },
      });
    });
  }

  /**
   * What the garbage collector and the kubelet do once a job's resource is deleted: its pods are
   * deleted and, with no kubelet to wait for, gone at once. Returns their names.
   */
  async collectPods(namespace: string, name: string): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({ namespace });
    const owned = pods.items.filter((p) => p.metadata?.ownerReferences?.some((o) => o.name === name));
    for (const pod of owned) {
      await this.core.deleteNamespacedPod({ namespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 });
    }
    return owned.map((p) => p.metadata?.name ?? '');
  }
}
