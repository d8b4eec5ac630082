import { ApiError, isTerminalJobState, type JobInput, type JobSpec } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { clusterMessage, statusCode, type KubeCluster } from './cluster.js';
import { manifestOptionsFor, type KubernetesConfig } from './config.js';
import { buildManifests } from './manifests/index.js';
import type { PodObject } from './stateMapping.js';

/*
 * A job's objects in the cluster: its custom resource and its hyperparameters ConfigMap (owned by
 * the resource, so deleted with it), created for a run, deleted on stop or delete, and tried with a
 * server-side dry run. Where they are is kept with the job as its runtime.
 */

/** Where a job's objects are: kept with the job so it is found again after a config change or restart. */
export interface KubernetesJobRuntime {
  namespace: string;
  name: string;
  apiVersion: string;
  kind: string;
  /** The uid of the resource this run created: one of an earlier run under the same name is not this job's. */
  uid?: string;
}

export function runtimeOf(job: JobRecord): KubernetesJobRuntime | undefined {
  const runtime = job.runtime as Partial<KubernetesJobRuntime> | undefined;
  if (!runtime?.namespace || !runtime.name || !runtime.apiVersion || !runtime.kind) return undefined;
  return runtime as KubernetesJobRuntime;
}

/** Fails a job that is not finished yet for something the engine could not do. */
export function failJob(lifecycle: JobLifecycle, id: string, message: string): void {
  const current = lifecycle.getJob(id);
  if (!current || isTerminalJobState(current.state)) return;
  lifecycle.transition(id, 'Failed', {
    type: 'failed',
    message,
    reason: { kind: 'engine-error', message },
  });
}

export interface JobObjectsOptions {
  cluster: KubeCluster;
  lifecycle: JobLifecycle;
  config: KubernetesConfig;
  /** The job's pods as the informer holds them: a forced delete deletes each at once. */
  podsOf: (runtime: KubernetesJobRuntime, jobId: string) => PodObject[];
  /** A run's objects are about to be created: what the cluster showed of an earlier run is not this run's. */
  onNewRun: (jobId: string) => void;
  /** Asks for the job to be reconciled with the cluster soon. */
  schedule: (jobId: string) => void;
}

export class JobObjects {
  constructor(private readonly options: JobObjectsOptions) {}

  /** The job's objects, exactly as they would be created. */
  manifests(job: { id: string; user: string; spec: JobSpec; inputs?: JobInput[] }): KubernetesObject[] {
    const options = manifestOptionsFor(this.options.config, {
      user: job.user,
      jobId: job.id,
      queue: job.spec.queue,
      inputs: job.inputs,
    });
    return buildManifests(job.spec, options) as unknown as KubernetesObject[];
  }

  /** The API server's answer to creating `objects` with `dryRun=All`: admission and schema checks, nothing stored. */
  async serverDryRun(
    objects: readonly KubernetesObject[],
  ): Promise<{ ok: boolean; message?: string; objects?: unknown[] }> {
    const created: unknown[] = [];
    for (const object of objects) {
      try {
        created.push(await this.options.cluster.create(object, { dryRun: true }));
      } catch (error) {
        return { ok: false, message: `${object.kind} ${object.metadata?.name ?? ''}: ${clusterMessage(error)}` };
      }
    }
    return { ok: true, objects: created };
  }

  /**
   * Creates the job's objects. A new job (Submitting) then goes to Queued; an automatic restart
   * (already Queued) stays there.
   */
  async create(job: JobRecord, restart = false): Promise<void> {
    const { cluster, lifecycle } = this.options;
    const [configMap, resource] = this.manifests(job) as [KubernetesObject, KubernetesObject];
    const runtime: KubernetesJobRuntime = {
      namespace: resource.metadata?.namespace ?? '',
      name: resource.metadata?.name ?? '',
      apiVersion: resource.apiVersion ?? '',
      kind: resource.kind ?? '',
    };
    lifecycle.update(job.id, { runtime });
    this.options.onNewRun(job.id);
    let created: KubernetesObject;
    try {
      created = await this.createReplacing(resource);
    } catch (error) {
      failJob(lifecycle, job.id, creationFailure(error, runtime, resource));
      return;
    }
    const uid = created.metadata?.uid ?? '';
    lifecycle.update(job.id, { runtime: { ...runtime, uid } });
    const owner = { apiVersion: runtime.apiVersion, kind: runtime.kind, name: runtime.name, uid };
    try {
      await this.createReplacing({ ...configMap, metadata: { ...configMap.metadata, ownerReferences: [owner] } });
    } catch (error) {
      await cluster.delete(created).catch(() => undefined);
      failJob(lifecycle, job.id, creationFailure(error, runtime, configMap));
      return;
    }
    const now = lifecycle.getJob(job.id);
    if (now?.state !== (restart ? 'Queued' : 'Submitting')) {
      // Stopped while the objects were being created.
      await cluster.delete(created).catch(() => undefined);
      return;
    }
    if (restart) {
      lifecycle.event(job.id, 'engine', `created ${runtime.kind} ${runtime.name} again for the restart`);
      this.options.schedule(job.id);
      return;
    }
    lifecycle.transition(job.id, 'Queued', {
      type: 'queued',
      message: `created ${runtime.kind} ${runtime.name} in namespace ${runtime.namespace}; Kueue admits it when queue ${job.spec.queue} has room`,
    });
    this.options.schedule(job.id);
  }

  /** Deletes the job's resource (and so what it owns); `force` deletes its pods at once too. */
  async delete(jobId: string, runtime: KubernetesJobRuntime, force: boolean): Promise<void> {
    const { cluster } = this.options;
    const ref = {
      apiVersion: runtime.apiVersion,
      kind: runtime.kind,
      metadata: { name: runtime.name, namespace: runtime.namespace },
    };
    try {
      await cluster.delete(ref, { force });
      if (force) {
        for (const pod of this.options.podsOf(runtime, jobId)) {
          await cluster.delete(
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: pod.metadata?.name ?? '', namespace: runtime.namespace },
            },
            { force: true },
          );
        }
      }
    } catch (error) {
      throw new ApiError(
        'unavailable',
        `could not delete ${runtime.kind} ${runtime.name}: ${clusterMessage(error)}; try again`,
      );
    }
  }

  /** Creates an object; one left from an earlier run of the job (start again) is deleted first. */
  private async createReplacing<T extends KubernetesObject>(object: T): Promise<T> {
    const { cluster } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await cluster.create(object);
      } catch (error) {
        if (statusCode(error) !== 409 || attempt >= 50) throw error;
        if (attempt === 0) await cluster.delete(object);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/** Why the cluster refused a job's object, and who can fix it. */
function creationFailure(error: unknown, runtime: KubernetesJobRuntime, object: KubernetesObject): string {
  const message = clusterMessage(error);
  if (statusCode(error) === 404 && /namespaces? "?[^ ]+"? not found/i.test(message)) {
    return `namespace ${runtime.namespace} does not exist: ask the operator to create it (with its PersistentVolumeClaims; see the operator guide)`;
  }
  if (statusCode(error) === 403) {
    return `the backend may not create ${object.kind} objects in namespace ${runtime.namespace}: ${message}; ask the operator to grant it`;
  }
  return `the cluster refused ${object.kind} ${object.metadata?.name ?? ''}: ${message}`;
}
