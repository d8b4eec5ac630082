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
export { DEFAULT_SERIES_CAPACITY, MetricSeries } from './series.js';
export type { MetricPoint, MetricSeriesOptions, RangeQuery } from './series.js';
export { createMetricsSampler } from './sampler.js';
export type { LiveInstance, MetricsSampler, MetricsSamplerOptions } from './sampler.js';
