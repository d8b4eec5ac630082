/**
 * Accelerator utilisation per instance, from the vendors' command-line tools.
 *
 * NVIDIA: `nvidia-smi --query-compute-apps` names the processes holding GPU memory, so an instance's
 * devices are the GPUs its processes are on, its memory is theirs, and its utilisation is the mean
 * utilisation of those GPUs (a device-level figure: nvidia-smi has no per-process utilisation).
 * Limitation: nvidia-smi reports host pids; inside a container with its own pid namespace they do
 * not match /proc and an instance shows no GPU use.
 *
 * Ascend: `npu-smi info` has no per-process utilisation, so the caller names the devices an instance
 * holds and gets their mean AICore% and the sum of their HBM use (the on-chip memory; the
 * "Memory-Usage" column on cards without HBM). Both are device-level and only attributable to the
 * instance when it has the devices to itself.
 *
 * A missing binary means "no accelerator metrics" (an empty result), never an error; it is not
 * looked for again by the same sampler.
 *
 * The tools' output is read by the capacity module's parsers (`../capacity/nvidiaSmi.ts`,
 * `../capacity/npuSmi.ts`), and device ids follow its numbering: the indices `detectCapacity`
 * counts and the scheduler hands to instances.
 */
import { execFile } from 'node:child_process';
import { parseNpuSmiInfo, type NpuSmiDevice } from '../../../metrics/npuSmi.js';
import {
  NVIDIA_COMPUTE_APPS_QUERY_ARGS,
  NVIDIA_GPU_QUERY_ARGS,
  nvidiaDeviceOrder,
  parseNvidiaComputeApps,
  parseNvidiaSmiCsv,
  type NvidiaComputeApp,
  type NvidiaGpu,
} from '../../../metrics/nvidiaSmi.js';

export type AcceleratorKind = 'nvidia' | 'ascend';

/** What one instance asks of an accelerator sampler. */
export interface AcceleratorQuery {
  key: string;
  /** The instance's live pids (from `GroupSample.pids`). */
  pids: readonly number[];
  /**
   * Device indices the instance holds: the scheduler's placement, as given to it in
   * CUDA_/ASCEND_RT_VISIBLE_DEVICES (0..n-1 in capacity's order). Ascend only; NVIDIA goes by pids.
   */
  devices?: readonly number[];
}

export interface AcceleratorUsage {
  /** Device indices (capacity's numbering) the figures cover, ascending. */
  devices: number[];
  /** Mean utilisation of those devices, 0-100; undefined when none reports one. */
  utilizationPercent?: number;
  memoryBytes?: number;
}

export interface GpuSampler {
  readonly kind: AcceleratorKind;
  /**
   * One entry per query when the tool answered; an empty map when there are no accelerator metrics
   * (no binary, or the tool failed; failures go to `onError`). Never rejects.
   */
  sample(queries: readonly AcceleratorQuery[]): Promise<Map<string, AcceleratorUsage>>;
}

/** Runs a program without a shell and resolves with its stdout; rejects with `code: 'ENOENT'` when missing. */
export type CommandRunner = (file: string, args: readonly string[], options: { timeoutMs: number }) => Promise<string>;

export interface ToolSamplerOptions {
  /** Defaults to `execFile` (no shell). */
  run?: CommandRunner;
  /** Path or name of the tool; defaults to `nvidia-smi` / `npu-smi` on the PATH. */
  binary?: string;
  /** Per invocation; defaults to 5000 ms. */
  timeoutMs?: number;
  /** Failures other than a missing binary (timeouts, a driver that does not answer, bad output). */
  onError?: (error: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const MIB = 1024 * 1024;

export const execFileRunner: CommandRunner = (file, args, { timeoutMs }) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * MIB, windowsHide: true },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

// ---------------------------------------------------------------------------------------------
// NVIDIA

/**
 * Attributes GPUs to each query through the pids of its processes. A device is a GPU's position in
 * `nvidiaDeviceOrder` (matched to the processes by uuid): the index capacity counts and the
 * scheduler hands out.
 */
export function nvidiaUsage(
  queries: readonly AcceleratorQuery[],
  apps: readonly NvidiaComputeApp[],
  gpus: readonly NvidiaGpu[],
): Map<string, AcceleratorUsage> {
  const byUuid = new Map<string, { device: number; gpu: NvidiaGpu }>();
  nvidiaDeviceOrder(gpus).forEach((gpu, device) => {
    if (gpu.uuid !== undefined) byUuid.set(gpu.uuid, { device, gpu });
  });
  const result = new Map<string, AcceleratorUsage>();
  for (const query of queries) {
    const pids = new Set(query.pids);
    const mine = apps.filter((app) => pids.has(app.pid));
    const devices = new Map<number, NvidiaGpu>();
    for (const app of mine) {
      const held = app.gpuUuid === undefined ? undefined : byUuid.get(app.gpuUuid);
      if (held !== undefined) devices.set(held.device, held.gpu);
    }
    const usage: AcceleratorUsage = { devices: [...devices.keys()].sort((a, b) => a - b) };
    const utilization = mean([...devices.values()].map((gpu) => gpu.utilizationPercent));
    if (utilization !== undefined) usage.utilizationPercent = utilization;
    // No process on a GPU: it holds no GPU memory. Processes whose memory is all "[N/A]": unknown.
    const memory = mine.map((app) => app.usedMemoryBytes).filter((bytes) => bytes !== undefined);
    if (mine.length === 0 || memory.length > 0) usage.memoryBytes = memory.reduce((a, b) => a + b, 0);
    result.set(query.key, usage);
  }
  return result;
}

export function createNvidiaSampler(options: ToolSamplerOptions = {}): GpuSampler {
  const tool = createTool(options, 'nvidia-smi');
  return {
    kind: 'nvidia',
    async sample(queries) {
      if (queries.length === 0) return new Map();
      const [apps, gpus] = await Promise.all([
        tool.run(NVIDIA_COMPUTE_APPS_QUERY_ARGS),
        tool.run(NVIDIA_GPU_QUERY_ARGS),
      ]);
      if (apps === undefined || gpus === undefined) return new Map();
      return nvidiaUsage(queries, parseNvidiaComputeApps(apps), parseNvidiaSmiCsv(gpus));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ascend

/**
 * Each query's devices are positions in `npu-smi info`'s device table (`parseNpuSmiInfo` order:
 * one per chip, so a two-chip card is two devices), the index capacity counts and the scheduler
 * hands out; not NPU (card) ids, which need not start at 0 and repeat on multi-chip cards.
 */
export function ascendUsage(
  queries: readonly AcceleratorQuery[],
  chips: readonly NpuSmiDevice[],
): Map<string, AcceleratorUsage> {
  const result = new Map<string, AcceleratorUsage>();
  for (const query of queries) {
    const held = [...new Set(query.devices ?? [])]
      .sort((a, b) => a - b)
      .flatMap((device) => {
        const chip = chips[device];
        return chip === undefined ? [] : [{ device, chip }];
      });
    const usage: AcceleratorUsage = { devices: held.map(({ device }) => device) };
    const utilization = mean(held.map(({ chip }) => chip.aicorePercent));
    if (utilization !== undefined) usage.utilizationPercent = utilization;
    if (held.length > 0) {
      // HBM where the chip has it, otherwise its on-chip DDR (Memory-Usage), as capacity counts it.
      usage.memoryBytes = held.reduce((sum, { chip }) => sum + (chip.hbmUsedBytes ?? chip.memoryUsedBytes ?? 0), 0);
    }
    result.set(query.key, usage);
  }
  return result;
}

export function createAscendSampler(options: ToolSamplerOptions = {}): GpuSampler {
  const tool = createTool(options, 'npu-smi');
  return {
    kind: 'ascend',
    async sample(queries) {
      if (queries.length === 0) return new Map();
      const text = await tool.run(['info']);
      return text === undefined ? new Map() : ascendUsage(queries, parseNpuSmiInfo(text));
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** A tool invocation that resolves to undefined instead of failing, and remembers a missing binary. */
function createTool(options: ToolSamplerOptions, defaultBinary: string) {
  const run = options.run ?? execFileRunner;
  const binary = options.binary ?? defaultBinary;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let missing = false;
  return {
    async run(args: readonly string[]): Promise<string | undefined> {
      if (missing) return undefined;
      try {
        return await run(binary, args, { timeoutMs });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          missing = true;
        } else {
          options.onError?.(error instanceof Error ? error : new Error(String(error)));
        }
        return undefined;
      }
    },
  };
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value) => value !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}
