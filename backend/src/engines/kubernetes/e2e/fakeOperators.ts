import type { FakeApiServer, KubeObject } from '../fake/fakeApiServer.js';

/*
 * What the operators of a real cluster would do to a job's objects, scripted on the fake API
 * server: Kueue's Workload and admission, the Trainer's pods, the kubelet's pod phases and logs.
 */

const TRAINJOB = 'trainer.kubeflow.org/v1alpha1';
const WORKLOAD = 'kueue.x-k8s.io/v1beta2';

export class FakeOperators {
  constructor(private readonly fake: FakeApiServer) {}

  trainJob(namespace: string, name: string): KubeObject {
    const found = this.fake.get(TRAINJOB, 'TrainJob', namespace, name);
    if (!found) throw new Error(`no TrainJob ${namespace}/${name}`);
    return found;
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

  /** Kueue's Workload for a TrainJob, pending with Kueue's message. */
  pending(namespace: string, name: string, message: string): void {
    const job = this.trainJob(namespace, name);
    this.fake.apply({
      apiVersion: WORKLOAD,
      kind: 'Workload',
      metadata: { name: `trainjob-${name}-1a2b3`, namespace, ownerReferences: [this.ownerOf(job)] },
      spec: { queueName: 'default', podSets: [] },
      status: {
        conditions: [
          {
            type: 'QuotaReserved',
            status: 'False',
            reason: 'Pending',
            message,
            lastTransitionTime: new Date().toISOString(),
          },
        ],
      },
    });
  }

  /** Kueue admits the Workload and unsuspends the TrainJob. */
  admit(namespace: string, name: string): void {
    const job = this.trainJob(namespace, name);
    const now = new Date().toISOString();
    this.fake.apply({
      apiVersion: WORKLOAD,
      kind: 'Workload',
      metadata: { name: `trainjob-${name}-1a2b3`, namespace, ownerReferences: [this.ownerOf(job)] },
      spec: { queueName: 'default', podSets: [] },
      status: {
        conditions: [
          {
            type: 'QuotaReserved',
            status: 'True',
            reason: 'QuotaReserved',
            message: 'Quota reserved in ClusterQueue default',
            lastTransitionTime: now,
          },
          {
            type: 'Admitted',
            status: 'True',
            reason: 'Admitted',
            message: 'The workload is admitted',
            lastTransitionTime: now,
          },
        ],
      },
    });
    this.fake.apply({ ...job, spec: { ...(job.spec as object), suspend: false } });
  }

  /** The Trainer's pods of a TrainJob's `node` Job, one per node, with the platform's pod labels. */
  startPods(namespace: string, name: string, nodes: number, phase: 'Pending' | 'Running' = 'Running'): string[] {
    const job = this.trainJob(namespace, name);
    const labels = Object.fromEntries(
      Object.entries(job.metadata.labels ?? {}).filter(
        ([key]) => key.startsWith('aiplat.io/') || key === 'app.kubernetes.io/managed-by',
      ),
    );
    const pods: string[] = [];
    for (let rank = 0; rank < nodes; rank++) {
      const pod = `${name}-node-0-${rank}-x${rank}`;
      this.fake.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: pod,
          namespace,
          labels: {
            ...labels,
            'jobset.sigs.k8s.io/replicatedjob-name': 'node',
            'batch.kubernetes.io/job-completion-index': String(rank),
          },
          ownerReferences: [this.ownerOf(job)],
        },
        spec: { nodeName: `gpu-node-${rank}`, containers: [{ name: 'node', image: 'pytorch:2.3' }] },
        status: podStatus(phase),
      });
      pods.push(pod);
    }
    return pods;
  }

  /** A pod's phase as the kubelet reports it; a finished container's log ends. */
  podPhase(namespace: string, pod: string, phase: 'Running' | 'Succeeded' | 'Failed', exitCode?: number): void {
    this.fake.setStatus('v1', 'Pod', namespace, pod, podStatus(phase, exitCode));
    // The container has exited: the kubelet ends a followed log.
    if (phase !== 'Running') this.fake.endLog(namespace, pod);
  }

  /** The TrainJob's own condition, as the Trainer sets it from its JobSet. */
  finish(namespace: string, name: string, result: 'Complete' | 'Failed', message: string): void {
    this.fake.setStatus(TRAINJOB, 'TrainJob', namespace, name, {
      conditions: [
        {
          type: result,
          status: 'True',
          reason: result === 'Complete' ? 'JobSetCompleted' : 'JobSetFailed',
          message,
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
  }
}

function podStatus(phase: string, exitCode?: number): Record<string, unknown> {
  const container = { name: 'node', ready: phase === 'Running', restartCount: 0, image: 'pytorch:2.3', imageID: '' };
  if (phase === 'Pending')
    return { phase, containerStatuses: [{ ...container, state: { waiting: { reason: 'ContainerCreating' } } }] };
  if (phase === 'Running')
    return {
      phase,
      podIP: '10.0.0.1',
      containerStatuses: [{ ...container, state: { running: { startedAt: new Date().toISOString() } } }],
    };
  const code = exitCode ?? (phase === 'Succeeded' ? 0 : 1);
  return {
    phase,
    containerStatuses: [
      { ...container, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' } } },
    ],
  };
}
