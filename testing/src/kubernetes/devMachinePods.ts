import type { FakeApiServer } from './fakeApiServer/fakeApiServer.js';

/** How a dev machine's pod stands, as Kueue and the kubelet would leave it. */
export interface DevMachinePodStanding {
  /** Held by Kueue's scheduling gate. */
  gated?: boolean;
  ready?: boolean;
  waiting?: { reason: string; message: string };
  /** The container ended (exit code 3) with this termination message. */
  terminated?: string;
  /** The node's address. */
  hostIP?: string;
}

/**
 * The pod the StatefulSet controller makes for a dev machine, put into the fake API server as it
 * stands (the fake runs no controllers): its template's labels and spec, owned by the StatefulSet.
 */
export function putDevMachinePod(fake: FakeApiServer, namespace: string, id: string, pod: DevMachinePodStanding) {
  const owner = fake.get('apps/v1', 'StatefulSet', namespace, id);
  if (!owner) throw new Error(`no StatefulSet ${id}`);
  const template = (owner.spec as { template: { metadata: { labels: Record<string, string> }; spec: object } })
    .template;
  const state = pod.waiting
    ? { waiting: pod.waiting }
    : pod.terminated
      ? { terminated: { exitCode: 3, message: pod.terminated } }
      : pod.ready
        ? { running: {} }
        : undefined;
  fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${id}-0`,
      namespace,
      labels: template.metadata.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: id, uid: owner.metadata.uid! }],
    },
    spec: { ...template.spec, ...(pod.gated ? { schedulingGates: [{ name: 'kueue.x-k8s.io/admission' }] } : {}) },
    status: {
      phase: pod.ready ? 'Running' : 'Pending',
      ...(pod.hostIP ? { hostIP: pod.hostIP } : {}),
      conditions: [{ type: 'Ready', status: pod.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'ide', ...(state ? { state } : {}) }],
    },
  });
}
