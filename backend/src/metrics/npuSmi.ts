/**
 * Parser for the device table of `npu-smi info` (Huawei Ascend). Pure: no process is started here.
 *
 * The table gives every chip two rows: a card row (`NPU  Name | Health | Power Temp Hugepages`) and
 * a chip row (`Chip [Device|Phy-ID] | Bus-Id | AICore Memory-Usage [HBM-Usage]`). Three layouts
 * exist and are all read:
 *
 * - training cards (910A/910B): `Chip` alone, Memory-Usage (DDR) and HBM-Usage;
 * - inference cards (310P/310B): `Chip  Device` (the logical device id), Memory-Usage only;
 * - Atlas A3 (910_93): `Chip  Phy-ID`, two chips per card.
 *
 * **A device is a chip.** A card with several chips (Atlas 300I Duo: two 310P3 chips; A3: two dies)
 * repeats the card row once per chip, and each chip is its own device to the runtime:
 * `ASCEND_RT_VISIBLE_DEVICES` and `torch.npu.device_count()` count logical chips, numbered 0..n-1
 * in the order this table lists them. NPU ids are card ids and need not start at 0 (a container
 * that sees one card may list it as NPU 2, or 32896 on a 310P).
 *
 * npu-smi's "MB" are mebibytes (a 910B's `32768` HBM is 32 GiB). The process table that follows
 * the device table is not read here. `npu-smi info -m` (the chip → logical id table, which also
 * lists chips that are not devices, such as a 310P card's MCU) is read by `parseNpuSmiMapping`.
 */

const MIB = 2 ** 20;

export interface NpuSmiDevice {
  /** The card's NPU id as npu-smi prints it (not the runtime's device index). */
  npuId: number;
  /** The chip's id on its card (0, or 0/1 on two-chip cards). */
  chip: number;
  /** Chip name, e.g. `910B`, `310P3`, `Ascend910`. */
  name: string;
  /** `OK`, `Warning`, `Alarm`, `Critical`, … as printed. */
  health: string;
  /** PCI address; absent when npu-smi prints `NA` (310B). */
  busId?: string;
  /** The `Device` column of inference cards: the logical device id. */
  logicalId?: number;
  /** The `Phy-ID` column of Atlas A3 hosts: the chip's physical id. */
  phyId?: number;
  aicorePercent?: number;
  /** On-chip DDR (Memory-Usage); absent when npu-smi prints `0 / 0`. */
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  /** HBM (HBM-Usage; training cards only); absent when not printed or `0 / 0`. */
  hbmUsedBytes?: number;
  hbmTotalBytes?: number;
  /** Absent when npu-smi prints `NA` (310P) or `-` (second chip of an A3 card: power is per card). */
  powerWatts?: number;
  temperatureCelsius?: number;
}

/** The cells of a table row (`| a | b |`), trimmed; `undefined` for border and other lines. */
function cellsOf(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  return trimmed
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

function words(cell: string | undefined): string[] {
  return (cell ?? '').split(/\s+/).filter((word) => word !== '');
}

const INTEGER = /^\d+$/;

function numberOf(word: string | undefined): number | undefined {
  if (word === undefined || !/^-?\d+(?:\.\d+)?$/.test(word)) return undefined;
  return Number(word);
}

/** `used / total` pairs are printed with varying spaces (`0    / 0`, `10568/ 65536`): join them first. */
function valuesOf(cell: string | undefined): string[] {
  return words((cell ?? '').replace(/\s*\/\s*/g, '/'));
}

function usage(value: string | undefined): { used: number; total: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  if (!match) return undefined;
  const total = Number(match[2]) * MIB;
  if (total === 0) return undefined;
  return { used: Number(match[1]) * MIB, total };
}

type SecondColumn = 'logicalId' | 'phyId' | undefined;

interface CardRow {
  npuId: number;
  name: string;
  health: string;
  values: string[];
}

function chipDevice(card: CardRow, cells: string[], second: SecondColumn): NpuSmiDevice | undefined {
  const ids = words(cells[0]).map(Number);
  const chip = ids[0];
  if (chip === undefined) return undefined;
  const device: NpuSmiDevice = { npuId: card.npuId, chip, name: card.name, health: card.health };

  const busId = cells[1];
  if (busId !== undefined && /^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]$/.test(busId)) device.busId = busId;
  if (ids[1] !== undefined) device[second ?? 'logicalId'] = ids[1];

  // Chip row: AICore(%), Memory-Usage used/total, then HBM-Usage used/total where the layout has it.
  const [aicore, memory, hbm] = valuesOf(cells[2]);
  const aicorePercent = numberOf(aicore);
  if (aicorePercent !== undefined) device.aicorePercent = aicorePercent;
  const ddr = usage(memory);
  if (ddr) {
    device.memoryUsedBytes = ddr.used;
    device.memoryTotalBytes = ddr.total;
  }
  const hbmUsage = usage(hbm);
  if (hbmUsage) {
    device.hbmUsedBytes = hbmUsage.used;
    device.hbmTotalBytes = hbmUsage.total;
  }

  // Card row: Power(W), Temp(C), Hugepages-Usage(page).
  const [power, temperature] = card.values;
  const powerWatts = numberOf(power);
  if (powerWatts !== undefined) device.powerWatts = powerWatts;
  const temperatureCelsius = numberOf(temperature);
  if (temperatureCelsius !== undefined) device.temperatureCelsius = temperatureCelsius;
  return device;
}

/**
 * Every chip in the device table of `npu-smi info`, in table order, which is the runtime's logical
 * order: entry i (from 0) is device i of `ASCEND_RT_VISIBLE_DEVICES`, the index `detectCapacity`
 * counts, the scheduler hands out and per-instance metrics report. (The NPU id is a card id and the
 * `Device` column exists only on inference cards; neither is the device index.) Text without the
 * table (an error message, an empty host) gives `[]`.
 */
export function parseNpuSmiInfo(text: string): NpuSmiDevice[] {
  const devices: NpuSmiDevice[] = [];
  let inTable = false;
  let second: SecondColumn;
  let card: CardRow | undefined;

  for (const line of text.split(/\r?\n/)) {
    const cells = cellsOf(line);
    if (!cells) continue;
    const first = cells[0] ?? '';

    if (/^NPU\s+Name\b/i.test(first)) {
      inTable = true;
      card = undefined;
      continue;
    }
    if (!inTable) continue;
    if (/^NPU\s+Chip\b/i.test(first) || /^Process id$/i.test(cells[1] ?? '')) break; // the process table
    if (/^Chip\b/i.test(first)) {
      const label = words(first)[1];
      second = label === undefined ? undefined : /phy/i.test(label) ? 'phyId' : 'logicalId';
      continue;
    }
    if (cells.length < 3) continue;

    const ids = words(first);
    if (ids.length > 0 && ids.every((word) => INTEGER.test(word))) {
      // A chip row: one device, described together with the card row above it.
      if (!card) continue;
      const device = chipDevice(card, cells, second);
      if (device) devices.push(device);
    } else if (ids[0] !== undefined && INTEGER.test(ids[0]) && ids.length > 1) {
      card = {
        npuId: Number(ids[0]),
        name: ids.slice(1).join(' '),
        health: cells[1] ?? '',
        values: valuesOf(cells[2]),
      };
    }
  }
  return devices;
}

export interface NpuSmiChipMapping {
  npuId: number;
  chip: number;
  /** The runtime's device id (`ASCEND_RT_VISIBLE_DEVICES`); absent (`-`) for a chip that is not a device, e.g. a 310P card's MCU. */
  logicalId?: number;
  /** As printed, e.g. `Ascend 910A`, `Mcu`. */
  name: string;
}

/**
 * The chip table of `npu-smi info -m` (`NPU ID  Chip ID  Chip Logic ID  Chip Name`): the
 * authoritative card/chip → logical device mapping. Chips without a logic id are listed too
 * (with `logicalId` absent); only those with one are devices. Other lines are ignored, so the
 * table may sit inside a longer capture.
 */
export function parseNpuSmiMapping(text: string): NpuSmiChipMapping[] {
  const chips: NpuSmiChipMapping[] = [];
  let inTable = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*NPU ID\s+Chip ID\s+Chip Logic ID\s+Chip Name\s*$/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+|-)\s+(\S.*?)\s*$/.exec(line);
    if (!match) {
      inTable = false;
      continue;
    }
    const chip: NpuSmiChipMapping = { npuId: Number(match[1]), chip: Number(match[2]), name: match[4] ?? '' };
    if (match[3] !== '-') chip.logicalId = Number(match[3]);
    chips.push(chip);
  }
  return chips;
}
