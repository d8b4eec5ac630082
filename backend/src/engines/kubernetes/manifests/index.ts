import type { JobSpec, JobMode } from '@aiplat/api';
import { stringify } from 'yaml';
import type { ConfigMap, KubeObject, ManifestOptions } from './common.js';
import { ddpManifests, TRAINJOB_API_VERSION, type TrainJob } from './ddp.js';
import { deepspeedManifests } from './deepspeed.js';
import { mpiManifests, MPIJOB_API_VERSION, type MPIJob } from './mpi.js';
import { JOBSET_API_VERSION, psWorkerManifests, type JobSet } from './psWorker.js';
import { RAYJOB_API_VERSION, rayManifests, type RayJob } from './ray.js';

/*
 * One entry point to the builders: the objects of any job by its mode, the custom resource a mode
 * needs from the cluster, and the objects as the YAML `kubectl apply -f -` reads.
 */

export type JobResource = TrainJob | MPIJob | JobSet | RayJob;

/** The custom resource a mode creates, and the operator that serves it (for "CRD missing" errors). */
export interface CrdRef {
  group: string;
  version: string;
  plural: string;
  kind: JobResource['kind'];
  operator: string;
}

function crdRef(apiVersion: string, kind: JobResource['kind'], plural: string, operator: string): CrdRef {
  const [group = '', version = ''] = apiVersion.split('/');
  return { group, version, plural, kind, operator };
}

const CRDS = {
  trainJob: crdRef(TRAINJOB_API_VERSION, 'TrainJob', 'trainjobs', 'Kubeflow Trainer v2'),
  deepspeedTrainJob: crdRef(
    TRAINJOB_API_VERSION,
    'TrainJob',
    'trainjobs',
    'Kubeflow Trainer v2 with its deepspeed-distributed ClusterTrainingRuntime',
  ),
  mpiJob: crdRef(MPIJOB_API_VERSION, 'MPIJob', 'mpijobs', 'mpi-operator (v2beta1)'),
  jobSet: crdRef(JOBSET_API_VERSION, 'JobSet', 'jobsets', 'JobSet'),
  rayJob: crdRef(RAYJOB_API_VERSION, 'RayJob', 'rayjobs', 'KubeRay'),
} as const;

export function crdFor(mode: JobMode): CrdRef {
  switch (mode) {
    case 'ddp':
      return CRDS.trainJob;
    case 'deepspeed':
      return CRDS.deepspeedTrainJob;
    case 'mpi':
    case 'horovod':
      return CRDS.mpiJob;
    case 'ps-worker':
      return CRDS.jobSet;
    case 'ray':
      return CRDS.rayJob;
  }
}

/** Every object of a job in creation order: the hyperparameters ConfigMap, then the job's resource. */
export function buildManifests(spec: JobSpec, options: ManifestOptions): [ConfigMap, JobResource] {
  switch (spec.mode) {
    case 'ddp':
      return ddpManifests(spec, options);
    case 'deepspeed':
      return deepspeedManifests(spec, options);
    case 'mpi':
    case 'horovod':
      return mpiManifests(spec, options);
    case 'ps-worker':
      return psWorkerManifests(spec, options);
    case 'ray':
      return rayManifests(spec, options);
  }
}

/** The objects as one multi-document YAML stream (`---` between documents). */
export function manifestsYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
