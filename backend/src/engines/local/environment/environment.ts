import path from 'node:path';
import { ENV_NAME_PATTERN, isPlatformEnvName } from '@aiplat/api';
import { renderHostfile, renderHostSlotList, type HostSlots } from './hostfile.js';
import { isValidPort, requiredPorts } from './ports.js';
import {
  ROLES_BY_MODE,
  type DeviceAssignment,
  type EnvironmentError,
  type EnvironmentInput,
  type EnvironmentResult,
  type InstanceEnvironment,
  type InstancePlacement,
  type PlannedFile,
  type TrainingMode,
} from './types.js';

/**
 * Name of the MPI hostfile inside the job directory. DeepSpeed reads the same `host slots=N` lines
 * (and refuses a host given twice, as Open MPI does), so DEEPSPEED_HOSTFILE names this file too.
 */
export const HOSTFILE_NAME = 'hostfile';

/** 0, a share of one device (0.1 to 1), or a whole number of devices. */
export function isValidGpuCount(gpus: number): boolean {
  return gpus === 0 || (gpus >= 0.1 && gpus <= 1) || (Number.isInteger(gpus) && gpus >= 1);
}

/**
 * Devices an instance sees: a share of one device (0.1 to 1) is one device, shared with others.
 * This is the count GPU_NUM, GPU_NUM_PER_NODE, NODE_LIST and the hostfile slots show, so
 * `--nproc_per_node $GPU_NUM_PER_NODE` stays a whole number; the share itself is in AIPLAT_GPU_SHARE.
 */
export function visibleDeviceCount(gpus: number): number {
  return gpus > 0 && gpus < 1 ? 1 : gpus;
}

/**
 * Computes every instance's environment and the job-wide files for a placed job. Pure: no I/O, no
 * clock, no randomness. Fails with the full list of problems (bad placement, missing ports, user
 * variables that collide with platform ones) instead of silently fixing any of them.
 */
export function buildEnvironment(input: EnvironmentInput): EnvironmentResult {
  const errors = validate(input);
  if (errors.length > 0) return { ok: false, errors };

  const { instances, mode } = input;
  const counts = instances.map((instance) => visibleDeviceCount(instance.gpus));
  const nodes: HostSlots[] = instances.map((instance, k) => ({
    host: instance.host,
    slots: Math.max(counts[k] ?? 0, 1),
  }));
  const hostfilePath = path.posix.join(input.jobDir, HOSTFILE_NAME);
  const shared: SharedFacts = {
    nodeList: instances.map((instance, k) => `${instance.host}:${counts[k] ?? 0}`).join(','),
    gpuTotal: counts.reduce((sum, n) => sum + n, 0),
    hostfilePath,
    hostSlotList: renderHostSlotList(nodes),
    tfCluster: tfCluster(instances),
    names: instanceNames(instances),
  };

  const result: InstanceEnvironment[] = instances.map((instance) => {
    const name = shared.names[instance.index] ?? '';
    const env: Record<string, string> = {
      ...input.userEnv,
      ...commonEnv(input, instance, name, shared),
      ...modeEnv(mode, instance, input.instances, shared),
    };
    return { index: instance.index, name, env };
  });

  const files: PlannedFile[] = [];
  if (mode === 'mpi' || mode === 'horovod' || mode === 'deepspeed') {
    files.push({ path: hostfilePath, content: renderHostfile(nodes) });
  }
  if (input.hyperparameters !== undefined) {
    files.push({ path: input.hyperparametersPath, content: `${JSON.stringify(input.hyperparameters, null, 2)}\n` });
  }
  return { ok: true, plan: { instances: result, files } };
}

interface SharedFacts {
  nodeList: string;
  gpuTotal: number;
  hostfilePath: string;
  hostSlotList: string;
  tfCluster: Record<string, string[]>;
  names: readonly string[];
}

function commonEnv(
  input: EnvironmentInput,
  instance: InstancePlacement,
  name: string,
  shared: SharedFacts,
): Record<string, string> {
  const env: Record<string, string> = {
    NODE_LIST: shared.nodeList,
    INDEX: String(instance.index),
    GPU_NUM: String(shared.gpuTotal),
    GPU_NUM_PER_NODE: String(visibleDeviceCount(instance.gpus)),
    HYPERPARAMETERS_PATH: input.hyperparametersPath,
    PYTHONUNBUFFERED: '1',
    AIPLAT_JOB_ID: input.jobId,
    AIPLAT_INSTANCE: name,
  };
  if (input.summaryDir !== undefined) env.AIPLAT_SUMMARY_DIR = input.summaryDir;
  if (input.inputEnv) Object.assign(env, input.inputEnv);
  if (instance.group !== undefined) env.AIPLAT_GROUP = instance.group;
  if (instance.gpus > 0 && instance.gpus < 1) env.AIPLAT_GPU_SHARE = String(instance.gpus);
  if (instance.devices !== undefined) Object.assign(env, visibleDevicesEnv(instance.devices));
  return env;
}

/** The variable CUDA or CANN reads for the devices a process may use, e.g. CUDA_VISIBLE_DEVICES=0,1. */
export function visibleDevicesEnv(devices: DeviceAssignment): Record<string, string> {
  const variable = devices.kind === 'nvidia' ? 'CUDA_VISIBLE_DEVICES' : 'ASCEND_RT_VISIBLE_DEVICES';
  return { [variable]: devices.ids.join(',') };
}

function modeEnv(
  mode: TrainingMode,
  instance: InstancePlacement,
  instances: readonly InstancePlacement[],
  shared: SharedFacts,
): Record<string, string> {
  const first = instances[0];
  switch (mode) {
    case 'ddp':
      return {
        MASTER_ADDR: first?.host ?? '',
        MASTER_PORT: String(first?.ports.master ?? ''),
        WORLD_SIZE: String(instances.length),
        RANK: String(instance.index),
      };
    case 'mpi':
    case 'horovod':
      return { OMPI_MCA_orte_default_hostfile: shared.hostfilePath, NODE_IP_SLOT_LIST: shared.hostSlotList };
    case 'deepspeed':
      // `deepspeed --hostfile $DEEPSPEED_HOSTFILE train.py` on the launcher, mpirun as in mpi mode.
      return {
        OMPI_MCA_orte_default_hostfile: shared.hostfilePath,
        NODE_IP_SLOT_LIST: shared.hostSlotList,
        DEEPSPEED_HOSTFILE: shared.hostfilePath,
      };
    case 'ps-worker': {
      const taskIndex = instances.slice(0, instance.index).filter((other) => other.role === instance.role).length;
      return {
        TF_CONFIG: JSON.stringify({ cluster: shared.tfCluster, task: { type: instance.role, index: taskIndex } }),
      };
    }
    case 'ray':
      return {
        HEAD_ADDR: first?.host ?? '',
        HEAD_PORT: String(first?.ports.head ?? ''),
        RANK: String(instance.index),
      };
  }
}

/** `cluster` of TF_CONFIG: `host:port` per role in instance order; roles with no instance left out. */
function tfCluster(instances: readonly InstancePlacement[]): Record<string, string[]> {
  const cluster: Record<string, string[]> = {};
  for (const instance of instances) {
    if (instance.ports.task === undefined) continue;
    (cluster[instance.role] ??= []).push(`${instance.host}:${instance.ports.task}`);
  }
  return cluster;
}

/** `role-n`, n counted within the role, indexed by instance index. */
function instanceNames(instances: readonly InstancePlacement[]): string[] {
  const seen = new Map<string, number>();
  return instances.map((instance) => {
    const n = seen.get(instance.role) ?? 0;
    seen.set(instance.role, n + 1);
    return `${instance.role}-${n}`;
  });
}

function validate(input: EnvironmentInput): EnvironmentError[] {
  const errors: EnvironmentError[] = [];
  const { instances, mode } = input;
  if (instances.length === 0) errors.push({ code: 'no-instances', message: 'a job needs at least one instance' });
  for (const [label, value] of [
    ['jobDir', input.jobDir],
    ['hyperparametersPath', input.hyperparametersPath],
  ] as const) {
    if (!path.posix.isAbsolute(value)) {
      errors.push({ code: 'bad-path', message: `${label} must be an absolute path, got ${JSON.stringify(value)}` });
    }
  }

  const portOwners = new Map<string, number>();
  instances.forEach((instance, position) => {
    const at = { instance: position };
    if (instance.index !== position) {
      errors.push({
        ...at,
        code: 'bad-index',
        message: `instance at position ${position} has index ${instance.index}`,
      });
    }
    if (!ROLES_BY_MODE[mode].includes(instance.role)) {
      const allowed = ROLES_BY_MODE[mode].join(', ');
      errors.push({ ...at, code: 'bad-role', message: `role ${instance.role} is not part of ${mode} (${allowed})` });
    }
    if (instance.host === '' || /[\s,]/.test(instance.host)) {
      errors.push({
        ...at,
        code: 'bad-host',
        message: `host ${JSON.stringify(instance.host)} is empty or has a space or comma`,
      });
    }
    if (!isValidGpuCount(instance.gpus)) {
      errors.push({
        ...at,
        code: 'bad-gpus',
        message: `gpus must be 0, 0.1 to 1, or a whole number; got ${instance.gpus}`,
      });
    } else if (instance.devices !== undefined) {
      const { ids } = instance.devices;
      const expected = visibleDeviceCount(instance.gpus);
      if (ids.length !== expected || ids.some((id) => !Number.isInteger(id) || id < 0)) {
        errors.push({
          ...at,
          code: 'bad-devices',
          message: `${expected} device ordinal(s) expected for gpus=${instance.gpus}, got [${ids.join(',')}]`,
        });
      }
    }
    for (const name of requiredPorts(mode, instance)) {
      if (instance.ports[name] === undefined) {
        errors.push({
          ...at,
          code: 'missing-port',
          message: `${mode} needs a ${name} port on ${instance.role} ${instance.index}`,
        });
      }
    }
    for (const [name, port] of Object.entries(instance.ports)) {
      if (port === undefined) continue;
      if (!isValidPort(port)) {
        errors.push({ ...at, code: 'bad-port', message: `${name} port ${port} is not 1-65535` });
        continue;
      }
      const key = `${instance.host}:${port}`;
      const owner = portOwners.get(key);
      if (owner !== undefined) {
        errors.push({ ...at, code: 'port-clash', message: `${key} is already used by instance ${owner}` });
      } else {
        portOwners.set(key, position);
      }
    }
  });

  errors.push(...validateTopology(mode, instances), ...validateUserEnv(mode, input.userEnv));
  return errors;
}

function validateTopology(mode: TrainingMode, instances: readonly InstancePlacement[]): EnvironmentError[] {
  switch (mode) {
    case 'ray': {
      const heads = instances.filter((instance) => instance.role === 'head');
      if (heads.length !== 1 || instances[0]?.role !== 'head') {
        return [{ code: 'bad-topology', message: `ray needs exactly one head, at index 0 (found ${heads.length})` }];
      }
      return [];
    }
    case 'ps-worker':
      if (!instances.some((instance) => instance.role === 'worker')) {
        return [{ code: 'bad-topology', message: 'ps-worker needs at least one worker' }];
      }
      return [];
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return [];
  }
}

function validateUserEnv(mode: TrainingMode, userEnv: Readonly<Record<string, string>>): EnvironmentError[] {
  const errors: EnvironmentError[] = [];
  for (const [variable, value] of Object.entries(userEnv)) {
    if (!ENV_NAME_PATTERN.test(variable) || value.includes('\0')) {
      errors.push({ code: 'bad-env', variable, message: `${JSON.stringify(variable)} is not a usable variable` });
    } else if (isPlatformEnvName(variable)) {
      // The contract's rule: reserved in every mode, so a spec keeps its meaning in another mode.
      errors.push({ code: 'env-conflict', variable, message: `${variable} is set by the platform in ${mode} mode` });
    }
  }
  return errors;
}
