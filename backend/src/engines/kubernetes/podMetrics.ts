import { parseMemory } from '@aiplat/api';

/*
 * metrics.k8s.io PodMetrics into the platform's metric points: CPU quantities ("250m", "123456n",
 * "2") as percent of one core, memory quantities ("512Mi", "1Gi") as bytes.
 */

export interface PodMetricsObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  timestamp?: string | Date;
  containers?: { name: string; usage?: Record<string, string> }[];
}

const CPU_SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1 };

function quantity(text: string | undefined, suffixes: Record<string, number>): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([0-9.]+(?:e[0-9]+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  const factor = suffixes[match[2] ?? ''];
  const value = Number(match[1]);
  return factor === undefined || Number.isNaN(value) ? undefined : value * factor;
}

/** CPU cores of a quantity. */
export function cpuCores(text: string | undefined): number | undefined {
  return quantity(text, CPU_SUFFIX);
}

/** Bytes of a quantity (the job spec's memory syntax). */
export function memoryBytes(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseMemory(text);
}

/** One point for a pod: every container summed. */
export function podMetricPoint(
  metrics: PodMetricsObject,
  now: Date,
): { time: string; cpuPercent: number; memoryBytes: number; processCount: number } {
  let cores = 0;
  let bytes = 0;
  for (const container of metrics.containers ?? []) {
    cores += cpuCores(container.usage?.cpu) ?? 0;
    bytes += memoryBytes(container.usage?.memory) ?? 0;
  }
  const time = metrics.timestamp === undefined ? now : new Date(metrics.timestamp);
  return {
    time: Number.isNaN(time.getTime()) ? now.toISOString() : time.toISOString(),
    cpuPercent: Math.round(cores * 1000) / 10,
    memoryBytes: Math.round(bytes),
    processCount: metrics.containers?.length ?? 0,
  };
}
