import type { JobSpec, Resources } from '@aiplat/api';
import type { ConfigMap, EnvVar, ManifestOptions, ObjectMeta } from './common.js';
import { ENTRY_WRAPPER, jobDevices } from './containerEnv.js';
import { jobMetadata, podLabels } from './jobMetadata.js';
import { podPlacement, podTemplate, requireImage, type PodTemplate } from './podTemplate.js';
import { shellQuote } from '../../../shell/shellQuote.js';
import { devicesPerNode } from './resourceRequirements.js';
import { hyperparametersConfigMap } from './workVolumes.js';

/*
 * Ray → KubeRay RayJob (ray.io/v1). KubeRay starts Ray in the head and worker containers itself
 * (their command is left to it); the user's command is the job's entrypoint, which KubeRay submits
 * to the cluster from a submitter pod, through the entry wrapper. The cluster is shut down when the
 * job finishes.
 *
 * The wrapper never runs in the Ray containers (KubeRay starts `ray start` there), yet Ray tasks
 * inherit their environment; so each container carries its TI-ONE variables directly. KubeRay pods
 * of one group are interchangeable and know no index, so each worker of a job's group is a KubeRay
 * group of its own (`<group>-<k>`, one fixed replica) with its own RANK: head 0, then the workers of
 * each group in order, as on the local engine.
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
    submitterPodTemplate: SubmitterPodTemplate;
    rayClusterSpec: {
      headGroupSpec: { rayStartParams: Record<string, string>; template: PodTemplate };
      workerGroupSpecs: WorkerGroupSpec[];
    };
  };
}

/** The pod KubeRay runs `ray job submit` in; the command is left to KubeRay. */
interface SubmitterPodTemplate {
  metadata: { labels: Record<string, string> };
  spec: Omit<PodTemplate['spec'], 'volumes' | 'containers'> & {
    containers: {
      name: string;
      image: string;
      resources: { requests: Record<string, string>; limits: Record<string, string> };
    }[];
  };
}

/** The submitter's container name, as KubeRay names its default one. */
export const RAY_SUBMITTER = 'ray-job-submitter';
const SUBMITTER_RESOURCES = { cpu: '500m', memory: '512Mi' };

/**
 * The submitter pod carries the platform's pod labels, so the engine finds it and follows its log:
 * `ray job submit` prints the entrypoint's output there, which is the job's own output.
 */
function submitterPodTemplate(spec: JobSpec, options: ManifestOptions): SubmitterPodTemplate {
  return {
    metadata: { labels: podLabels(spec, options) },
    spec: {
      restartPolicy: 'Never',
      ...podPlacement(options),
      containers: [
        {
          name: RAY_SUBMITTER,
          image: requireImage(spec, options),
          resources: { requests: { ...SUBMITTER_RESOURCES }, limits: { ...SUBMITTER_RESOURCES } },
        },
      ],
    },
  };
}

/** The entrypoint KubeRay runs: the entry wrapper, then the user's command in bash. */
export function rayEntrypoint(spec: JobSpec): string {
  return `${ENTRY_WRAPPER} /bin/bash -c ${shellQuote(spec.command)}`;
}

/** The TI-ONE variables of the Ray instance of `rank` (`instance` named as the local engine names it). */
function rankEnv(rank: number, instance: string, resources: Resources, gpuTotal: number): EnvVar[] {
  return [
    { name: 'RANK', value: String(rank) },
    { name: 'INDEX', value: String(rank) },
    { name: 'AIPLAT_INSTANCE', value: instance },
    { name: 'GPU_NUM_PER_NODE', value: String(devicesPerNode(resources)) },
    { name: 'GPU_NUM', value: String(gpuTotal) },
  ];
}

export function rayJob(spec: JobSpec, options: ManifestOptions): RayJob {
  if (spec.mode !== 'ray') throw new Error(`rayJob builds ray jobs, not ${spec.mode}`);
  const gpuTotal = jobDevices(spec);
  const workers = spec.workerGroups.flatMap((group) =>
    Array.from({ length: group.replicas }, (_, k) => ({ group, k })),
  );
  return {
    apiVersion: RAYJOB_API_VERSION,
    kind: 'RayJob',
    metadata: jobMetadata(spec, options),
    spec: {
      entrypoint: rayEntrypoint(spec),
      suspend: true,
      shutdownAfterJobFinishes: true,
      backoffLimit: spec.autoRestart.maxRestarts,
      submitterPodTemplate: submitterPodTemplate(spec, options),
      rayClusterSpec: {
        headGroupSpec: {
          rayStartParams: {},
          template: podTemplate(spec, options, {
            name: 'ray-head',
            resources: spec.head.resources,
            extraEnv: [{ name: 'AIPLAT_ROLE', value: 'head' }, ...rankEnv(0, 'head-0', spec.head.resources, gpuTotal)],
          }),
        },
        workerGroupSpecs: workers.map(({ group, k }, n) => ({
          groupName: `${group.name}-${k}`,
          replicas: 1,
          minReplicas: 1,
          maxReplicas: 1,
          rayStartParams: {},
          template: podTemplate(spec, options, {
            name: 'ray-worker',
            resources: group.resources,
            extraEnv: [
              { name: 'AIPLAT_ROLE', value: 'ray-worker' },
              { name: 'AIPLAT_RAY_GROUP', value: group.name },
              ...rankEnv(n + 1, `ray-worker-${n}`, group.resources, gpuTotal),
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
