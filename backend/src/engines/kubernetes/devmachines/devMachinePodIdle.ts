import { parseMemory, type DevMachineSpec } from '@aiplat/api';
import type { ProcessSample } from '../../../devmachines/idle/idleRules.js';
import { parseNpuSmiInfo } from '../../../metrics/npuSmi.js';
import { NVIDIA_GPU_QUERY_ARGS, parseNvidiaSmiCsv } from '../../../metrics/nvidiaSmi.js';
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

/**
 * The vendor's tool to run in the pod for its accelerators' use (the metrics server has none): a
 * container sees only the devices the device plugin gave it, so the tool's whole answer is the
 * machine's. Undefined for a machine without accelerators.
 */
export function acceleratorQuery(spec: DevMachineSpec): string[] | undefined {
  const accelerator = spec.resources.accelerator;
  if (!accelerator || accelerator.count <= 0) return undefined;
  if (accelerator.type === 'nvidia') return ['nvidia-smi', ...NVIDIA_GPU_QUERY_ARGS];
  if (accelerator.type === 'ascend') return ['npu-smi', 'info'];
  return undefined;
}

/** The mean utilisation (GPU util, AICore) of the devices the tool printed, or undefined when none reads. */
export function acceleratorPercentFrom(spec: DevMachineSpec, output: string): number | undefined {
  const type = spec.resources.accelerator?.type;
  const values =
    type === 'nvidia'
      ? parseNvidiaSmiCsv(output).map((gpu) => gpu.utilizationPercent)
      : type === 'ascend'
        ? parseNpuSmiInfo(output).map((chip) => chip.aicorePercent)
        : [];
  const read = values.filter((value): value is number => value !== undefined);
  return read.length === 0 ? undefined : Math.round((read.reduce((a, b) => a + b, 0) / read.length) * 10) / 10;
}
