import type { Resources } from '@aiplat/api';
import { DEFAULT_RESOURCE_NAMES, type Quantity, type ResourceNames, type ResourceRequirements } from './common.js';

/** Cores as a quantity: whole cores as an integer, otherwise millicores ("500m"). */
export function cpuQuantity(cpu: number): Quantity {
  const milli = Math.round(cpu * 1000);
  return milli % 1000 === 0 ? milli / 1000 : `${milli}m`;
}

/** Memory as a quantity: a quantity string is kept as written, a number of bytes is an integer. */
export function memoryQuantity(memory: string | number): Quantity {
  return typeof memory === 'number' ? Math.ceil(memory) : memory.trim();
}

/** Whole devices of a node's accelerator (a share of one device counts as 1). */
export function devicesPerNode(resources: Resources): number {
  const { type, count } = resources.accelerator;
  return type === 'none' ? 0 : Math.ceil(count);
}

/**
 * Requests and limits of one node. Extended resources must have requests equal to limits, so both
 * carry the same values. A share of a GPU goes through HAMi: one `nvidia.com/gpu` plus cores and
 * memory percentages. Ascend NPUs are whole devices (a share of one needs a vNPU template).
 */
export function resourceRequirements(resources: Resources, names: Partial<ResourceNames> = {}): ResourceRequirements {
  const n = { ...DEFAULT_RESOURCE_NAMES, ...names };
  const values: Record<string, Quantity> = {
    cpu: cpuQuantity(resources.cpu),
    memory: memoryQuantity(resources.memory),
  };
  const { type, count } = resources.accelerator;
  if (type === 'nvidia') {
    if (Number.isInteger(count)) values[n.nvidiaGpu] = count;
    else {
      const percent = Math.round(count * 100);
      values[n.nvidiaGpu] = 1;
      values[n.gpuCores] = percent;
      values[n.gpuMemoryPercentage] = percent;
    }
  } else if (type === 'ascend') {
    if (!Number.isInteger(count)) {
      throw new Error(
        `accelerator.count ${count}: the Kubernetes engine gives Ascend NPUs as whole devices; ask for 1 or more`,
      );
    }
    values[n.ascendNpu] = count;
  }
  return { requests: { ...values }, limits: { ...values } };
}
