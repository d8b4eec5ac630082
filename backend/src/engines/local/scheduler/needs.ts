import { MILLI, toMilli } from './capacity.js';
import type { AcceleratorType, InstanceRequest } from './types.js';

/** One instance's request in the scheduler's integer units. */
export interface InstanceNeed {
  cpuMilli: number;
  memoryBytes: number;
  type: AcceleratorType;
  /** Whole devices (0 for CPU-only and fractional instances). */
  whole: number;
  /** Share of one device in thousandths, for a fractional instance (else 0). */
  shareMilli: number;
}

export type NeedsResult = { ok: true; needs: InstanceNeed[]; key: string } | { ok: false; reason: string };

/** Fractions of a device are tenths: at least this share, and a multiple of it. */
const MIN_SHARE_MILLI = 100;

function isShare(count: number): boolean {
  const milli = toMilli(count);
  return milli >= MIN_SHARE_MILLI && milli % MIN_SHARE_MILLI === 0 && milli / MILLI === count;
}

/**
 * Converts a job's instances; `key` identifies the shape, so jobs asking for the same thing share
 * what the pass learnt about it.
 */
export function toNeeds(instances: readonly InstanceRequest[]): NeedsResult {
  if (instances.length === 0) return { ok: false, reason: 'the job has no instances' };
  const needs: InstanceNeed[] = [];
  for (const [i, instance] of instances.entries()) {
    const { type, count } = instance.accelerator;
    const where = instances.length > 1 ? `instance ${i + 1}: ` : '';
    if (!(instance.cpu >= 0) || !(instance.memoryBytes >= 0)) {
      return { ok: false, reason: `${where}CPU and memory must be zero or more` };
    }
    // A request is counted exactly or refused: rounding could make one that was asked for zero.
    const cpuMilli = toMilli(instance.cpu);
    if (cpuMilli / MILLI !== instance.cpu || (instance.cpu > 0 && cpuMilli === 0)) {
      return {
        ok: false,
        reason: `${where}CPU ${instance.cpu} is not a whole number of millicores (1 millicore = 0.001 CPU)`,
      };
    }
    if (!Number.isSafeInteger(instance.memoryBytes)) {
      return { ok: false, reason: `${where}memory ${instance.memoryBytes} is not a whole number of bytes` };
    }
    const need: InstanceNeed = {
      cpuMilli,
      memoryBytes: instance.memoryBytes,
      type: 'none',
      whole: 0,
      shareMilli: 0,
    };
    if (type !== 'none' && count !== 0) {
      need.type = type;
      if (Number.isInteger(count) && count >= 1) need.whole = count;
      else if (count > 0 && count < 1 && isShare(count)) need.shareMilli = toMilli(count);
      else {
        return {
          ok: false,
          reason: `${where}accelerator count ${count} is neither a whole number nor a share between 0.1 and 1`,
        };
      }
    } else if (count !== 0) {
      return { ok: false, reason: `${where}accelerator type none cannot have count ${count}` };
    }
    needs.push(need);
  }
  const key = needs.map((n) => `${n.cpuMilli},${n.memoryBytes},${n.type},${n.whole},${n.shareMilli}`).join(';');
  return { ok: true, needs, key };
}

/** "8 nvidia GPUs", "1 ascend NPU", "0.5 of an nvidia GPU". */
export function describeDevices(type: AcceleratorType, whole: number, shareMilli = 0): string {
  const noun = type === 'ascend' ? 'NPU' : 'GPU';
  if (shareMilli > 0 && shareMilli < MILLI) return `${shareMilli / MILLI} of an ${type} ${noun}`;
  return `${whole} ${type} ${noun}${whole === 1 ? '' : 's'}`;
}

export function describeCpus(cpuMilli: number): string {
  const cpus = cpuMilli / MILLI;
  return `${cpus} CPU${cpus === 1 ? '' : 's'}`;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export function describeMemory(bytes: number): string {
  if (bytes >= GIB) return `${trim(bytes / GIB)} GiB`;
  if (bytes >= MIB) return `${trim(bytes / MIB)} MiB`;
  return `${bytes} bytes`;
}

function trim(value: number): string {
  return String(Math.round(value * 10) / 10);
}
