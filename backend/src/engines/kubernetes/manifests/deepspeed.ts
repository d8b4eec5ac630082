import type { JobSpec, NodesJobSpec } from '@aiplat/api';
import type { ConfigMap, ManifestOptions } from './common.js';
import { containerEnv, deviceEnv, entryCommand } from './containerEnv.js';
import { procsPerNode, runtimePatch, TORCH_NODE, TRAINJOB_API_VERSION, type TrainJob } from './ddp.js';
import { jobMetadata } from './jobMetadata.js';
import { requireImage } from './podTemplate.js';
import { resourceRequirements } from './resourceRequirements.js';
import { hyperparametersConfigMap } from './workVolumes.js';

/*
 * DeepSpeed → Kubeflow Trainer v2 TrainJob on the `deepspeed-distributed` ClusterTrainingRuntime
 * (an MPI runtime with runLauncherAsNode). The launcher is node 0 and runs the user's command
 * (`deepspeed --hostfile $DEEPSPEED_HOSTFILE train.py`), as in TI-ONE's Horovod; the runtime's
 * `node` pods (nodes - 1 of them) run sshd for the ranks the launcher starts. The Trainer writes
 * the `host slots=N` hostfile (OMPI_MCA_orte_default_hostfile, which the entry wrapper also names
 * DEEPSPEED_HOSTFILE) and the job succeeds when the launcher does. A TrainJob sets the launcher's
 * image only (the spec's or the configured default, with the entry wrapper): the `node` pods run the
 * runtime's image, so the operator gives the runtime an image with the job's libraries.
 */

export const DEEPSPEED_RUNTIME = 'deepspeed-distributed';
/** The runtime's replicated jobs: the launcher (node 0, runs the command) and the other nodes. */
export const DEEPSPEED_LAUNCHER = 'launcher';
export const DEEPSPEED_NODE = TORCH_NODE;

/** The TrainJob of a deepspeed job. */
export function deepspeedTrainJob(spec: NodesJobSpec, options: ManifestOptions): TrainJob {
  if (spec.mode !== 'deepspeed') throw new Error(`deepspeedTrainJob builds deepspeed jobs, not ${spec.mode}`);
  return {
    apiVersion: TRAINJOB_API_VERSION,
    kind: 'TrainJob',
    metadata: jobMetadata(spec, options),
    spec: {
      runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: DEEPSPEED_RUNTIME },
      suspend: true,
      trainer: {
        // The runtime's own image lacks the entry wrapper: the spec's, or the configured default.
        image: requireImage(spec, options),
        command: entryCommand(spec),
        env: [...containerEnv(spec, options), ...deviceEnv(spec.resources)],
        numNodes: spec.nodes,
        // Slots per host in the hostfile: one per whole device, one for a CPU node or a share of a GPU.
        numProcPerNode: procsPerNode(spec),
        resourcesPerNode: resourceRequirements(spec.resources, options.resourceNames),
      },
      runtimePatches: [runtimePatch(spec, options, [DEEPSPEED_LAUNCHER, DEEPSPEED_NODE])],
    },
  };
}

/** Every object a deepspeed job needs, in creation order. */
export function deepspeedManifests(spec: JobSpec, options: ManifestOptions): [ConfigMap, TrainJob] {
  if (spec.mode !== 'deepspeed') throw new Error(`deepspeedManifests builds deepspeed jobs, not ${spec.mode}`);
  return [hyperparametersConfigMap(spec, options), deepspeedTrainJob(spec, options)];
}
