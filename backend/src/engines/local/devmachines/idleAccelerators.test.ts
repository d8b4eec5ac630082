import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAscendSampler, createNvidiaSampler, type CommandRunner } from '../metrics/accelerators.js';
import { acceleratorPercent, ProcessTreeSampler } from './idleSampler.js';

/*
 * Accelerator utilisation for idle policies, read as job metrics read it: the vendors' tools'
 * output (nvidia-smi as it prints, npu-smi from a real card's output) through the real parsers,
 * the processes of a real tree (this test's own) found by pid.
 */

const npuSmi = readFileSync(new URL('../capacity/fixtures/npu-smi-info_910B_x8_v24.1.0.txt', import.meta.url), 'utf8');

function nvidiaSmi(pid: number): CommandRunner {
  const apps = `${pid}, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 30512\n777, GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11, 512\n`;
  const gpus = `0, NVIDIA H100 80GB HBM3, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 81559, 64, 31024
1, NVIDIA H100 80GB HBM3, GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11, 81559, 99, 30488
`;
  return (_file, args) => Promise.resolve(args[0]?.startsWith('--query-compute-apps') ? apps : gpus);
}

describe('accelerator use for idle policies', () => {
  it('is the utilisation of the GPUs its processes are on (NVIDIA), not of others', async () => {
    const tree = new ProcessTreeSampler();
    tree.sample([process.pid]);
    expect(tree.pids).toContain(process.pid);
    const samplers = [createNvidiaSampler({ run: nvidiaSmi(process.pid) }), createAscendSampler({ run: nvidiaSmi(0) })];
    // GPU 0 runs one of this tree's processes (64%); GPU 1 (99%) runs someone else's.
    expect(await acceleratorPercent(samplers, { kind: 'nvidia', devices: [0] }, tree.pids)).toBe(64);
    expect(await acceleratorPercent(samplers, { kind: 'nvidia', devices: [0] }, [424242])).toBeUndefined();
  });

  it('is the AICore use of the NPUs it holds (Ascend), by the scheduler’s device numbers', async () => {
    const samplers = [createAscendSampler({ run: () => Promise.resolve(npuSmi) })];
    const all = await acceleratorPercent(samplers, { kind: 'ascend', devices: [0, 1, 2, 3, 4, 5, 6, 7] }, []);
    const first = await acceleratorPercent(samplers, { kind: 'ascend', devices: [0] }, []);
    // The card was idle when its output was taken: every chip's AICore reads 0 (and not "none").
    expect(all).toBe(0);
    expect(first).toBe(0);
    expect(await acceleratorPercent(samplers, { kind: 'ascend', devices: [99] }, [])).toBeUndefined();
  });

  it('is not looked at without accelerators, or without the vendor’s tool', async () => {
    const missing: CommandRunner = () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
    expect(
      await acceleratorPercent([createNvidiaSampler({ run: missing })], { kind: 'nvidia', devices: [0] }, [1]),
    ).toBeUndefined();
    expect(await acceleratorPercent([createNvidiaSampler({ run: nvidiaSmi(1) })], undefined, [1])).toBeUndefined();
    expect(await acceleratorPercent([], { kind: 'ascend', devices: [0] }, [1])).toBeUndefined();
  });
});
