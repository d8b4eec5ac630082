import type { Logger } from 'pino';
import type { MetricPoint } from '@aiplat/api';
import { createAscendSampler, createNvidiaSampler, type AcceleratorKind } from './accelerators.js';
import { createMetricsSampler, type LiveInstance, type MetricsSampler } from './sampler.js';

/** What the local engine needs of metrics: instances to sample, and their series. */
export interface LocalMetrics {
  track(key: string, target: { pgid: number; devices?: readonly number[]; kind?: AcceleratorKind }): void;
  untrack(key: string): void;
  /** Drops a deleted job's series from memory. */
  forget(key: string): void;
  query(key: string, options: { since?: string; maxPoints: number }): MetricPoint[];
  stop(): Promise<void>;
}

/**
 * Samples every tracked instance on an interval (CPU and memory from /proc, GPUs through
 * nvidia-smi, NPUs through npu-smi when present) into one series per instance, kept in `fileFor`.
 */
export function createLocalMetrics(options: {
  intervalMs: number;
  fileFor: (key: string) => string;
  /** Each new point of an instance keyed `<jobId>/<index>`. */
  onPoint?: (key: string, point: MetricPoint) => void;
  log: Logger;
}): LocalMetrics {
  const live = new Map<string, LiveInstance>();
  const onError = (error: Error) => options.log.debug({ err: error }, 'metrics sample failed');
  const sampler: MetricsSampler = createMetricsSampler({
    intervalMs: options.intervalMs,
    instances: () => [...live.values()],
    gpu: [createNvidiaSampler({ onError }), createAscendSampler({ onError })],
    fileFor: options.fileFor,
    ...(options.onPoint ? { onPoint: options.onPoint } : {}),
    onError,
  });
  return {
    track(key, target) {
      live.set(key, {
        key,
        pgid: target.pgid,
        ...(target.devices && target.devices.length > 0 ? { devices: [...target.devices] } : {}),
        ...(target.kind ? { kind: target.kind } : {}),
      });
      void sampler.sampleNow();
    },
    untrack(key) {
      live.delete(key);
    },
    forget(key) {
      live.delete(key);
      sampler.forget(key);
    },
    query(key, query) {
      return (
        sampler.series(key)?.range({ ...(query.since ? { since: query.since } : {}), maxPoints: query.maxPoints }) ?? []
      );
    },
    stop: () => sampler.stop(),
  };
}
