import type { JobSpec } from '@aiplat/api';
import {
  ENTRY_WRAPPER,
  hyperparametersConfigMap,
  jobMetadata,
  podTemplate,
  type ConfigMap,
  type ManifestOptions,
  type ObjectMeta,
  type PodTemplate,
} from './common.js';

/*
 * Ray → KubeRay RayJob (ray.io/v1). KubeRay starts Ray in the head and worker containers itself
 * (their command is left to it); the user's command is the job's entrypoint, which KubeRay submits
 * to the cluster from a submitter pod, through the entry wrapper. Worker groups have a fixed size
 * (minReplicas = maxReplicas = replicas). The cluster is shut down when the job finishes.
 */

export const RAYJOB_API_VERSION = 'ray.io/v1';

export interface WorkerGroupSpec {
  groupName: string;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  rayStartParams: Record<string, string>;
  template: PodTemplate;
}

export interface RayJob {
  apiVersion: typeof RAYJOB_API_VERSION;
  kind: 'RayJob';
  metadata: ObjectMeta;
  spec: {
    entrypoint: string;
    suspend: true;
    shutdownAfterJobFinishes: true;
    backoffLimit: number;
    rayClusterSpec: {
      headGroupSpec: { rayStartParams: Record<string, string>; template: PodTemplate };
      workerGroupSpecs: WorkerGroupSpec[];
    };
  };
}

/** `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The entrypoint KubeRay runs: the entry wrapper, then the user's command in bash. */
export function rayEntrypoint(spec: JobSpec): string {
  return `${ENTRY_WRAPPER} /bin/bash -c ${shellQuote(spec.command)}`;
}

export function rayJob(spec: JobSpec, options: ManifestOptions): RayJob {
  if (spec.mode !== 'ray') throw new Error(`rayJob builds ray jobs, not ${spec.mode}`);
  return {
    apiVersion: RAYJOB_API_VERSION,
    kind: 'RayJob',
    metadata: jobMetadata(spec, options),
    spec: {
      entrypoint: rayEntrypoint(spec),
      suspend: true,
      shutdownAfterJobFinishes: true,
      backoffLimit: spec.autoRestart.maxRestarts,
      rayClusterSpec: {
        headGroupSpec: {
          rayStartParams: {},
          template: podTemplate(spec, options, {
            name: 'ray-head',
            resources: spec.head.resources,
            extraEnv: [{ name: 'AIPLAT_ROLE', value: 'head' }],
          }),
        },
        workerGroupSpecs: spec.workerGroups.map((group) => ({
          groupName: group.name,
          replicas: group.replicas,
          minReplicas: group.replicas,
          maxReplicas: group.replicas,
          rayStartParams: {},
          template: podTemplate(spec, options, {
            name: 'ray-worker',
            resources: group.resources,
            extraEnv: [
              { name: 'AIPLAT_ROLE', value: 'ray-worker' },
              { name: 'AIPLAT_RAY_GROUP', value: group.name },
            ],
          }),
        })),
      },
    },
  };
}

/** Every object a ray job needs, in creation order. */
export function rayManifests(spec: JobSpec, options: ManifestOptions): [ConfigMap, RayJob] {
  return [hyperparametersConfigMap(spec, options), rayJob(spec, options)];
}
