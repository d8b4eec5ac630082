import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { retryingConflicts } from './conflicts.js';

/*
 * More of what the kubelet and the garbage collector would write for a job's pods, through a real
 * API server (envtest runs neither), beside operatorProgress.ts: a pod whose image cannot be pulled
 * (its container waiting in ImagePullBackOff, and the kubelet's Warning Event about it, an ordinary
 * v1 Event), and the garbage collector's part once a job's resource is deleted: what that resource
 * owned (pods, Kueue's Workload, the hyperparameters ConfigMap) deleted by its uid.
 */

const WORKLOADS = { group: 'kueue.x-k8s.io', version: 'v1beta2', plural: 'workloads' };

export class JobProgress {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  /** `kubeConfig`: one allowed to write everything (envtest's admin). */
  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /**
   * What the kubelet reports for a pod whose image it cannot pull: a Warning Event `Failed` about the
   * pod when the pull fails, then, with the pod's next status sync, its container waiting in
   * ImagePullBackOff (status subresource). Returns the Event's message.
   */
  async imagePullBackOff(namespace: string, pod: string, image: string, why: string): Promise<string> {
    const current = await this.core.readNamespacedPod({ namespace, name: pod });
    const container = current.spec?.containers[0]?.name ?? '';
    const message = `Failed to pull image "${image}": ${why}`;
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `${pod}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          name: pod,
          namespace,
          uid: current.metadata?.uid,
          fieldPath: `spec.containers{${container}}`,
        },
        reason: 'Failed',
        message,
        type: 'Warning',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'kubelet', host: current.spec?.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: current.spec?.nodeName ?? '',
      },
    });
    await retryingConflicts(async () => {
      const latest = await this.core.readNamespacedPod({ namespace, name: pod });
      await this.core.replaceNamespacedPodStatus({
        namespace,
        name: pod,
        body: {
          ...latest,
          status: {
            ...latest.status,
            phase: 'Pending',
            containerStatuses: [
              {
                name: container,
                image,
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
              },
            ],
          },
        },
      });
    });
    return message;
  }

  /**
   * The garbage collector's part once the object with `ownerUid` is deleted: its pods, Workloads and
   * ConfigMaps in `namespace` are deleted (pods at once: no kubelet to wait for). Returns
   * `Kind/name` of each.
   */
  async collectOwnedBy(namespace: string, ownerUid: string): Promise<string[]> {
    const owned = (o: { metadata?: { ownerReferences?: { uid: string }[] } }) =>
      o.metadata?.ownerReferences?.some((ref) => ref.uid === ownerUid) === true;
    const gone: string[] = [];
    for (const pod of (await this.core.listNamespacedPod({ namespace })).items.filter(owned)) {
      await this.core.deleteNamespacedPod({ namespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 });
      gone.push(`Pod/${pod.metadata?.name}`);
    }
    const workloads = (await this.custom.listNamespacedCustomObject({ ...WORKLOADS, namespace })) as {
      items: { metadata: { name: string; ownerReferences?: { uid: string }[] } }[];
    };
    for (const workload of workloads.items.filter(owned)) {
      await this.custom.deleteNamespacedCustomObject({ ...WORKLOADS, namespace, name: workload.metadata.name });
      gone.push(`Workload/${workload.metadata.name}`);
    }
    for (const configMap of (await this.core.listNamespacedConfigMap({ namespace })).items.filter(owned)) {
      await this.core.deleteNamespacedConfigMap({ namespace, name: configMap.metadata?.name ?? '' });
      gone.push(`ConfigMap/${configMap.metadata?.name}`);
    }
    return gone;
  }
}
