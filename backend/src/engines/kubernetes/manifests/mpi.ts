import type { JobSpec, NodesJobSpec, Resources } from '@aiplat/api';
import type {
  ConfigMap,
  EnvVar,
  ManifestOptions,
  ObjectMeta,
  ResourceRequirements,
  Volume,
  VolumeMount,
} from './common.js';
import { ENTRY_WRAPPER, containerEnv, deviceEnv, entryCommand } from './containerEnv.js';
import { jobMetadata, podLabels } from './jobMetadata.js';
import { podPlacement, requireImage, type PodPlacement } from './podTemplate.js';
import { devicesPerNode, resourceRequirements } from './resourceRequirements.js';
import { containerWorkingDir, hyperparametersConfigMap, jobVolumeMounts, jobVolumes } from './workVolumes.js';

/*
 * MPI and Horovod → MPIJob (kubeflow.org/v2beta1, mpi-operator). The launcher runs the user's
 * command (which calls mpirun / horovodrun); each of the `nodes` workers gets the node's resources
 * and runs sshd for the launcher to reach — in Horovod mode that is TI-ONE's waiting worker (its
 * `sleep infinity`): it runs no command of its own, and the MPIJob's outcome is the launcher's.
 * The operator writes the hostfile with slotsPerWorker slots per worker.
 */

export const MPIJOB_API_VERSION = 'kubeflow.org/v2beta1';
/** What the launcher gets when the options name nothing: it only runs mpirun. */
export const DEFAULT_LAUNCHER_RESOURCES: Resources = {
  cpu: 1,
  memory: '2Gi',
  accelerator: { type: 'none', count: 0 },
};
export const WORKER_COMMAND = [ENTRY_WRAPPER, '/usr/sbin/sshd', '-De'];

export interface MpiOptions extends ManifestOptions {
  launcherResources?: Resources;
}

interface Container {
  name: string;
  image: string;
  command: string[];
  workingDir: string;
  env: EnvVar[];
  resources: ResourceRequirements;
  volumeMounts: VolumeMount[];
}

export interface ReplicaSpec {
  replicas: number;
  restartPolicy: 'Never' | 'OnFailure';
  template: {
    metadata: { labels: Record<string, string> };
    spec: PodPlacement & { volumes: Volume[]; containers: Container[] };
  };
}

export interface MPIJob {
  apiVersion: typeof MPIJOB_API_VERSION;
  kind: 'MPIJob';
  metadata: ObjectMeta;
  spec: {
    slotsPerWorker: number;
    mpiImplementation: 'OpenMPI';
    runPolicy: { suspend: true; backoffLimit: number; cleanPodPolicy: 'Running' };
    mpiReplicaSpecs: { Launcher: ReplicaSpec; Worker: ReplicaSpec };
  };
}

/** Slots per worker: one per whole device, at least 1 (a CPU node or a share of a GPU). */
export function slotsPerWorker(spec: NodesJobSpec): number {
  return Math.max(1, devicesPerNode(spec.resources));
}

/** The MPIJob of an mpi or horovod job. */
export function mpiJob(spec: NodesJobSpec, options: MpiOptions): MPIJob {
  if (spec.mode !== 'mpi' && spec.mode !== 'horovod')
    throw new Error(`mpiJob builds mpi and horovod jobs, not ${spec.mode}`);
  const image = requireImage(spec, options);
  const replica = (name: string, replicas: number, command: string[], resources: Resources): ReplicaSpec => ({
    replicas,
    restartPolicy: 'Never',
    template: {
      metadata: { labels: podLabels(spec, options) },
      spec: {
        ...podPlacement(options),
        volumes: jobVolumes(spec, options),
        containers: [
          {
            name,
            image,
            command,
            workingDir: containerWorkingDir(spec, options),
            env: [...containerEnv(spec, options), ...deviceEnv(resources)],
            resources: resourceRequirements(resources, options.resourceNames),
            volumeMounts: jobVolumeMounts(spec, options),
          },
        ],
      },
    },
  });
  return {
    apiVersion: MPIJOB_API_VERSION,
    kind: 'MPIJob',
    metadata: jobMetadata(spec, options),
    spec: {
      slotsPerWorker: slotsPerWorker(spec),
      mpiImplementation: 'OpenMPI',
      runPolicy: { suspend: true, backoffLimit: spec.autoRestart.maxRestarts, cleanPodPolicy: 'Running' },
      mpiReplicaSpecs: {
        Launcher: replica('launcher', 1, entryCommand(spec), options.launcherResources ?? DEFAULT_LAUNCHER_RESOURCES),
        Worker: replica('worker', spec.nodes, WORKER_COMMAND, spec.resources),
      },
    },
  };
}

/** Every object an mpi or horovod job needs, in creation order. */
export function mpiManifests(spec: JobSpec, options: MpiOptions): [ConfigMap, MPIJob] {
  if (spec.mode !== 'mpi' && spec.mode !== 'horovod') {
    throw new Error(`mpiManifests builds mpi and horovod jobs, not ${spec.mode}`);
  }
  return [hyperparametersConfigMap(spec, options), mpiJob(spec, options)];
}
