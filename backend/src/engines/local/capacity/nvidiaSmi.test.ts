import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NVIDIA_GPU_QUERY_ARGS, parseNvidiaComputeApps, parseNvidiaSmiCsv } from '../../../metrics/nvidiaSmi.js';

const MIB = 2 ** 20;

/** A fixture's nvidia-smi output: the file without its leading `#` provenance lines. */
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

describe('parseNvidiaSmiCsv', () => {
  it('reads the default query form (noheader, nounits) with uuid, and the query args match it', () => {
    expect(NVIDIA_GPU_QUERY_ARGS).toEqual([
      '--query-gpu=index,name,uuid,memory.total,utilization.gpu,memory.used',
      '--format=csv,noheader,nounits',
    ]);
    const text = [
      '0, NVIDIA H100 80GB HBM3, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 81559, 0, 412',
      '',
      '  1 ,  NVIDIA H100 80GB HBM3 , GPU-00000000-0000-0000-0000-000000000001 , 81559 , [Not Supported] , [N/A]  ',
      '',
    ].join('\r\n');
    expect(parseNvidiaSmiCsv(text)).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1',
        memoryTotalBytes: 81559 * MIB,
        utilizationPercent: 0,
        memoryUsedBytes: 412 * MIB,
      },
      {
        index: 1,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-00000000-0000-0000-0000-000000000001',
        memoryTotalBytes: 81559 * MIB,
      },
    ]);
  });

  it('reads a header with units and picks its columns by name (H100, 12 columns)', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_h100_header.csv'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1',
        memoryTotalBytes: 81559 * MIB,
        utilizationPercent: 0,
        memoryUsedBytes: 412 * MIB,
      },
    ]);
  });

  it('tolerates [Not Supported] and a row cut short after the columns it needs (4x P100 fake)', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_p100_not-supported.csv'));
    expect(gpus).toEqual([
      {
        index: 0,
        name: 'Tesla P100-PCIE-16GB',
        memoryTotalBytes: 16280 * MIB,
        utilizationPercent: 10,
        memoryUsedBytes: 1628 * MIB,
      },
      {
        index: 1,
        name: 'Tesla P100-PCIE-16GB',
        memoryTotalBytes: 16280 * MIB,
        utilizationPercent: 30,
        memoryUsedBytes: 3256 * MIB,
      },
    ]);
  });

  it('reads headerless output with and without units given the queried fields', () => {
    const fields = ['utilization.gpu', 'temperature.gpu', 'memory.total', 'memory.used'];
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_noheader.csv'), fields)).toEqual([
      { index: 0, name: '', memoryTotalBytes: 81920 * MIB, utilizationPercent: 9, memoryUsedBytes: 55760 * MIB },
    ]);
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_noheader_nounits.csv'), fields)).toEqual([
      { index: 0, name: '', memoryTotalBytes: 81920 * MIB, utilizationPercent: 0, memoryUsedBytes: 53776 * MIB },
    ]);
  });

  it('numbers rows in order when index is not queried (RTX 5060 Ti, RTX PRO 6000, HAMi host view)', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_rtx5060ti_header.csv'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 5060 Ti',
        memoryTotalBytes: 16311 * MIB,
        utilizationPercent: 0,
        memoryUsedBytes: 1 * MIB,
      },
    ]);
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_rtxpro6000_header.csv'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA RTX PRO 6000 Blackwell Workstation Edition',
        memoryTotalBytes: 97887 * MIB,
        utilizationPercent: 64,
        memoryUsedBytes: 71977 * MIB,
      },
    ]);
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-gpu_hami-host_header.csv'))).toEqual([
      { index: 0, name: '', memoryTotalBytes: 81559 * MIB, memoryUsedBytes: 18560 * MIB },
    ]);
  });

  it('finds nothing in empty output or in an error message', () => {
    expect(parseNvidiaSmiCsv('')).toEqual([]);
    expect(parseNvidiaSmiCsv('\n  \n')).toEqual([]);
    expect(parseNvidiaSmiCsv('No devices were found\n')).toEqual([]);
    expect(
      parseNvidiaSmiCsv(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
      ),
    ).toEqual([]);
  });
});

describe('parseNvidiaComputeApps', () => {
  it('reads the default query form (pid, gpu_uuid, used_memory; noheader, nounits)', () => {
    const text = [
      '12345, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 40960',
      '',
      '12346, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, [N/A]',
    ].join('\n');
    expect(parseNvidiaComputeApps(text)).toEqual([
      { pid: 12345, gpuUuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1', usedMemoryBytes: 40960 * MIB },
      { pid: 12346, gpuUuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1' },
    ]);
  });

  it('reads the header form, where used_memory prints as used_gpu_memory, and [N/A] memory', () => {
    expect(parseNvidiaComputeApps(fixture('nvidia-smi-apps_na_header.csv'))).toEqual([
      { pid: 3032, processName: 'C:\\Windows\\System32\\dwm.exe' },
    ]);
  });

  it('finds no process in a header alone or in empty output', () => {
    expect(parseNvidiaComputeApps(fixture('nvidia-smi-apps_empty_header.csv'))).toEqual([]);
    expect(parseNvidiaComputeApps('')).toEqual([]);
  });
});
