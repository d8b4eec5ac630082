/**
 * Parsers for `nvidia-smi --query-*` CSV output. Pure: no process is started here.
 *
 * The same parser reads every form nvidia-smi prints for a query: with or without the header row
 * (`--format=csv` vs `csv,noheader`) and with or without units (`81559 MiB`, `0 %` vs `nounits`).
 * When the header is there it names the columns; otherwise the caller passes the queried fields in
 * order (the defaults are the queries `detectCapacity` runs). Values nvidia-smi cannot read
 * (`[Not Supported]`, `[N/A]`, `[Unknown Error]`, ...) become `undefined`.
 */

const MIB = 2 ** 20;

/** The GPU query `detectCapacity` runs. `uuid` is there so compute apps (`gpu_uuid`) map to an index. */
export const NVIDIA_GPU_QUERY = ['index', 'name', 'uuid', 'memory.total', 'utilization.gpu', 'memory.used'] as const;

/** The per-process query the per-instance GPU metrics (`metrics/accelerators.ts`) run. */
export const NVIDIA_COMPUTE_APPS_QUERY = ['pid', 'gpu_uuid', 'used_memory'] as const;

/**
 * Arguments for `nvidia-smi` that produce the form `parseNvidiaSmiCsv` reads with its default fields;
 * both `detectCapacity` and the per-instance GPU metrics run them.
 */
export const NVIDIA_GPU_QUERY_ARGS: readonly string[] = [
  `--query-gpu=${NVIDIA_GPU_QUERY.join(',')}`,
  '--format=csv,noheader,nounits',
];

/** Arguments for `nvidia-smi` that produce the form `parseNvidiaComputeApps` reads with its default fields. */
export const NVIDIA_COMPUTE_APPS_QUERY_ARGS: readonly string[] = [
  `--query-compute-apps=${NVIDIA_COMPUTE_APPS_QUERY.join(',')}`,
  '--format=csv,noheader,nounits',
];

export interface NvidiaGpu {
  /** nvidia-smi's index (PCI bus order); the row's position when `index` was not queried. */
  index: number;
  /** Product name; `''` when `name` was not queried. */
  name: string;
  /** `GPU-…`; present when `uuid` was queried. */
  uuid?: string;
  /** Framebuffer memory; 0 when not queried or not readable. */
  memoryTotalBytes: number;
  utilizationPercent?: number;
  memoryUsedBytes?: number;
}

/**
 * GPUs in device order: the n-th entry (from 0) is device n, the index `detectCapacity` counts and
 * the scheduler hands out (and per-instance metrics report). That is nvidia-smi's index order
 * (`CUDA_VISIBLE_DEVICES` under `CUDA_DEVICE_ORDER=PCI_BUS_ID`); where nvidia-smi's indices are not
 * 0..n-1 they are renumbered by rank.
 */
export function nvidiaDeviceOrder(gpus: readonly NvidiaGpu[]): NvidiaGpu[] {
  return [...gpus].sort((a, b) => a.index - b.index);
}

export interface NvidiaComputeApp {
  pid: number;
  /** The GPU's `GPU-…` uuid (match it with `NvidiaGpu.uuid`); present when `gpu_uuid` was queried. */
  gpuUuid?: string;
  processName?: string;
  /** `undefined` when nvidia-smi reports `[N/A]` (e.g. Windows WDDM, some containers). */
  usedMemoryBytes?: number;
}

/**
 * Column names as nvidia-smi prints them in a header differ from some query names
 * (`--query-compute-apps=used_memory` prints `used_gpu_memory [MiB]`).
 */
const HEADER_ALIASES: Readonly<Record<string, string>> = { used_gpu_memory: 'used_memory' };

/** A header cell: a field name, optionally followed by ` [unit]`. Data cells never look like this. */
const HEADER_CELL = /^([a-z][a-z0-9_.]*)(?:\s*\[[^\]]*\])?$/;

function splitCsvLine(line: string): string[] {
  // nvidia-smi separates with ", " and never quotes; the fields queried here hold no commas.
  return line.split(',').map((cell) => cell.trim());
}

interface SmiTable {
  columns: string[];
  rows: string[][];
}

function readTable(text: string, fields: readonly string[]): SmiTable {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const first = lines[0];
  if (first !== undefined) {
    const cells = splitCsvLine(first);
    const names = cells.map((cell) => HEADER_CELL.exec(cell)?.[1]);
    if (names.every((name) => name !== undefined)) {
      return {
        columns: names.map((name) => HEADER_ALIASES[name] ?? name),
        rows: lines.slice(1).map(splitCsvLine),
      };
    }
  }
  return { columns: [...fields], rows: lines.map(splitCsvLine) };
}

/** `[Not Supported]`, `[N/A]`, `N/A`, `[Unknown Error]`, empty: nothing to read. */
function isMissing(cell: string | undefined): cell is undefined {
  return cell === undefined || cell === '' || cell.startsWith('[') || /^n\/?a$/i.test(cell);
}

function numberOf(cell: string | undefined): number | undefined {
  if (isMissing(cell)) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)\s*(?:[A-Za-z%]+)?$/.exec(cell);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

const MEMORY_UNIT_BYTES: Readonly<Record<string, number>> = { KiB: 2 ** 10, MiB: MIB, GiB: 2 ** 30, B: 1 };

/** nvidia-smi reports memory in MiB (`81559` with nounits, `81559 MiB` without). */
function bytesOf(cell: string | undefined): number | undefined {
  if (isMissing(cell)) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)?$/.exec(cell);
  if (!match) return undefined;
  const unit = MEMORY_UNIT_BYTES[match[2] ?? 'MiB'];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

function textOf(cell: string | undefined): string | undefined {
  return isMissing(cell) ? undefined : cell;
}

function cellGetter(columns: readonly string[], row: readonly string[]) {
  return (field: string): string | undefined => {
    const at = columns.indexOf(field);
    return at < 0 ? undefined : row[at];
  };
}

/**
 * GPUs from `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`.
 * `fields` is the queried list, used when the output has no header row. Rows too short to hold an
 * index (when one is queried) are skipped; a row cut short after the columns read here still counts.
 */
export function parseNvidiaSmiCsv(text: string, fields: readonly string[] = NVIDIA_GPU_QUERY): NvidiaGpu[] {
  const { columns, rows } = readTable(text, fields);
  const gpus: NvidiaGpu[] = [];
  rows.forEach((row, position) => {
    const cell = cellGetter(columns, row);
    let index = position;
    if (columns.includes('index')) {
      const value = numberOf(cell('index'));
      if (value === undefined || !Number.isInteger(value) || value < 0) return;
      index = value;
    }
    const gpu: NvidiaGpu = {
      index,
      name: textOf(cell('name')) ?? '',
      memoryTotalBytes: bytesOf(cell('memory.total')) ?? 0,
    };
    const uuid = textOf(cell('uuid'));
    if (uuid !== undefined) gpu.uuid = uuid;
    const utilization = numberOf(cell('utilization.gpu'));
    if (utilization !== undefined) gpu.utilizationPercent = utilization;
    const used = bytesOf(cell('memory.used'));
    if (used !== undefined) gpu.memoryUsedBytes = used;
    gpus.push(gpu);
  });
  return gpus;
}

/**
 * Processes from `nvidia-smi --query-compute-apps=<fields> --format=csv[,noheader][,nounits]`.
 * Empty output (or a header alone) means no process uses a GPU. Rows without a pid are skipped.
 */
export function parseNvidiaComputeApps(
  text: string,
  fields: readonly string[] = NVIDIA_COMPUTE_APPS_QUERY,
): NvidiaComputeApp[] {
  const { columns, rows } = readTable(text, fields);
  const apps: NvidiaComputeApp[] = [];
  for (const row of rows) {
    const cell = cellGetter(columns, row);
    const pid = numberOf(cell('pid'));
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) continue;
    const app: NvidiaComputeApp = { pid };
    const gpuUuid = textOf(cell('gpu_uuid'));
    if (gpuUuid !== undefined) app.gpuUuid = gpuUuid;
    const processName = textOf(cell('process_name'));
    if (processName !== undefined) app.processName = processName;
    const used = bytesOf(cell('used_memory'));
    if (used !== undefined) app.usedMemoryBytes = used;
    apps.push(app);
  }
  return apps;
}
