import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpuSmiInfo, parseNpuSmiMapping } from '../../../metrics/npuSmi.js';

const MIB = 2 ** 20;

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

describe('parseNpuSmiInfo', () => {
  it('reads an 8-card 910 host: one chip per card, DDR and HBM', () => {
    const devices = parseNpuSmiInfo(fixture('npu-smi-info_910B_x8_v24.1.0.txt'));
    expect(devices).toHaveLength(8);
    expect(devices.map((d) => d.npuId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(devices.every((d) => d.chip === 0 && d.name === '910B' && d.health === 'OK')).toBe(true);
    expect(devices[0]).toEqual({
      npuId: 0,
      chip: 0,
      name: '910B',
      health: 'OK',
      busId: '0000:C1:00.0',
      aicorePercent: 0,
      memoryUsedBytes: 1197 * MIB,
      memoryTotalBytes: 13553 * MIB,
      hbmUsedBytes: 1365 * MIB,
      hbmTotalBytes: 32768 * MIB,
      powerWatts: 70,
      temperatureCelsius: 34,
    });
    expect(devices[7]?.busId).toBe('0000:02:00.0');
  });

  it('reads a single 910B4 whose NPU id is 2, with DDR 0 / 0 left out', () => {
    expect(parseNpuSmiInfo(fixture('npu-smi-info_910B4_single.txt'))).toEqual([
      {
        npuId: 2,
        chip: 0,
        name: '910B4',
        health: 'OK',
        busId: '0000:C2:00.0',
        aicorePercent: 0,
        hbmUsedBytes: 2858 * MIB,
        hbmTotalBytes: 32768 * MIB,
        powerWatts: 88.9,
        temperatureCelsius: 39,
      },
    ]);
  });

  it('reads the inference layout (Chip  Device, no HBM column) of a 310P3 card with one chip', () => {
    expect(parseNpuSmiInfo(fixture('npu-smi-info_310P3_v25.3.rc1.txt'))).toEqual([
      {
        npuId: 6,
        chip: 0,
        logicalId: 0,
        name: '310P3',
        health: 'OK',
        busId: '0000:84:00.0',
        aicorePercent: 0,
        memoryUsedBytes: 1839 * MIB,
        memoryTotalBytes: 21525 * MIB,
        temperatureCelsius: 50,
      },
    ]);
  });

  it('counts each chip of a two-chip 310P3 card as a device (2 cards x 2 chips = 4)', () => {
    const devices = parseNpuSmiInfo(fixture('npu-smi-info_310P3-duo-x2_v24.1.0.1.txt'));
    expect(devices.map((d) => [d.npuId, d.chip, d.logicalId])).toEqual([
      [1, 0, 0],
      [1, 1, 1],
      [2, 0, 2],
      [2, 1, 3],
    ]);
    expect(devices.map((d) => d.memoryTotalBytes)).toEqual([44280, 43693, 44280, 43693].map((mb) => mb * MIB));
    expect(devices[0]?.memoryUsedBytes).toBe(16302 * MIB);
    // The process table after the device table (rows like "| 1  0 | 3277562 | ...") is not a device.
    expect(devices).toHaveLength(4);
  });

  it('counts each die of an Atlas A3 card (Chip  Phy-ID layout) and keeps per-card power on the first', () => {
    const devices = parseNpuSmiInfo(fixture('npu-smi-info_910-A3-dual-chip_v25.2.0.txt'));
    expect(devices.map((d) => [d.npuId, d.chip, d.phyId])).toEqual([
      [0, 0, 0],
      [0, 1, 1],
      [1, 0, 2],
      [1, 1, 3],
    ]);
    expect(devices.map((d) => d.powerWatts)).toEqual([162.8, undefined, 167.1, undefined]);
    expect(devices[3]).toMatchObject({ hbmUsedBytes: 10568 * MIB, hbmTotalBytes: 65536 * MIB, busId: '0000:39:00.0' });
    expect(devices.every((d) => d.logicalId === undefined)).toBe(true);
  });

  it('reads what the MindCluster docs show (NPUs 0-6 elided with "...") and stops at the process table', () => {
    expect(parseNpuSmiInfo(fixture('npu-smi-info_mindcluster-docs_v24.1.rc1.txt'))).toEqual([
      {
        npuId: 7,
        chip: 0,
        name: 'xxx',
        health: 'OK',
        busId: '0000:3D:00.0',
        aicorePercent: 0,
        memoryUsedBytes: 2505 * MIB,
        memoryTotalBytes: 15567 * MIB,
        hbmTotalBytes: 32768 * MIB,
        hbmUsedBytes: 0,
        powerWatts: 67,
        temperatureCelsius: 44,
      },
    ]);
  });

  it('keeps an unhealthy device with its health, tolerates trailing spaces and a Bus-Id of NA', () => {
    expect(parseNpuSmiInfo(fixture('npu-smi-info_310B4-alarm_v23.0.0.txt'))).toEqual([
      {
        npuId: 0,
        chip: 0,
        logicalId: 0,
        name: '310B4',
        health: 'Alarm',
        aicorePercent: 0,
        memoryUsedBytes: 3628 * MIB,
        memoryTotalBytes: 15609 * MIB,
        powerWatts: 0,
        temperatureCelsius: 65,
      },
    ]);
  });

  it('finds nothing in text without the device table', () => {
    expect(parseNpuSmiInfo('')).toEqual([]);
    expect(parseNpuSmiInfo('dcmi module initialize failed. ret is -8005\n')).toEqual([]);
    // A fault-diagnosis capture of other npu-smi commands (-m, -t usages, -t board) and an empty `npu-smi info`.
    expect(parseNpuSmiInfo(fixture('npu-smi-kv-outputs_mindcluster-faultdiag-fixture.txt'))).toEqual([]);
  });

  it('reads CRLF line endings', () => {
    const text = fixture('npu-smi-info_910B_x8_v24.1.0.txt').replace(/\n/g, '\r\n');
    expect(parseNpuSmiInfo(text)).toHaveLength(8);
  });
});

describe('parseNpuSmiMapping', () => {
  it('reads the chip table of npu-smi info -m inside a longer capture (8 x 910A)', () => {
    const chips = parseNpuSmiMapping(fixture('npu-smi-kv-outputs_mindcluster-faultdiag-fixture.txt'));
    expect(chips).toHaveLength(8);
    expect(chips[0]).toEqual({ npuId: 0, chip: 0, logicalId: 0, name: 'Ascend 910A' });
    expect(chips.map((c) => c.logicalId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("lists a 310P card's MCU without a logic id: one device, not two", () => {
    const chips = parseNpuSmiMapping(fixture('npu-smi-info-m_310P3-mcu_v25.5.2.txt'));
    expect(chips).toEqual([
      { npuId: 32896, chip: 0, logicalId: 0, name: 'Ascend 310P3' },
      { npuId: 32896, chip: 1, name: 'Mcu' },
    ]);
    expect(chips.filter((c) => c.logicalId !== undefined)).toHaveLength(1);
  });
});
