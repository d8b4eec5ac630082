import { execFile } from 'node:child_process';
import os from 'node:os';
import type { SchedulerNode, SchedulerQueue } from '../scheduler/types.js';
import { LOCAL_NODE_NAME, engineNodes, schedulerQueues, type EngineCapacityConfig } from './config.js';
import { parseNpuSmiInfo, type NpuSmiDevice } from '../../../metrics/npuSmi.js';
import {
  NVIDIA_GPU_QUERY_ARGS,
  nvidiaDeviceOrder,
  parseNvidiaSmiCsv,
  type NvidiaGpu,
} from '../../../metrics/nvidiaSmi.js';

/** How long one `nvidia-smi` / `npu-smi` call may take. */
export const DETECT_TIMEOUT_MS = 5_000;

export type RunFailure = 'not-found' | 'permission' | 'timeout' | 'failed';

export type RunResult = { code: number; stdout: string; stderr: string } | { error: RunFailure; message: string };

/** Runs a program (no shell) and reports its exit code and output, or why it did not run. Never rejects. */
export type Runner = (cmd: string, args: readonly string[], timeoutMs: number) => Promise<RunResult>;

/** `child_process.execFile`, no shell, killed after `timeoutMs`. */
export const defaultRunner: Runner = (cmd, args, timeoutMs) =>
  new Promise<RunResult>((resolve) => {
    execFile(
      cmd,
      [...args],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ code: 0, stdout, stderr });
          return;
        }
        // execFile's error: `code` is the exit code (number) or a spawn errno (string);
        // `killed` + `signal` mark a child it stopped at the timeout.
        const { code, killed, signal } = error as Error & { code?: unknown; killed?: boolean; signal?: string | null };
        if (code === 'ENOENT') resolve({ error: 'not-found', message: `${cmd} is not installed` });
        else if (code === 'EACCES' || code === 'EPERM') resolve({ error: 'permission', message: error.message });
        else if (killed === true && signal)
          resolve({ error: 'timeout', message: `${cmd} ran longer than ${timeoutMs} ms` });
        else if (typeof code === 'number') resolve({ code, stdout, stderr });
        else resolve({ error: 'failed', message: error.message });
      },
    );
  });

/** One accelerator the machine node offers; `index` is what the scheduler hands out. */
export interface DetectedDevice {
  type: 'nvidia' | 'ascend';
  /**
   * 0..count-1, the device index of the scheduler's placements: nvidia-smi's index for NVIDIA
   * (`CUDA_VISIBLE_DEVICES` under `CUDA_DEVICE_ORDER=PCI_BUS_ID`), the position in `npu-smi info`
   * for Ascend (the logical id of `ASCEND_RT_VISIBLE_DEVICES`).
   */
  index: number;
  name: string;
  /** Device memory: framebuffer for NVIDIA, HBM (or DDR on inference cards) for Ascend. */
  memoryTotalBytes?: number;
  memoryUsedBytes?: number;
  utilizationPercent?: number;
  /** NVIDIA: `GPU-…`. */
  uuid?: string;
  /** Ascend: card id, chip on the card and health as npu-smi prints them. */
  npuId?: number;
  chip?: number;
  health?: string;
  busId?: string;
}

export interface DetectCapacityOptions {
  /** How programs run; tests inject one. Default: `defaultRunner`. */
  run?: Runner;
  /** Default: `os.availableParallelism()`. */
  cpus?: number;
  /** Default: `os.totalmem()`. */
  memoryBytes?: number;
  /** The machine node's name. Default: `local`. */
  hostName?: string;
  /** Per program. Default: 5 s. */
  timeoutMs?: number;
}

export interface DetectedCapacity {
  node: SchedulerNode;
  /** The devices behind `node.accelerator`, by index. */
  devices: DetectedDevice[];
  /** Things an operator should know (a failing tool, an unhealthy device); never fatal. */
  warnings: string[];
}

function nvidiaDevice(gpu: NvidiaGpu, index: number): DetectedDevice {
  const device: DetectedDevice = { type: 'nvidia', index, name: gpu.name };
  if (gpu.memoryTotalBytes > 0) device.memoryTotalBytes = gpu.memoryTotalBytes;
  if (gpu.memoryUsedBytes !== undefined) device.memoryUsedBytes = gpu.memoryUsedBytes;
  if (gpu.utilizationPercent !== undefined) device.utilizationPercent = gpu.utilizationPercent;
  if (gpu.uuid !== undefined) device.uuid = gpu.uuid;
  return device;
}

function ascendDevice(npu: NpuSmiDevice, index: number): DetectedDevice {
  const device: DetectedDevice = {
    type: 'ascend',
    index,
    name: npu.name,
    npuId: npu.npuId,
    chip: npu.chip,
    health: npu.health,
  };
  const total = npu.hbmTotalBytes ?? npu.memoryTotalBytes;
  const used = npu.hbmTotalBytes !== undefined ? npu.hbmUsedBytes : npu.memoryUsedBytes;
  if (total !== undefined) device.memoryTotalBytes = total;
  if (used !== undefined) device.memoryUsedBytes = used;
  if (npu.aicorePercent !== undefined) device.utilizationPercent = npu.aicorePercent;
  if (npu.busId !== undefined) device.busId = npu.busId;
  return device;
}

/** The first line of a tool's complaint, for a one-line warning. */
function firstLine(text: string): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line === undefined ? '' : `: ${line.length > 200 ? `${line.slice(0, 197)}...` : line}`;
}

interface Probe<T> {
  found: T[];
  warnings: string[];
}

/**
 * Runs one tool and parses its output. A missing tool finds nothing and says nothing (most
 * machines have neither); a tool that fails, times out or prints nothing readable is a warning.
 */
async function probe<T>(
  run: Runner,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
  parse: (stdout: string) => T[],
  what: string,
): Promise<Probe<T>> {
  let result: RunResult;
  try {
    result = await run(cmd, args, timeoutMs);
  } catch (e) {
    return { found: [], warnings: [`${cmd} could not be run (${(e as Error).message}); no ${what} counted`] };
  }
  if ('error' in result) {
    if (result.error === 'not-found') return { found: [], warnings: [] };
    return {
      found: [],
      warnings: [
        `${cmd} ${result.error === 'timeout' ? 'timed out' : 'could not be run'} (${result.message}); no ${what} counted`,
      ],
    };
  }
  const output = `${result.stdout}\n${result.stderr}`;
  // A driver with no device behind it: nothing to count, nothing wrong.
  if (/No devices were found/i.test(output)) return { found: [], warnings: [] };
  if (result.code !== 0) {
    return {
      found: [],
      warnings: [
        `${cmd} exited with code ${result.code}${firstLine(result.stderr || result.stdout)}; no ${what} counted`,
      ],
    };
  }
  const found = parse(result.stdout);
  if (found.length === 0 && result.stdout.trim() !== '') {
    return {
      found,
      warnings: [`${cmd} printed nothing this version can read${firstLine(result.stdout)}; no ${what} counted`],
    };
  }
  return { found, warnings: [] };
}

/**
 * This machine as a scheduler node: its CPUs, its memory and the accelerators `nvidia-smi` or
 * `npu-smi` report. Never throws: what goes wrong ends up in `warnings` and the node is CPU-only.
 * A node carries one accelerator type, so when both kinds are present the more numerous is kept.
 */
export async function detectCapacity(options: DetectCapacityOptions = {}): Promise<DetectedCapacity> {
  const run = options.run ?? defaultRunner;
  const timeoutMs = options.timeoutMs ?? DETECT_TIMEOUT_MS;
  const warnings: string[] = [];

  // Started in this order, awaited together: a hung tool costs one timeout, not two.
  const [nvidia, ascend] = await Promise.all([
    probe(run, 'nvidia-smi', NVIDIA_GPU_QUERY_ARGS, timeoutMs, parseNvidiaSmiCsv, 'NVIDIA GPUs'),
    probe(run, 'npu-smi', ['info'], timeoutMs, parseNpuSmiInfo, 'Ascend NPUs'),
  ]);
  warnings.push(...nvidia.warnings, ...ascend.warnings);

  // Device indices: nvidia-smi's index order for NVIDIA, table order for Ascend (see the parsers).
  const gpus = nvidiaDeviceOrder(nvidia.found);
  let devices: DetectedDevice[] = gpus.map((gpu, index) => nvidiaDevice(gpu, index));
  const npus = ascend.found.map((npu, index) => ascendDevice(npu, index));
  if (gpus.length > 0 && npus.length > 0) {
    const keepNvidia = gpus.length >= npus.length;
    warnings.push(
      `found ${gpus.length} NVIDIA GPU(s) and ${npus.length} Ascend NPU(s); a node offers one accelerator type, ` +
        `so the ${keepNvidia ? 'NVIDIA GPUs' : 'Ascend NPUs'} are used and the others are left out`,
    );
    if (!keepNvidia) devices = npus;
  } else if (npus.length > 0) {
    devices = npus;
  }

  if (devices.some((d) => d.type === 'nvidia') && gpus.some((gpu, i) => gpu.index !== i)) {
    warnings.push(
      `nvidia-smi lists GPU indices ${gpus.map((g) => g.index).join(', ')}; they are used as 0..${gpus.length - 1}`,
    );
  }
  for (const device of devices) {
    if (device.health !== undefined && device.health.toUpperCase() !== 'OK') {
      warnings.push(
        `Ascend device ${device.index} (NPU ${device.npuId} chip ${device.chip}) reports health ${device.health || 'unknown'}; ` +
          `it is still counted: check \`npu-smi info -t health -i ${device.npuId}\``,
      );
    }
  }

  const cpu = options.cpus ?? os.availableParallelism();
  const memoryBytes = options.memoryBytes ?? os.totalmem();
  const type = devices[0]?.type ?? 'none';
  return {
    node: {
      name: options.hostName ?? LOCAL_NODE_NAME,
      cpu,
      memoryBytes,
      accelerator: { type, count: devices.length },
    },
    devices,
    warnings,
  };
}

export interface EngineCapacity {
  nodes: SchedulerNode[];
  queues: SchedulerQueue[];
  /** This machine's devices (empty when the config leaves the machine out). */
  devices: DetectedDevice[];
  warnings: string[];
}

/**
 * Everything the scheduler needs from the capacity config: this machine (detected, unless
 * `includeLocalMachine` is false) and the virtual nodes, and the queues over them. Throws
 * `CapacityConfigError` when the queues name a node that does not exist.
 */
export async function engineCapacity(
  config: EngineCapacityConfig,
  options: DetectCapacityOptions = {},
): Promise<EngineCapacity> {
  const detected = config.includeLocalMachine ? await detectCapacity(options) : undefined;
  const nodes = engineNodes(config, detected?.node);
  return {
    nodes,
    queues: schedulerQueues(config.queues, nodes),
    devices: detected?.devices ?? [],
    warnings: detected?.warnings ?? [],
  };
}
