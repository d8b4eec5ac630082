import { AppsV1Api, CoreV1Api, type KubeConfig, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { retryingConflicts } from './conflicts.js';

/*
 * What the StatefulSet and Deployment controllers, the scheduler and the kubelet would do for a
 * workload the engine created, written through a real API server (envtest runs none of them): the
 * pod made from the workload's template (its labels and spec), owned by the workload, bound to a
 * node, then Running and Ready as the kubelet reports it. And the garbage collector's part once the
 * workload is deleted. A Deployment's pods are owned by the Deployment here (no ReplicaSet is made).
 */

export type WorkloadKind = 'StatefulSet' | 'Deployment';

export interface PodAddresses {
  /** The node's address (status.hostIP). */
  hostIP?: string;
  /** The pod's address (status.podIP). */
  podIP?: string;
}

export class WorkloadPods {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;

  /** `kubeConfig`: one allowed to write everything (envtest's admin). */
  constructor(kubeConfig: KubeConfig) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /**
   * The controller's pod `index` of a workload (`<name>-<index>` for a StatefulSet, as its
   * controller names them; `<name>-5f6c7d8b9-<index>` for a Deployment), Running and Ready on
   * `node-<index>`. Returns its name.
   */
  async run(kind: WorkloadKind, namespace: string, name: string, index = 0, at: PodAddresses = {}): Promise<string> {
    const owner =
      kind === 'StatefulSet'
        ? await this.apps.readNamespacedStatefulSet({ namespace, name })
        : await this.apps.readNamespacedDeployment({ namespace, name });
    const template: V1PodTemplateSpec | undefined = owner.spec?.template;
    if (!template?.spec) throw new Error(`${kind} ${namespace}/${name} has no pod template`);
    const pod = kind === 'StatefulSet' ? `${name}-${index}` : `${name}-5f6c7d8b9-${index}`;
    await this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name: pod,
          namespace,
          labels: template.metadata?.labels ?? {},
          annotations: template.metadata?.annotations ?? {},
          ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: owner.metadata?.uid ?? '', controller: true }],
        },
        spec: { ...template.spec, nodeName: `node-${index}` },
      },
    });
    const hostIP = at.hostIP ?? `10.0.0.${10 + index}`;
    const podIP = at.podIP ?? `10.244.0.${10 + index}`;
    const now = new Date();
    const containers = template.spec.containers;
    await retryingConflicts(async () => {
      const current = await this.core.readNamespacedPod({ namespace, name: pod });
      await this.core.replaceNamespacedPodStatus({
        namespace,
        name: pod,
        body: {
          ...current,
          status: {
            phase: 'Running',
            hostIP,
            hostIPs: [{ ip: hostIP }],
            podIP,
            podIPs: [{ ip: podIP }],
            startTime: now,
            conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
              type,
              status: 'True',
              lastTransitionTime: now,
            })),
            containerStatuses: containers.map((container) => ({
              name: container.name,
              image: container.image ?? '',
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            })),
          },
        },
      });
    });
    return pod;
  }

  /** The garbage collector's part: deletes (at once: no kubelet to wait for) the pods `name` owns; returns their names. */
  async collect(namespace: string, name: string): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({ namespace });
    const owned = pods.items.filter((p) => p.metadata?.ownerReferences?.some((o) => o.name === name));
    for (const pod of owned) {
      await this.core.deleteNamespacedPod({ namespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 });
    }
    return owned.map((p) => p.metadata?.name ?? '');
  }
}
