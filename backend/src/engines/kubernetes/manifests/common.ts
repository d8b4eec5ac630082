import { createHash } from 'node:crypto';
import { instanceGroups, type JobSpec, type Resources } from '@aiplat/api';

/*
 * What every Kubernetes object of a job shares: its name, labels and annotations, the Kueue labels,
 * the /work volumes, the hyperparameters ConfigMap, the container environment and the per-node
 * resources. Pure functions: no cluster, no I/O; the kind-specific builders (ddp.ts, mpi.ts) compose
 * them into one object each.
 *
 * Plain object types only (no @kubernetes/client-node yet): the tests validate every object against
 * the real CRD schemas, which is what a cluster would check.
 */

/** The entry wrapper every container runs first (derives the TI-ONE variables; written later). */
export const ENTRY_WRAPPER = '/opt/aiplat/entry.sh';
export const HYPERPARAMETERS_DIR = '/opt/ml/input/config';
export const HYPERPARAMETERS_FILE = 'hyperparameters.json';
export const HYPERPARAMETERS_PATH = `${HYPERPARAMETERS_DIR}/${HYPERPARAMETERS_FILE}`;

export const LABEL_PREFIX = 'aiplat.io';
export const LABELS = {
  jobId: `${LABEL_PREFIX}/job-id`,
  user: `${LABEL_PREFIX}/user`,
  specHash: `${LABEL_PREFIX}/spec-hash`,
  managedBy: 'app.kubernetes.io/managed-by',
  queueName: 'kueue.x-k8s.io/queue-name',
  priorityClass: 'kueue.x-k8s.io/priority-class',
} as const;
export const MANAGED_BY = 'aiplat';

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
}
export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

// ---- names, labels, annotations -----------------------------------------------------------------

/** Longest object name: leaves room for the suffixes operators add (`-node-0-0`, `-launcher`, `-worker-12`). */
export const MAX_OBJECT_NAME = 40;

function shortHash(text: string, chars = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

/**
 * A DNS-1123 label from the job id: lowercase letters, digits and `-`, starting with a letter, at
 * most MAX_OBJECT_NAME characters. When the id had to change (case, `_`, `.`, length), a hash of the
 * id is appended so two ids never share a name.
 */
export function objectName(jobId: string): string {
  let name = jobId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (name === jobId && name.length <= MAX_OBJECT_NAME) return name;
  const suffix = shortHash(jobId);
  name = name.slice(0, MAX_OBJECT_NAME - suffix.length - 1).replace(/-+$/, '');
  return name ? `${name}-${suffix}` : `job-${suffix}`;
}

/** A valid label value (≤63 of [A-Za-z0-9_.-], alphanumeric at both ends), hashed when it had to change. */
export function labelValue(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  if (cleaned === text && cleaned.length <= 63) return cleaned;
  const suffix = shortHash(text);
  const head = cleaned.slice(0, 63 - suffix.length - 1).replace(/[^A-Za-z0-9]+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex characters of the SHA-256 of the spec as canonical JSON (key order does not matter). */
export function specHash(spec: JobSpec): string {
  return shortHash(canonicalJson(spec), 16);
}

/** The Kueue WorkloadPriorityClass of a priority: p0 (highest) .. p9. */
export function priorityClassName(priority: number): string {
  return `p${priority}`;
}

/** Labels of the top-level object: platform identity plus the Kueue queue and priority class. */
export function jobLabels(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    ...podLabels(spec, options),
    [LABELS.queueName]: options.localQueue ?? spec.queue,
    [LABELS.priorityClass]: priorityClassName(spec.priority),
  };
}

/** Labels of pods and other child objects: platform identity only (Kueue reads the top object). */
export function podLabels(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.jobId]: labelValue(options.jobId),
    [LABELS.user]: labelValue(options.user),
    [LABELS.specHash]: specHash(spec),
  };
}

/** Annotations carry the exact job id and user (labels may have had to shorten them). */
export function jobAnnotations(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    [LABELS.jobId]: options.jobId,
    [LABELS.user]: options.user,
    [LABELS.specHash]: specHash(spec),
  };
}

export function jobMetadata(spec: JobSpec, options: ManifestOptions): ObjectMeta {
  return {
    name: objectName(options.jobId),
    namespace: options.namespace,
    labels: jobLabels(spec, options),
    annotations: jobAnnotations(spec, options),
  };
}

// ---- hyperparameters ----------------------------------------------------------------------------

export function hyperparametersConfigMapName(jobId: string): string {
  return `${objectName(jobId)}-hp`;
}

/** The ConfigMap whose `hyperparameters.json` every container reads at HYPERPARAMETERS_PATH. */
export function hyperparametersConfigMap(spec: JobSpec, options: ManifestOptions): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: hyperparametersConfigMapName(options.jobId),
      namespace: options.namespace,
      labels: podLabels(spec, options),
      annotations: jobAnnotations(spec, options),
    },
    data: { [HYPERPARAMETERS_FILE]: JSON.stringify(spec.hyperparameters) },
  };
}

// ---- volumes ------------------------------------------------------------------------------------

export const VOLUME_NAMES = {
  home: 'aiplat-home',
  cache: 'aiplat-cache',
  mount: 'aiplat-mount',
  hyperparameters: 'aiplat-hyperparameters',
} as const;

export function workVolumes(options: ManifestOptions): Volume[] {
  const { claims } = options;
  return [
    { name: VOLUME_NAMES.home, persistentVolumeClaim: { claimName: claims.home } },
    { name: VOLUME_NAMES.cache, persistentVolumeClaim: { claimName: claims.cache } },
    { name: VOLUME_NAMES.mount, persistentVolumeClaim: { claimName: claims.mount, readOnly: true } },
    {
      name: VOLUME_NAMES.hyperparameters,
      configMap: {
        name: hyperparametersConfigMapName(options.jobId),
        items: [{ key: HYPERPARAMETERS_FILE, path: HYPERPARAMETERS_FILE }],
      },
    },
  ];
}

export function workVolumeMounts(options: ManifestOptions): VolumeMount[] {
  return [
    { name: VOLUME_NAMES.home, mountPath: `/work/home/${options.user}` },
    { name: VOLUME_NAMES.cache, mountPath: '/work/cache' },
    { name: VOLUME_NAMES.mount, mountPath: '/work/mount', readOnly: true },
    { name: VOLUME_NAMES.hyperparameters, mountPath: HYPERPARAMETERS_DIR, readOnly: true },
  ];
}

/** The container path of `workingDir` (`home/x` is in the user's home). */
export function containerWorkingDir(spec: JobSpec, options: ManifestOptions): string {
  const [root, ...rest] = spec.workingDir.split('/');
  const base = root === 'home' ? `/work/home/${options.user}` : `/work/${root}`;
  return [base, ...rest].join('/');
}

// ---- container: command, env, resources ---------------------------------------------------------

/** The container command: the entry wrapper, then the user's shell command. */
export function entryCommand(spec: JobSpec): string[] {
  return [ENTRY_WRAPPER, '/bin/bash', '-c', spec.command];
}

/**
 * The user's variables plus what the entry wrapper needs; the wrapper derives the TI-ONE variables
 * (MASTER_ADDR, WORLD_SIZE, RANK, NODE_LIST, INDEX...) from what the operator injects.
 */
export function containerEnv(spec: JobSpec, options: ManifestOptions): EnvVar[] {
  return [
    ...Object.entries(spec.env).map(([name, value]) => ({ name, value })),
    { name: 'HYPERPARAMETERS_PATH', value: HYPERPARAMETERS_PATH },
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'AIPLAT_JOB_ID', value: options.jobId },
    { name: 'AIPLAT_MODE', value: spec.mode },
    { name: 'AIPLAT_WORKING_DIR', value: containerWorkingDir(spec, options) },
    { name: 'AIPLAT_DEVICES_TOTAL', value: String(jobDevices(spec)) },
  ];
}

/** Whole devices of every instance of the job together: what GPU_NUM shows on the local engine. */
export function jobDevices(spec: JobSpec): number {
  return instanceGroups(spec).reduce((sum, group) => sum + group.replicas * devicesPerNode(group.resources), 0);
}

/**
 * The devices of one container, for the entry wrapper's GPU_NUM_PER_NODE (0 on a CPU-only node, as
 * locally), and AIPLAT_GPU_SHARE for a share of one GPU, as the local engine sets it.
 */
export function deviceEnv(resources: Resources): EnvVar[] {
  const { type, count } = resources.accelerator;
  return [
    { name: 'AIPLAT_DEVICES_PER_NODE', value: String(devicesPerNode(resources)) },
    ...(type === 'nvidia' && count > 0 && count < 1 ? [{ name: 'AIPLAT_GPU_SHARE', value: String(count) }] : []),
  ];
}

/** Cores as a quantity: whole cores as an integer, otherwise millicores ("500m"). */
export function cpuQuantity(cpu: number): Quantity {
  const milli = Math.round(cpu * 1000);
  return milli % 1000 === 0 ? milli / 1000 : `${milli}m`;
}

/** Memory as a quantity: a quantity string is kept as written, a number of bytes is an integer. */
export function memoryQuantity(memory: string | number): Quantity {
  return typeof memory === 'number' ? Math.ceil(memory) : memory.trim();
}

/** Whole devices of a node's accelerator (a share of one device counts as 1). */
export function devicesPerNode(resources: Resources): number {
  const { type, count } = resources.accelerator;
  return type === 'none' ? 0 : Math.ceil(count);
}

/**
 * Requests and limits of one node. Extended resources must have requests equal to limits, so both
 * carry the same values. A share of a GPU goes through HAMi: one `nvidia.com/gpu` plus cores and
 * memory percentages. Ascend NPUs are whole devices (a share of one needs a vNPU template).
 */
export function resourceRequirements(resources: Resources, names: Partial<ResourceNames> = {}): ResourceRequirements {
  const n = { ...DEFAULT_RESOURCE_NAMES, ...names };
  const values: Record<string, Quantity> = {
    cpu: cpuQuantity(resources.cpu),
    memory: memoryQuantity(resources.memory),
  };
  const { type, count } = resources.accelerator;
  if (type === 'nvidia') {
    if (Number.isInteger(count)) values[n.nvidiaGpu] = count;
    else {
      const percent = Math.round(count * 100);
      values[n.nvidiaGpu] = 1;
      values[n.gpuCores] = percent;
      values[n.gpuMemoryPercentage] = percent;
    }
  } else if (type === 'ascend') {
    if (!Number.isInteger(count)) {
      throw new Error(
        `accelerator.count ${count}: the Kubernetes engine gives Ascend NPUs as whole devices; ask for 1 or more`,
      );
    }
    values[n.ascendNpu] = count;
  }
  return { requests: { ...values }, limits: { ...values } };
}

// ---- pods (for the kinds that take a whole pod template) -------------------------------------

/** The job's image, or the options' default; kinds without a runtime default need one. */
export function requireImage(spec: JobSpec, options: ManifestOptions): string {
  const image = spec.image ?? options.defaultImage;
  if (image === undefined) {
    throw new Error(`image is required for ${spec.mode} jobs on the Kubernetes engine: name one in the job spec`);
  }
  return image;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  workingDir: string;
  env: EnvVar[];
  resources: ResourceRequirements;
  volumeMounts: VolumeMount[];
}

/** Where a pod may run: the queue's node selector and tolerations (left out when empty). */
export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

export function podPlacement(options: ManifestOptions): PodPlacement {
  const { nodeSelector = {}, tolerations = [] } = options;
  return {
    ...(Object.keys(nodeSelector).length === 0 ? {} : { nodeSelector: { ...nodeSelector } }),
    ...(tolerations.length === 0 ? {} : { tolerations: tolerations.map((t) => ({ ...t })) }),
  };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodPlacement & { restartPolicy?: 'Never' | 'OnFailure'; volumes: Volume[]; containers: Container[] };
}

/**
 * A pod template with one container: the job's image, env (plus `extraEnv`), the node's resources
 * and the work volumes. `command` undefined leaves the image's or the operator's command.
 */
export function podTemplate(
  spec: JobSpec,
  options: ManifestOptions,
  container: { name: string; command?: string[]; resources: Resources; extraEnv?: EnvVar[] },
  restartPolicy?: 'Never' | 'OnFailure',
): PodTemplate {
  return {
    metadata: { labels: podLabels(spec, options) },
    spec: {
      ...(restartPolicy === undefined ? {} : { restartPolicy }),
      ...podPlacement(options),
      volumes: workVolumes(options),
      containers: [
        {
          name: container.name,
          image: requireImage(spec, options),
          ...(container.command === undefined ? {} : { command: container.command }),
          workingDir: containerWorkingDir(spec, options),
          env: [...containerEnv(spec, options), ...deviceEnv(container.resources), ...(container.extraEnv ?? [])],
          resources: resourceRequirements(container.resources, options.resourceNames),
          volumeMounts: workVolumeMounts(options),
        },
      ],
    },
  };
}
