export { groupTickDelta, sampleProcessGroups, systemPageSize } from './procSampler.js';
export type { GroupSample, MemoryMode, ProcessTicks, ProcSamplerOptions, SamplerState } from './procSampler.js';
export { ascendUsage, createAscendSampler, createNvidiaSampler, execFileRunner, nvidiaUsage } from './accelerators.js';
export type {
  AcceleratorKind,
  AcceleratorQuery,
  AcceleratorUsage,
  CommandRunner,
  GpuSampler,
  ToolSamplerOptions,
} from './accelerators.js';
export { createMetricsSampler } from './sampler.js';
export type { LiveInstance, MetricsSampler, MetricsSamplerOptions } from './sampler.js';
