import type { FakeApiServer, KubeObject } from './fakeApiServer/fakeApiServer.js';

/*
 * What the operators of a real cluster would do to a job's objects, scripted on the fake API
 * server: Kueue's Workload and admission, the training operators' pods and conditions, the
 * kubelet's pod phases and logs.
 */

const WORKLOAD = 'kueue.x-k8s.io/v1beta2';

export type JobKind = 'TrainJob' | 'MPIJob' | 'JobSet' | 'RayJob';

const API_VERSION: Record<JobKind, string> = {
  TrainJob: 'trainer.kubeflow.org/v1alpha1',
  MPIJob: 'kubeflow.org/v2beta1',
  JobSet: 'jobset.x-k8s.io/v1alpha2',
  RayJob: 'ray.io/v1',
};

function podStatus(phase: string, container: string, exitCode?: number): Record<string, unknown> {
  const status = { name: container, ready: phase === 'Running', restartCount: 0, image: 'img', imageID: '' };
  if (phase === 'Pending')
    return { phase, containerStatuses: [{ ...status, state: { waiting: { reason: 'ContainerCreating' } } }] };
  if (phase === 'Running') {
    return {
      phase,
      podIP: '10.0.0.1',
      containerStatuses: [{ ...status, state: { running: { startedAt: new Date().toISOString() } } }],
    };
  }
  const code = exitCode ?? (phase === 'Succeeded' ? 0 : 1);
  return {
    phase,
    containerStatuses: [
      { ...status, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' } } },
    ],
  };
}

export class FakeOperators {
  constructor(private readonly fake: FakeApiServer) {}

  resource(namespace: string, name: string, kind: JobKind = 'TrainJob'): KubeObject {
    const found = this.fake.get(API_VERSION[kind], kind, namespace, name);
    if (!found) throw new Error(`no ${kind} ${namespace}/${name}`);
    return found;
  }

  trainJob(namespace: string, name: string): KubeObject {
    return this.resource(namespace, name, 'TrainJob');
  }

  private ownerOf(object: KubeObject) {
    return {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name ?? '',
      uid: object.metadata.uid ?? '',
      controller: true,
    };
  }

  private workload(namespace: string, name: string, kind: JobKind, conditions: Record<string, string>[]): void {
    const job = this.resource(namespace, name, kind);
    const time = new Date().toISOString();
    this.fake.apply({
      apiVersion: WORKLOAD,
      kind: 'Workload',
      metadata: { name: `${kind.toLowerCase()}-${name}-1a2b3`, namespace, ownerReferences: [this.ownerOf(job)] },
      spec: { queueName: 'default', podSets: [] },
      status: { conditions: conditions.map((c) => ({ ...c, lastTransitionTime: time })) },
    });
  }

  /** Kueue's Workload for a job, pending with Kueue's message. */
  pending(namespace: string, name: string, message: string, kind: JobKind = 'TrainJob'): void {
    this.workload(namespace, name, kind, [{ type: 'QuotaReserved', status: 'False', reason: 'Pending', message }]);
  }

  /** Kueue admits the Workload and unsuspends the job. */
  admit(namespace: string, name: string, kind: JobKind = 'TrainJob'): void {
    this.workload(namespace, name, kind, [
      {
        type: 'QuotaReserved',
        status: 'True',
        reason: 'QuotaReserved',
        message: 'Quota reserved in ClusterQueue default',
      },
      { type: 'Admitted', status: 'True', reason: 'Admitted', message: 'The workload is admitted' },
    ]);
    const job = this.resource(namespace, name, kind);
    const spec = job.spec as Record<string, unknown>;
    const unsuspended =
      kind === 'MPIJob'
        ? { ...spec, runPolicy: { ...(spec.runPolicy as object), suspend: false } }
        : { ...spec, suspend: false };
    this.fake.apply({ ...job, spec: unsuspended });
  }

  /** The pods mpi-operator creates for an MPIJob: a launcher and `workers` workers, with its labels. */
  mpiPods(namespace: string, name: string, workers = 2): { launcher: string; workers: string[] } {
    const launcher = this.pod(
      namespace,
      name,
      'MPIJob',
      `${name}-launcher-abc`,
      { 'training.kubeflow.org/job-role': 'launcher' },
      'launcher',
    );
    const workerPods = Array.from({ length: workers }, (_, i) =>
      this.pod(
        namespace,
        name,
        'MPIJob',
        `${name}-worker-${i}`,
        { 'training.kubeflow.org/job-role': 'worker', 'training.kubeflow.org/replica-index': String(i) },
        'worker',
      ),
    );
    return { launcher, workers: workerPods };
  }

  /** A pod the operator creates for a job: the platform's pod labels plus the operator's own. */
  pod(
    namespace: string,
    name: string,
    kind: JobKind,
    pod: string,
    operatorLabels: Record<string, string>,
    container: string,
    phase: 'Pending' | 'Running' = 'Running',
  ): string {
    const job = this.resource(namespace, name, kind);
    const labels = Object.fromEntries(
      Object.entries(job.metadata.labels ?? {}).filter(
        ([key]) => key.startsWith('aiplat.io/') || key === 'app.kubernetes.io/managed-by',
      ),
    );
    this.fake.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod,
        namespace,
        labels: { ...labels, ...operatorLabels },
        ownerReferences: [this.ownerOf(job)],
      },
      spec: { nodeName: `node-${pod.slice(-1)}`, containers: [{ name: container, image: 'img' }] },
      status: podStatus(phase, container),
    });
    return pod;
  }

  /** The Trainer's pods of a TrainJob's `node` Job, one per node. */
  startPods(namespace: string, name: string, nodes: number, phase: 'Pending' | 'Running' = 'Running'): string[] {
    return Array.from({ length: nodes }, (_, rank) =>
      this.pod(
        namespace,
        name,
        'TrainJob',
        `${name}-node-0-${rank}-x${rank}`,
        { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': String(rank) },
        'node',
        phase,
      ),
    );
  }

  /** A pod's phase as the kubelet reports it; a finished container's log ends. */
  podPhase(namespace: string, pod: string, phase: 'Running' | 'Succeeded' | 'Failed', exitCode?: number): void {
    const container =
      (this.fake.get('v1', 'Pod', namespace, pod)?.spec as { containers: { name: string }[] }).containers[0]?.name ??
      '';
    this.fake.setStatus('v1', 'Pod', namespace, pod, podStatus(phase, container, exitCode));
    if (phase !== 'Running') this.fake.endLog(namespace, pod);
  }

  /** The job's own outcome, as its operator reports it. */
  finish(
    namespace: string,
    name: string,
    result: 'Complete' | 'Failed',
    message: string,
    kind: JobKind = 'TrainJob',
  ): void {
    const time = new Date().toISOString();
    const condition = (type: string) => ({
      conditions: [{ type, status: 'True', reason: type, message, lastTransitionTime: time }],
    });
    const ok = result === 'Complete';
    const status =
      kind === 'RayJob'
        ? { jobDeploymentStatus: ok ? 'Complete' : 'Failed', jobStatus: ok ? 'SUCCEEDED' : 'FAILED', message }
        : condition(ok ? { TrainJob: 'Complete', MPIJob: 'Succeeded', JobSet: 'Completed' }[kind] : 'Failed');
    this.fake.setStatus(API_VERSION[kind], kind, namespace, name, status);
  }
}
