import type { JobSpec } from '@aiplat/api';
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

/** The container path of `workingDir` (`home/x` is in the user's home). */
export function containerWorkingDir(spec: Pick<JobSpec, 'workingDir'>, options: ManifestOptions): string {
  const [root, ...rest] = spec.workingDir.split('/');
  const base = root === 'home' ? `/work/home/${options.user}` : `/work/${root}`;
  return [base, ...rest].join('/');
}
