import { performance } from 'node:perf_hooks';
import type { AcceleratorKind, AcceleratorQuery, AcceleratorUsage, GpuSampler } from './accelerators.js';
import { sampleProcessGroups, type ProcSamplerOptions, type SamplerState } from './procSampler.js';
import { MetricSeries, type MetricPoint } from '../../../metrics/metricSeries.js';

/** An instance to sample: its process group and, when it has some, its accelerator devices. */
export interface LiveInstance {
  key: string;
  pgid: number;
  devices?: number[];
  kind?: AcceleratorKind;
}

export interface MetricsSamplerOptions {
  intervalMs: number;
  /** The instances alive now; called once per tick. */
  instances: () => readonly LiveInstance[] | Promise<readonly LiveInstance[]>;
  /** Accelerator samplers; an instance is asked of the one of its `kind`. Default: none. */
  gpu?: GpuSampler | readonly GpuSampler[];
  /** Wall-clock time of a sample. Default `new Date()`. */
  now?: () => Date;
  /** Points kept per instance. Default 3600. */
  capacity?: number;
  /** A JSON-lines file per instance, so its metrics survive a restart; undefined keeps it in memory. */
  fileFor?: (key: string) => string | undefined;
  proc?: ProcSamplerOptions;
  /** Failures of a tick (never thrown: a sampler must not take the backend down). */
  onError?: (error: Error) => void;
  /** Each point once it is appended to its instance's series (to publish it live). */
  onPoint?: (key: string, point: MetricPoint) => void;
}

export interface MetricsSampler {
  /** The series of an instance sampled since start, or restored from its file; undefined if neither. */
  series(key: string): MetricSeries | undefined;
  /** Samples now, or joins the sample in progress (samples never overlap). */
  sampleNow(): Promise<void>;
  /** Drops an instance's series from memory (its file stays). */
  forget(key: string): void;
  /** No more ticks; resolves once the one in progress, if any, is done. */
  stop(): Promise<void>;
}

/**
 * Samples the live instances every `intervalMs` (the first time at once): one /proc scan for all of
 * them, one call per accelerator kind in use, one point appended to each instance's series. The
 * timer is unref'd and re-armed after each sample, so a slow sample delays the next instead of
 * overlapping it.
 */
export function createMetricsSampler(options: MetricsSamplerOptions): MetricsSampler {
  const { intervalMs } = options;
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  const now = options.now ?? (() => new Date());
  const samplers = new Map<AcceleratorKind, GpuSampler>();
  for (const sampler of options.gpu === undefined ? [] : [options.gpu].flat()) samplers.set(sampler.kind, sampler);
  const all = new Map<string, MetricSeries>();
  let state: SamplerState | undefined;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const report = (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error)));

  function open(key: string, create: boolean): MetricSeries | undefined {
    let series = all.get(key);
    if (series !== undefined) return series;
    const file = options.fileFor?.(key);
    series = new MetricSeries({ capacity: options.capacity, file });
    try {
      if (series.restore() === 0 && !create) return undefined;
    } catch (error) {
      report(error);
      if (!create) return undefined;
    }
    all.set(key, series);
    return series;
  }

  async function tick(): Promise<void> {
    const live = new Map<string, LiveInstance>();
    for (const instance of await options.instances()) if (!live.has(instance.key)) live.set(instance.key, instance);
    const pgids = [...new Set([...live.values()].map((instance) => instance.pgid))];
    const { samples, state: next } = sampleProcessGroups(pgids, state, options.proc);
    state = next;
    const time = now().toISOString();

    const queries = new Map<GpuSampler, AcceleratorQuery[]>();
    for (const instance of live.values()) {
      const sample = samples.get(instance.pgid);
      const sampler = instance.kind === undefined ? undefined : samplers.get(instance.kind);
      if (sample === undefined || sampler === undefined) continue;
      const query: AcceleratorQuery = { key: instance.key, pids: sample.pids };
      if (instance.devices !== undefined) query.devices = instance.devices;
      queries.set(sampler, [...(queries.get(sampler) ?? []), query]);
    }
    const usage = new Map<string, AcceleratorUsage>();
    await Promise.all(
      [...queries].map(async ([sampler, list]) => {
        try {
          for (const [key, value] of await sampler.sample(list)) usage.set(key, value);
        } catch (error) {
          report(error);
        }
      }),
    );

    for (const instance of live.values()) {
      const sample = samples.get(instance.pgid);
      if (sample === undefined) continue; // gone: no point
      const point: MetricPoint = { time, memoryBytes: sample.memoryBytes, processCount: sample.processCount };
      if (sample.cpuPercent !== undefined) point.cpuPercent = Math.round(sample.cpuPercent * 100) / 100;
      const accelerator = usage.get(instance.key);
      if (accelerator !== undefined) {
        point.accelerator = {};
        if (accelerator.utilizationPercent !== undefined) {
          point.accelerator.utilizationPercent = accelerator.utilizationPercent;
        }
        if (accelerator.memoryBytes !== undefined) point.accelerator.memoryBytes = accelerator.memoryBytes;
      }
      try {
        open(instance.key, true)?.append(point);
        options.onPoint?.(instance.key, point);
      } catch (error) {
        report(error);
      }
    }
  }

  function sampleNow(): Promise<void> {
    running ??= tick()
      .catch(report)
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      const started = performance.now();
      void sampleNow().then(() => schedule(Math.max(0, intervalMs - (performance.now() - started))));
    }, delayMs);
    timer.unref();
  }

  schedule(0);

  return {
    series: (key) => open(key, false),
    sampleNow,
    forget: (key) => {
      all.delete(key);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
