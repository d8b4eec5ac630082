/*
 * The vocabulary every Kubernetes object of a job is written in: the options a builder takes and
 * the plain object shapes the builders write. The parts are built in jobMetadata.ts (names,
 * labels, annotations), workVolumes.ts (/work and the hyperparameters ConfigMap), containerEnv.ts
 * (command and environment), resourceRequirements.ts (per-node resources) and podTemplate.ts
 * (whole pods); the kind-specific builders (ddp.ts, mpi.ts, ...) compose them into one object each.
 * Pure functions: no cluster, no I/O.
 *
 * Plain object types only (no @kubernetes/client-node yet): the tests validate every object against
 * the real CRD schemas, which is what a cluster would check.
 */

import type { JobInput } from '@aiplat/api';

/** Resource names of the device plugins; operator-configurable per queue. */
export interface ResourceNames {
  nvidiaGpu: string;
  /** HAMi: percent of one GPU's cores. */
  gpuCores: string;
  /** HAMi: percent of one GPU's memory. */
  gpuMemoryPercentage: string;
  ascendNpu: string;
}

export const DEFAULT_RESOURCE_NAMES: ResourceNames = {
  nvidiaGpu: 'nvidia.com/gpu',
  gpuCores: 'nvidia.com/gpucores',
  gpuMemoryPercentage: 'nvidia.com/gpumem-percentage',
  ascendNpu: 'huawei.com/Ascend910',
};

/** PersistentVolumeClaims that hold /work/home/<user>, /work/cache and /work/mount. */
export interface WorkVolumeClaims {
  home: string;
  cache: string;
  mount: string;
}

export interface ManifestOptions {
  /** The platform's job id (any JobIdSchema value). */
  jobId: string;
  user: string;
  namespace: string;
  claims: WorkVolumeClaims;
  resourceNames?: Partial<ResourceNames>;
  /** The image of a job whose spec names none (kinds without a runtime default need one). */
  defaultImage?: string;
  /** The Kueue LocalQueue the job goes to; the job's queue name when unset. */
  localQueue?: string;
  /** Where the queue's pods may run: node labels every pod requires... */
  nodeSelector?: Record<string, string>;
  /** ...and the taints every pod tolerates. */
  tolerations?: Toleration[];
  /** The job's datasets and models, pinned at submit: each mounted read-only (see `inputMountPath`). */
  inputs?: JobInput[];
}

/** A Kubernetes Toleration (core/v1). */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

// ---- plain Kubernetes object shapes (the parts the builders write) -----------------------------

/** What every object we build has: enough to create, find and show it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export type Quantity = string | number;
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface EnvVar {
  name: string;
  value: string;
}
export interface ResourceRequirements {
  requests: Record<string, Quantity>;
  limits: Record<string, Quantity>;
}
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  configMap?: { name: string; items: { key: string; path: string }[] };
  secret?: { secretName: string; items: { key: string; path: string }[]; defaultMode?: number };
}
export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  /** A folder inside the volume, mounted instead of its root (made by the kubelet when missing). */
  subPath?: string;
}
export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}
