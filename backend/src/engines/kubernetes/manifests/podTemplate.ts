import type { JobSpec, Resources } from '@aiplat/api';
import type { EnvVar, ManifestOptions, ResourceRequirements, Toleration, Volume, VolumeMount } from './common.js';
import { containerEnv, deviceEnv } from './containerEnv.js';
import { podLabels } from './jobMetadata.js';
import { resourceRequirements } from './resourceRequirements.js';
import { containerWorkingDir, jobVolumeMounts, jobVolumes } from './workVolumes.js';

/* Pods, for the kinds that take a whole pod template: the image, the queue's placement, one container. */

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
      volumes: jobVolumes(spec, options),
      containers: [
        {
          name: container.name,
          image: requireImage(spec, options),
          ...(container.command === undefined ? {} : { command: container.command }),
          workingDir: containerWorkingDir(spec, options),
          env: [...containerEnv(spec, options), ...deviceEnv(container.resources), ...(container.extraEnv ?? [])],
          resources: resourceRequirements(container.resources, options.resourceNames),
          volumeMounts: jobVolumeMounts(spec, options),
        },
      ],
    },
  };
}
