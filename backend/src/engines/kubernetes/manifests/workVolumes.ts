import { jobSummaryDir, type JobInput, type JobSpec } from '@aiplat/api';
import type { ConfigMap, ManifestOptions, Volume, VolumeMount } from './common.js';
import { jobAnnotations, objectName, podLabels } from './jobMetadata.js';

/*
 * What a job's containers see: /work (the user's home, the shared cache, the read-only mount) and
 * the hyperparameters ConfigMap, mounted where the entry wrapper reads it.
 */

export const HYPERPARAMETERS_DIR = '/opt/ml/input/config';
export const HYPERPARAMETERS_FILE = 'hyperparameters.json';
export const HYPERPARAMETERS_PATH = `${HYPERPARAMETERS_DIR}/${HYPERPARAMETERS_FILE}`;

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

/** Where TI-ONE's code writes TensorBoard summaries: the job's summary folder is mounted here too. */
export const SUMMARY_MOUNT_PATH = '/opt/ml/summary';

/**
 * A folder under /work as the pods see it: the work volume it is on, the path inside that volume's
 * claim (`home/x` is `x` in the user's home claim) and its path in the container.
 */
export function workFolder(
  workPath: string,
  options: Pick<ManifestOptions, 'user' | 'claims'>,
): { volume: string; claim: string; subPath: string; containerPath: string } {
  const [root = 'home', ...rest] = workPath.split('/').filter(Boolean);
  const subPath = rest.join('/');
  const volume = root === 'cache' ? 'cache' : root === 'mount' ? 'mount' : 'home';
  const base = volume === 'home' ? `/work/home/${options.user}` : `/work/${volume}`;
  return {
    volume: VOLUME_NAMES[volume],
    claim: options.claims[volume],
    subPath,
    containerPath: subPath ? `${base}/${subPath}` : base,
  };
}

/** A job's summary folder (`jobSummaryDir`): in the container, and at TI-ONE's /opt/ml/summary. */
export function summaryFolder(spec: Pick<JobSpec, 'summaryDir'>, options: ManifestOptions) {
  return workFolder(jobSummaryDir({ id: options.jobId, spec }), options);
}

const SUMMARY_VOLUME = 'aiplat-summary';
const inputVolume = (index: number) => `aiplat-input-${index}`;

/**
 * A job's volumes: /work's, and one more for each folder mounted a second time (the summary
 * folder, each dataset or model), named apart although they name the same claims: the Trainer's
 * runtime patch keys a container's mounts by volume name, and the API server refuses a name twice.
 */
export function jobVolumes(spec: Pick<JobSpec, 'summaryDir'>, options: ManifestOptions): Volume[] {
  return [
    ...workVolumes(options),
    { name: SUMMARY_VOLUME, persistentVolumeClaim: { claimName: summaryFolder(spec, options).claim } },
    ...(options.inputs ?? []).map((input, index) => ({
      name: inputVolume(index),
      persistentVolumeClaim: { claimName: workFolder(input.path, options).claim, readOnly: true },
    })),
  ];
}

/** The work volumes of a job's containers, with its summary folder mounted at /opt/ml/summary (the kubelet makes it). */
export function jobVolumeMounts(spec: Pick<JobSpec, 'summaryDir'>, options: ManifestOptions): VolumeMount[] {
  const summary = summaryFolder(spec, options);
  return [
    ...workVolumeMounts(options),
    { name: SUMMARY_VOLUME, mountPath: SUMMARY_MOUNT_PATH, ...(summary.subPath ? { subPath: summary.subPath } : {}) },
    ...inputMounts(options),
  ];
}

/** Where a job's container reads a dataset (TI-ONE's input channel folder) or a model. */
export function inputMountPath(input: JobInput): string {
  return `${input.kind === 'dataset' ? DATASETS_MOUNT_DIR : MODELS_MOUNT_DIR}/${input.ref.split('@')[0]}`;
}
export const DATASETS_MOUNT_DIR = '/opt/ml/input/data';
export const MODELS_MOUNT_DIR = '/opt/ml/input/models';

/** Each input's version folder, read-only (a version on the home claim, an accelerated copy on the cache claim). */
function inputMounts(options: ManifestOptions): VolumeMount[] {
  return (options.inputs ?? []).map((input, index) => ({
    name: inputVolume(index),
    mountPath: inputMountPath(input),
    subPath: workFolder(input.path, options).subPath,
    readOnly: true,
  }));
}

/** The container path of `workingDir` (`home/x` is in the user's home). */
export function containerWorkingDir(spec: Pick<JobSpec, 'workingDir'>, options: ManifestOptions): string {
  const [root, ...rest] = spec.workingDir.split('/');
  const base = root === 'home' ? `/work/home/${options.user}` : `/work/${root}`;
  return [base, ...rest].join('/');
}
