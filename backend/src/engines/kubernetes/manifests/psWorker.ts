import type { JobSpec } from '@aiplat/api';
import type { ConfigMap, ManifestOptions, ObjectMeta } from './common.js';
import { entryCommand } from './containerEnv.js';
import { jobMetadata } from './jobMetadata.js';
import { podTemplate, type PodTemplate } from './podTemplate.js';
import { hyperparametersConfigMap } from './workVolumes.js';

/*
 * PS-Worker (TensorFlow) → JobSet (jobset.x-k8s.io/v1alpha2) with two replicated jobs, `ps` and
 * `worker`, each one Indexed Job with one pod per instance. DNS hostnames are on, so every pod is
 * reachable as `<jobset>-<ps|worker>-0-<index>.<jobset>`; the entry wrapper builds TF_CONFIG from
 * them and AIPLAT_ROLE. Parameter servers never exit on their own, so the JobSet succeeds when every
 * worker has; a failure restarts the whole set up to autoRestart.maxRestarts times.
 */

export const JOBSET_API_VERSION = 'jobset.x-k8s.io/v1alpha2';
export type PsWorkerRole = 'ps' | 'worker';

export interface ReplicatedJob {
  name: PsWorkerRole;
  replicas: 1;
  template: {
    spec: {
      completionMode: 'Indexed';
      parallelism: number;
      completions: number;
      backoffLimit: 0;
      template: PodTemplate;
    };
  };
}

export interface JobSet {
  apiVersion: typeof JOBSET_API_VERSION;
  kind: 'JobSet';
  metadata: ObjectMeta;
  spec: {
    suspend: true;
    network: { enableDNSHostnames: true };
    successPolicy: { operator: 'All'; targetReplicatedJobs: ['worker'] };
    failurePolicy: { maxRestarts: number };
    replicatedJobs: [ReplicatedJob, ReplicatedJob];
  };
}

export function psWorkerJobSet(spec: JobSpec, options: ManifestOptions): JobSet {
  if (spec.mode !== 'ps-worker') throw new Error(`psWorkerJobSet builds ps-worker jobs, not ${spec.mode}`);
  const replicated = (role: PsWorkerRole, instances: number): ReplicatedJob => ({
    name: role,
    replicas: 1,
    template: {
      spec: {
        completionMode: 'Indexed',
        parallelism: instances,
        completions: instances,
        backoffLimit: 0,
        template: podTemplate(
          spec,
          options,
          {
            name: role,
            command: entryCommand(spec),
            resources: role === 'ps' ? (spec.psResources ?? spec.resources) : spec.resources,
            extraEnv: [
              { name: 'AIPLAT_ROLE', value: role },
              { name: 'AIPLAT_PS_COUNT', value: String(spec.ps) },
              { name: 'AIPLAT_WORKER_COUNT', value: String(spec.workers) },
            ],
          },
          'Never',
        ),
      },
    },
  });
  return {
    apiVersion: JOBSET_API_VERSION,
    kind: 'JobSet',
    metadata: jobMetadata(spec, options),
    spec: {
      suspend: true,
      network: { enableDNSHostnames: true },
      successPolicy: { operator: 'All', targetReplicatedJobs: ['worker'] },
      failurePolicy: { maxRestarts: spec.autoRestart.maxRestarts },
      replicatedJobs: [replicated('ps', spec.ps), replicated('worker', spec.workers)],
    },
  };
}

/** Every object a ps-worker job needs, in creation order. */
export function psWorkerManifests(spec: JobSpec, options: ManifestOptions): [ConfigMap, JobSet] {
  return [hyperparametersConfigMap(spec, options), psWorkerJobSet(spec, options)];
}
