import { ApiError, type JobSpec } from '@aiplat/api';
import type { Logger } from 'pino';
import { clusterMessage, type KubeCluster } from './cluster.js';
import { crdFor, type CrdRef } from './manifests/index.js';

/*
 * Which of the APIs the engine needs the cluster serves: each mode's custom resource, Kueue's
 * Workload (in the newest version served) and metrics.k8s.io. Looked up again now and then, so an
 * operator installed later is found; a job the cluster cannot run is refused naming what to install.
 */

/** The custom resources a job can become, one per mode. */
export const JOB_RESOURCES: readonly CrdRef[] = (['ddp', 'mpi', 'ps-worker', 'ray'] as const).map(crdFor);

export const POD_METRICS = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics' };

const KUEUE_GROUP = 'kueue.x-k8s.io';
/** Kueue's API versions, newest first: the engine follows the first one the cluster serves. */
export const KUEUE_VERSIONS = ['v1beta2', 'v1beta1'];

export function apiVersionOf(ref: CrdRef): string {
  return `${ref.group}/${ref.version}`;
}

export interface ApiDiscoveryOptions {
  cluster: KubeCluster;
  log: Logger;
  /** Called when a lookup after the first finds Kueue, which the one before did not. */
  onKueueInstalled: () => Promise<void>;
}

export class ApiDiscovery {
  private readonly served = new Map<string, boolean>();
  private workloadVersion: string | undefined;
  private discovered = false;
  private discoveryError: string | undefined;

  constructor(private readonly options: ApiDiscoveryOptions) {}

  /** The apiVersion of Kueue's Workload as the cluster serves it; undefined without Kueue. */
  get workloadApiVersion(): string | undefined {
    return this.workloadVersion ? `${KUEUE_GROUP}/${this.workloadVersion}` : undefined;
  }

  get servesPodMetrics(): boolean {
    return this.served.get(POD_METRICS.kind) === true;
  }

  /** Looks the APIs up; a failure is logged and kept for `checkServed` to explain, the last answer kept. */
  async discover(): Promise<void> {
    const { cluster } = this.options;
    try {
      for (const ref of JOB_RESOURCES) {
        this.served.set(ref.kind, await cluster.serves({ apiVersion: apiVersionOf(ref), kind: ref.kind }));
      }
      let workloadVersion: string | undefined;
      for (const version of KUEUE_VERSIONS) {
        if (await cluster.serves({ apiVersion: `${KUEUE_GROUP}/${version}`, kind: 'Workload' })) {
          workloadVersion = version;
          break;
        }
      }
      const hadKueue = this.workloadVersion !== undefined;
      this.workloadVersion = workloadVersion;
      if (!hadKueue && workloadVersion && this.discovered) await this.options.onKueueInstalled();
      this.served.set(POD_METRICS.kind, await cluster.serves(POD_METRICS));
      this.discovered = true;
      this.discoveryError = undefined;
    } catch (error) {
      this.discoveryError = clusterMessage(error);
      this.options.log.warn({ err: error, server: cluster.server }, 'cannot read the APIs the cluster serves');
    }
  }

  /** Why a spec cannot run on this cluster (a missing operator), as a 400 naming the field. */
  checkServed(spec: JobSpec): void {
    const { server } = this.options.cluster;
    if (!this.discovered) {
      throw new ApiError(
        'unavailable',
        `cannot reach the Kubernetes cluster at ${server}${this.discoveryError ? `: ${this.discoveryError}` : ''}; ` +
          'check the kubeconfig and that the API server is up, then try again',
      );
    }
    const ref = crdFor(spec.mode);
    if (this.served.get(ref.kind) !== true) {
      throw new ApiError(
        'validation_failed',
        `${spec.mode} jobs run as a ${ref.kind} (${ref.plural}.${ref.group}/${ref.version}), which the cluster at ${server} does not serve: ` +
          `ask the operator to install ${ref.operator}, or choose another mode`,
        { issues: [{ path: 'body.spec.mode', message: `the cluster lacks the ${ref.kind} API (${ref.operator})` }] },
      );
    }
    if (!this.workloadVersion) {
      throw new ApiError(
        'validation_failed',
        `the cluster at ${server} does not serve Kueue (${KUEUE_GROUP}): jobs are created suspended for Kueue to admit, ` +
          'so ask the operator to install Kueue',
        { issues: [{ path: 'body.spec.queue', message: 'the cluster lacks Kueue' }] },
      );
    }
  }
}
