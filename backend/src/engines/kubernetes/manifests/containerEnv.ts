import { instanceGroups, type JobSpec, type Resources } from '@aiplat/api';
import type { EnvVar, ManifestOptions } from './common.js';
import { devicesPerNode } from './resourceRequirements.js';
import { containerWorkingDir, HYPERPARAMETERS_PATH, inputMountPath, summaryFolder } from './workVolumes.js';

/*
 * What a job's containers run: the entry wrapper before the user's command, and the environment
 * the wrapper derives the TI-ONE variables from.
 */

export const ENTRY_WRAPPER = '/opt/aiplat/entry.sh';

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
    { name: 'AIPLAT_SUMMARY_DIR', value: summaryFolder(spec, options).containerPath },
    { name: 'AIPLAT_DEVICES_TOTAL', value: String(jobDevices(spec)) },
    ...(options.inputs ?? []).map((input) => ({ name: input.env, value: inputMountPath(input) })),
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
