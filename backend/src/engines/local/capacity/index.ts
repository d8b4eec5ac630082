/**
 * The local engine's capacity: this machine (CPUs, memory, and the GPUs / NPUs `nvidia-smi` and
 * `npu-smi` report) plus virtual nodes from config, and the queues over them.
 */
export {
  CapacityConfigError,
  DEFAULT_QUEUES,
  DEFAULT_VIRTUAL_NODE_NAME,
  EngineCapacityConfigSchema,
  LOCAL_NODE_NAME,
  QueuesConfigSchema,
  VirtualNodeSchema,
  VirtualNodesConfigSchema,
  engineNodes,
  schedulerQueues,
  virtualNodes,
} from './config.js';
export type {
  EngineCapacityConfig,
  QueueConfig,
  QueuesConfig,
  VirtualNodeEntry,
  VirtualNodesConfig,
} from './config.js';
export { DETECT_TIMEOUT_MS, defaultRunner, detectCapacity, engineCapacity } from './detectCapacity.js';
export type {
  DetectCapacityOptions,
  DetectedCapacity,
  DetectedDevice,
  EngineCapacity,
  RunFailure,
  RunResult,
  Runner,
} from './detectCapacity.js';
export { parseNpuSmiInfo, parseNpuSmiMapping } from '../../../metrics/npuSmi.js';
export type { NpuSmiChipMapping, NpuSmiDevice } from '../../../metrics/npuSmi.js';
export {
  NVIDIA_COMPUTE_APPS_QUERY,
  NVIDIA_COMPUTE_APPS_QUERY_ARGS,
  NVIDIA_GPU_QUERY,
  NVIDIA_GPU_QUERY_ARGS,
  nvidiaDeviceOrder,
  parseNvidiaComputeApps,
  parseNvidiaSmiCsv,
} from '../../../metrics/nvidiaSmi.js';
export type { NvidiaComputeApp, NvidiaGpu } from '../../../metrics/nvidiaSmi.js';
