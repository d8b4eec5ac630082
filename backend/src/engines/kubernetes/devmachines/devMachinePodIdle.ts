import { parseMemory, type DevMachineSpec } from '@aiplat/api';
import type { ProcessSample } from '../../../devmachines/idle/idleRules.js';
import { cpuCores, memoryBytes, type PodMetricsObject } from '../podMetrics.js';

/**
 * A dev machine pod's containers as the idle policy's processes, from metrics.k8s.io: CPU as the
 * share of one core (as on the local engine), memory as the share of the machine's memory.
 */
export function podIdleProcesses(metrics: PodMetricsObject | undefined, spec: DevMachineSpec): ProcessSample[] {
  const limit = parseMemory(spec.resources.memory);
  return (metrics?.containers ?? []).map((container) => {
    const cores = cpuCores(container.usage?.cpu) ?? 0;
    const bytes = memoryBytes(container.usage?.memory) ?? 0;
    return {
      name: container.name,
      cpuPercent: Math.round(cores * 1000) / 10,
      memoryPercent: limit ? Math.round((bytes / limit) * 1000) / 10 : 0,
    };
  });
}
