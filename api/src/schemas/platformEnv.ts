/**
 * Variables the platform sets in every instance (TI-ONE compatible, see ARCHITECTURE.md), in any
 * mode: a spec may not set them, so a job keeps its meaning when copied to another mode or engine.
 * Everything starting with `AIPLAT_` is reserved too.
 */
export const PLATFORM_ENV_NAMES: readonly string[] = [
  'NODE_LIST',
  'INDEX',
  'GPU_NUM',
  'GPU_NUM_PER_NODE',
  'HYPERPARAMETERS_PATH',
  'PYTHONUNBUFFERED',
  'CUDA_VISIBLE_DEVICES',
  'ASCEND_RT_VISIBLE_DEVICES',
  'MASTER_ADDR',
  'MASTER_PORT',
  'WORLD_SIZE',
  'RANK',
  'OMPI_MCA_orte_default_hostfile',
  'NODE_IP_SLOT_LIST',
  'DEEPSPEED_HOSTFILE',
  'TF_CONFIG',
  'HEAD_ADDR',
  'HEAD_PORT',
];
export const PLATFORM_ENV_PREFIX = 'AIPLAT_';

export function isPlatformEnvName(name: string): boolean {
  return name.startsWith(PLATFORM_ENV_PREFIX) || PLATFORM_ENV_NAMES.includes(name);
}

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
