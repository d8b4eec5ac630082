import { ApiException, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { asClientModel } from '../../../../backend/src/engines/kubernetes/cluster.js';
import { retryingConflicts } from './conflicts.js';

/*
 * Pods as a controller, the scheduler and the kubelet would leave them, written through a real API
 * server (envtest has none of them): a pod is created through the API with its metadata and spec,
 * then its status is written through the status subresource, as the kubelet writes it. Writing a
 * pod again only changes its status, except that a scheduling gate may be taken away (Kueue's
 * admission does that); a pod's spec cannot otherwise change, on a real server as here. An update
 * that meets a newer resourceVersion (409) is read and written again.
 */

/** A pod in the API's own JSON (timestamps as strings), e.g. `{ metadata, spec, status }`. */
export interface PodWrite {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & { containers: { name: string; image: string }[] };
  status: Record<string, unknown>;
}

export class EnvtestPods {
  private readonly core: CoreV1Api;

  /** `kubeConfig`: one allowed to write pods and their status (envtest's admin). */
  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /** The pod as stored; undefined when there is none. */
  async read(namespace: string, name: string): Promise<V1Pod | undefined> {
    try {
      return await this.core.readNamespacedPod({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  /**
   * Creates the pod when there is none (its spec as given), takes away the scheduling gates `pod`
   * no longer has, then writes its status. Throws when `pod` adds a gate to an existing pod: a real
   * server refuses that.
   */
  async put(pod: PodWrite): Promise<V1Pod> {
    const typed = asClientModel({ apiVersion: 'v1', kind: 'Pod', ...pod }) as V1Pod;
    const { namespace, name } = pod.metadata;
    const existing = await this.read(namespace, name);
    if (!existing) {
      await this.core.createNamespacedPod({ namespace, body: { ...typed, status: undefined } });
    } else {
      const wanted = new Set((typed.spec?.schedulingGates ?? []).map((gate) => gate.name));
      const gates = existing.spec?.schedulingGates ?? [];
      if ([...wanted].some((gate) => !gates.some((g) => g.name === gate))) {
        throw new Error(`pod ${namespace}/${name} exists: scheduling gates can only be taken away`);
      }
      if (gates.some((gate) => !wanted.has(gate.name))) {
        await retryingConflicts(async () => {
          const current = await this.core.readNamespacedPod({ namespace, name });
          const kept = (current.spec?.schedulingGates ?? []).filter((gate) => wanted.has(gate.name));
          await this.core.replaceNamespacedPod({
            namespace,
            name,
            body: { ...current, spec: { ...current.spec!, schedulingGates: kept.length ? kept : undefined } },
          });
        });
      }
    }
    return retryingConflicts(async () => {
      const current = await this.core.readNamespacedPod({ namespace, name });
      // The QoS class is the API server's, set at creation: the kubelet's status keeps it.
      const status = { qosClass: current.status?.qosClass, ...typed.status };
      return this.core.replaceNamespacedPodStatus({ namespace, name, body: { ...current, status } });
    });
  }

  /** Deletes the pod at once (no kubelet to wait for). */
  async delete(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  }
}
