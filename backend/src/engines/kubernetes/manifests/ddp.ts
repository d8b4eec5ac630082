import type { JobSpec, NodesJobSpec } from '@aiplat/api';
import type {
  ConfigMap,
  EnvVar,
  ManifestOptions,
  ObjectMeta,
  ResourceRequirements,
  Volume,
  VolumeMount,
} from './common.js';
import { containerEnv, deviceEnv, entryCommand } from './containerEnv.js';
import { jobMetadata, podLabels } from './jobMetadata.js';
import { podPlacement, type PodPlacement } from './podTemplate.js';
import { devicesPerNode, resourceRequirements } from './resourceRequirements.js';
import { hyperparametersConfigMap, jobVolumeMounts, jobVolumes } from './workVolumes.js';

/*
 * DDP → Kubeflow Trainer v2 TrainJob (trainer.kubeflow.org/v1alpha1) on the `torch-distributed`
 * ClusterTrainingRuntime. Targets the Trainer at kubeflow/trainer 8c0f5059bd51 (see
 * ../schemas/README.md): its per-job override field is `runtimePatches` (earlier releases called it
 * `podSpecOverrides`, then `podTemplateOverrides`).
 */

export const TRAINJOB_API_VERSION = 'trainer.kubeflow.org/v1alpha1';
export const TORCH_RUNTIME = 'torch-distributed';
/** The replicated job and container the torch runtime names `node`. */
export const TORCH_NODE = 'node';
/** Who owns our runtime patch entry. */
export const PATCH_MANAGER = 'aiplat.io/backend';

export interface TrainJob {
  apiVersion: typeof TRAINJOB_API_VERSION;
  kind: 'TrainJob';
  metadata: ObjectMeta;
  spec: {
    runtimeRef: { apiGroup: string; kind: string; name: string };
    /** Created suspended: Kueue admits it by un-suspending. */
    suspend: true;
    trainer: {
      image?: string;
      command: string[];
      env: EnvVar[];
      numNodes: number;
      numProcPerNode: number;
      resourcesPerNode: ResourceRequirements;
    };
    runtimePatches: {
      manager: string;
      trainingRuntimeSpec: {
        template: {
          spec: {
            replicatedJobs: {
              name: string;
              template: {
                spec: {
                  template: {
                    metadata: { labels: Record<string, string> };
                    spec: PodPlacement & {
                      volumes: Volume[];
                      containers: { name: string; volumeMounts: VolumeMount[] }[];
                    };
                  };
                };
              };
            }[];
          };
        };
      };
    }[];
  };
}

type RuntimePatch = TrainJob['spec']['runtimePatches'][number];

/**
 * The platform's patch of a TrainJob's runtime: on each of the named replicated jobs, the pod
 * labels, placement and the work volumes mounted into the container the Trainer names `node`.
 */
export function runtimePatch(spec: JobSpec, options: ManifestOptions, replicatedJobs: readonly string[]): RuntimePatch {
  return {
    manager: PATCH_MANAGER,
    trainingRuntimeSpec: {
      template: {
        spec: {
          replicatedJobs: replicatedJobs.map((name) => ({
            name,
            template: {
              spec: {
                template: {
                  metadata: { labels: podLabels(spec, options) },
                  spec: {
                    ...podPlacement(options),
                    volumes: jobVolumes(spec, options),
                    containers: [{ name: TORCH_NODE, volumeMounts: jobVolumeMounts(spec, options) }],
                  },
                },
              },
            },
          })),
        },
      },
    },
  };
}

/**
 * Processes per node. Always set: the Trainer's automatic count recognises only resource names
 * containing "gpu" and would use the CPU count for `huawei.com/Ascend910`. One per whole device, one
 * for a share of a GPU or a CPU-only node.
 */
export function procsPerNode(spec: NodesJobSpec): number {
  return Math.max(1, devicesPerNode(spec.resources));
}

/** The TrainJob of a DDP job (its ConfigMap comes from `ddpManifests` or `hyperparametersConfigMap`). */
export function ddpTrainJob(spec: NodesJobSpec, options: ManifestOptions): TrainJob {
  if (spec.mode !== 'ddp') throw new Error(`ddpTrainJob builds ddp jobs, not ${spec.mode}`);
  return {
    apiVersion: TRAINJOB_API_VERSION,
    kind: 'TrainJob',
    metadata: jobMetadata(spec, options),
    spec: {
      runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: TORCH_RUNTIME },
      suspend: true,
      trainer: {
        ...(spec.image === undefined ? {} : { image: spec.image }),
        command: entryCommand(spec),
        env: [...containerEnv(spec, options), ...deviceEnv(spec.resources)],
        numNodes: spec.nodes,
        numProcPerNode: procsPerNode(spec),
        resourcesPerNode: resourceRequirements(spec.resources, options.resourceNames),
      },
      runtimePatches: [runtimePatch(spec, options, [TORCH_NODE])],
    },
  };
}

/** Every object a DDP job needs, in creation order (the ConfigMap before the pods that mount it). */
export function ddpManifests(spec: JobSpec, options: ManifestOptions): [ConfigMap, TrainJob] {
  if (spec.mode !== 'ddp') throw new Error(`ddpManifests builds ddp jobs, not ${spec.mode}`);
  return [hyperparametersConfigMap(spec, options), ddpTrainJob(spec, options)];
}
