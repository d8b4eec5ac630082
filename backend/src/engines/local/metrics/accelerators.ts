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
 * looked for again by the same sampler. (The scheduler's capacity probe has its own nvidia-smi
 * parsing; the two are kept apart on purpose for now.)
 */
import { execFile } from 'node:child_process';

export type AcceleratorKind = 'nvidia' | 'ascend';

/** What one instance asks of an accelerator sampler. */
export interface AcceleratorQuery {
  key: string;
  /** The instance's live pids (from `GroupSample.pids`). */
  pids: readonly number[];
  /** Device ids the instance holds (the ids given to it in CUDA_/ASCEND_RT_VISIBLE_DEVICES). */
  devices?: readonly number[];
}

export interface AcceleratorUsage {
  /** Devices the figures cover, ascending. */
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

export interface NvidiaComputeApp {
  pid: number;
  /** MiB; undefined when reported as "[N/A]" (e.g. under WDDM or without permission). */
  usedMemoryMiB?: number;
  gpuUuid: string;
}

export interface NvidiaGpu {
  uuid: string;
  index: number;
  /** Percent; undefined when "[N/A]" / "[Not Supported]" (e.g. MIG). */
  utilizationPercent?: number;
}

/** Parses `--query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits`. */
export function parseNvidiaComputeApps(text: string): NvidiaComputeApp[] {
  const apps: NvidiaComputeApp[] = [];
  for (const cells of csvRows(text)) {
    const [pid, memory, uuid] = cells;
    if (pid === undefined || !/^\d+$/.test(pid) || !uuid) continue;
    apps.push({ pid: Number(pid), usedMemoryMiB: optionalNumber(memory), gpuUuid: uuid });
  }
  return apps;
}

/** Parses `--query-gpu=uuid,index,utilization.gpu --format=csv,noheader,nounits`. */
export function parseNvidiaGpus(text: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const cells of csvRows(text)) {
    const [uuid, index, utilization] = cells;
    if (!uuid || index === undefined || !/^\d+$/.test(index)) continue;
    gpus.push({ uuid, index: Number(index), utilizationPercent: optionalNumber(utilization) });
  }
  return gpus;
}

/** Attributes GPUs to each query through the pids of its processes. */
export function nvidiaUsage(
  queries: readonly AcceleratorQuery[],
  apps: readonly NvidiaComputeApp[],
  gpus: readonly NvidiaGpu[],
): Map<string, AcceleratorUsage> {
  const byUuid = new Map(gpus.map((gpu) => [gpu.uuid, gpu]));
  const result = new Map<string, AcceleratorUsage>();
  for (const query of queries) {
    const pids = new Set(query.pids);
    const mine = apps.filter((app) => pids.has(app.pid));
    const devices = new Map<number, NvidiaGpu>();
    for (const app of mine) {
      const gpu = byUuid.get(app.gpuUuid);
      if (gpu !== undefined) devices.set(gpu.index, gpu);
    }
    const usage: AcceleratorUsage = { devices: [...devices.keys()].sort((a, b) => a - b) };
    const utilization = mean([...devices.values()].map((gpu) => gpu.utilizationPercent));
    if (utilization !== undefined) usage.utilizationPercent = utilization;
    // No process on a GPU: it holds no GPU memory. Processes whose memory is all "[N/A]": unknown.
    const memory = mine.map((app) => app.usedMemoryMiB).filter((mib) => mib !== undefined);
    if (mine.length === 0 || memory.length > 0) usage.memoryBytes = memory.reduce((a, b) => a + b, 0) * MIB;
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
        tool.run(['--query-compute-apps=pid,used_memory,gpu_uuid', '--format=csv,noheader,nounits']),
        tool.run(['--query-gpu=uuid,index,utilization.gpu', '--format=csv,noheader,nounits']),
      ]);
      if (apps === undefined || gpus === undefined) return new Map();
      return nvidiaUsage(queries, parseNvidiaComputeApps(apps), parseNvidiaGpus(gpus));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ascend

export interface NpuChip {
  /** The NPU (card) id, first column of a device's first row. */
  npuId: number;
  chipId: number;
  /** The logical device id, only on layouts with a "Chip Device" column (310P). */
  deviceId?: number;
  name: string;
  health: string;
  /** AICore utilisation; undefined when "NA" / "-". */
  aicorePercent?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
  hbmUsedMiB?: number;
  hbmTotalMiB?: number;
}

const BUS_ID = /^[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]$/;

/**
 * Parses the device table of `npu-smi info`: for each NPU a row "id name | health | power temp
 * hugepages" followed by one row per chip "chip [device] | bus-id | aicore memory [hbm]". Lines
 * outside the table, the process table that follows it and anything unrecognised are ignored.
 */
export function parseNpuSmiInfo(text: string): NpuChip[] {
  const chips: NpuChip[] = [];
  let hasDeviceColumn = false;
  let npu: { id: number; name: string; health: string } | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').map((cell) => cell.trim());
    const [first = '', second = '', third = ''] = cells.slice(1);
    if (/\bProcess id\b/i.test(line)) break; // the per-process table: no device rows below
    if (/^Chip\b/.test(first)) {
      hasDeviceColumn = /^Chip\s+Device\b/.test(first);
      continue;
    }
    if (BUS_ID.test(second) && npu !== undefined) {
      const ids = /^(\d+)(?:\s+(\d+))?$/.exec(first);
      const values = /^(\S+)\s+(\d+)\s*\/\s*(\d+)(?:\s+(\d+)\s*\/\s*(\d+))?/.exec(third);
      if (!ids || !values) continue;
      const chip: NpuChip = {
        npuId: npu.id,
        chipId: Number(ids[1]),
        name: npu.name,
        health: npu.health,
        aicorePercent: optionalNumber(values[1]),
        memoryUsedMiB: Number(values[2]),
        memoryTotalMiB: Number(values[3]),
      };
      if (hasDeviceColumn && ids[2] !== undefined) chip.deviceId = Number(ids[2]);
      if (values[4] !== undefined) {
        chip.hbmUsedMiB = Number(values[4]);
        chip.hbmTotalMiB = Number(values[5]);
      }
      chips.push(chip);
      continue;
    }
    const head = /^(\d+)\s+(\S.*)$/.exec(first);
    if (head && second !== '') npu = { id: Number(head[1]), name: head[2] ?? '', health: second };
  }
  return chips;
}

/**
 * The id an instance's device list refers to: the logical device id where the table shows one,
 * otherwise the NPU id (910-series cards carry one chip each, numbered like the logical ids).
 */
export function npuDeviceId(chip: NpuChip): number {
  return chip.deviceId ?? chip.npuId;
}

export function ascendUsage(
  queries: readonly AcceleratorQuery[],
  chips: readonly NpuChip[],
): Map<string, AcceleratorUsage> {
  const byDevice = new Map(chips.map((chip) => [npuDeviceId(chip), chip]));
  const result = new Map<string, AcceleratorUsage>();
  for (const query of queries) {
    const held = [...new Set(query.devices ?? [])]
      .map((id) => byDevice.get(id))
      .filter((chip) => chip !== undefined)
      .sort((a, b) => npuDeviceId(a) - npuDeviceId(b));
    const usage: AcceleratorUsage = { devices: held.map(npuDeviceId) };
    const utilization = mean(held.map((chip) => chip.aicorePercent));
    if (utilization !== undefined) usage.utilizationPercent = utilization;
    if (held.length > 0) {
      usage.memoryBytes = held.reduce((sum, chip) => sum + (chip.hbmUsedMiB ?? chip.memoryUsedMiB ?? 0), 0) * MIB;
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

function* csvRows(text: string): Generator<string[]> {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    yield line.split(',').map((cell) => cell.trim());
  }
}

/** A number, or undefined for "[N/A]", "[Not Supported]", "NA", "-" and the like. */
function optionalNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value) => value !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}
