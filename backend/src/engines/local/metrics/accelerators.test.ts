import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectCapacity, type RunResult } from '../capacity/detectCapacity.js';
import { parseNpuSmiInfo } from '../../../metrics/npuSmi.js';
import { parseNvidiaComputeApps, parseNvidiaSmiCsv } from '../../../metrics/nvidiaSmi.js';
import {
  ascendUsage,
  createAscendSampler,
  createNvidiaSampler,
  execFileRunner,
  nvidiaUsage,
  type CommandRunner,
} from './accelerators.js';

/** npu-smi output is shared with the capacity parsers' tests: one copy, in `capacity/fixtures/`. */
const fixture = (name: string) => readFileSync(new URL(`../capacity/fixtures/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;

// `--format=csv,noheader,nounits` output of the queries capacity runs (`NVIDIA_COMPUTE_APPS_QUERY`,
// `NVIDIA_GPU_QUERY`) as nvidia-smi prints it: ", " separated, "[N/A]" for values it cannot read.
// Two training processes of one instance on GPUs 0 and 1, one of another instance on GPU 2, and a
// process of nobody we sample on GPU 0.
const COMPUTE_APPS = `4101, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 30512
4102, GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11, 30488
5200, GPU-9c2d7e45-55aa-4d0e-b1a3-6e4f1d2c3b4a, [N/A]
777, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 512
`;
const GPUS = `0, NVIDIA H100 80GB HBM3, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 81559, 97, 31024
1, NVIDIA H100 80GB HBM3, GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11, 81559, 88, 30488
2, NVIDIA H100 80GB HBM3, GPU-9c2d7e45-55aa-4d0e-b1a3-6e4f1d2c3b4a, 81559, [N/A], [N/A]
3, NVIDIA H100 80GB HBM3, GPU-77777777-0000-4000-8000-000000000000, 81559, 0, 0
`;

/** What `detectCapacity` makes of `text` printed by `tool` (and nothing from the other tool). */
async function capacityDevices(tool: 'nvidia-smi' | 'npu-smi', text: string) {
  const run = (cmd: string): Promise<RunResult> =>
    Promise.resolve(
      cmd === tool ? { code: 0, stdout: text, stderr: '' } : { error: 'not-found', message: `${cmd} is not installed` },
    );
  const { devices, warnings } = await detectCapacity({ run, cpus: 1, memoryBytes: 1 });
  return { devices, warnings };
}

/** A runner that answers from a table and records what it was asked. */
function fakeRunner(answers: (args: readonly string[]) => string) {
  const calls: { file: string; args: readonly string[]; timeoutMs: number }[] = [];
  const run: CommandRunner = (file, args, { timeoutMs }) => {
    calls.push({ file, args, timeoutMs });
    return Promise.resolve(answers(args));
  };
  return { run, calls };
}

const missing: CommandRunner = () =>
  Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }));

describe('nvidia', () => {
  it('maps the pids of each instance to its devices, their mean utilisation and its memory', async () => {
    const { run, calls } = fakeRunner((args) => (args[0]?.startsWith('--query-compute-apps') ? COMPUTE_APPS : GPUS));
    const sampler = createNvidiaSampler({ run, timeoutMs: 1234 });
    const usage = await sampler.sample([
      { key: 'a', pids: [4100, 4101, 4102] },
      { key: 'b', pids: [5200] },
      { key: 'idle', pids: [6000] },
    ]);
    expect(usage.get('a')).toEqual({ devices: [0, 1], utilizationPercent: 92.5, memoryBytes: (30512 + 30488) * MIB });
    expect(usage.get('b')).toEqual({ devices: [2] }); // utilisation and memory both [N/A]
    expect(usage.get('idle')).toEqual({ devices: [], memoryBytes: 0 });
    expect(calls.map((call) => [call.file, ...call.args, call.timeoutMs])).toEqual([
      ['nvidia-smi', '--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits', 1234],
      [
        'nvidia-smi',
        '--query-gpu=index,name,uuid,memory.total,utilization.gpu,memory.used',
        '--format=csv,noheader,nounits',
        1234,
      ],
    ]);
  });

  it("numbers GPUs as capacity does (the scheduler's indices), matching processes by uuid", async () => {
    // nvidia-smi indices with a gap, listed out of order: capacity counts them 0..n-1 by rank.
    const gpus = [
      '4, NVIDIA A100-SXM4-80GB, GPU-dddddddd-0000-4000-8000-000000000004, 81920, 40, 1000',
      '0, NVIDIA A100-SXM4-80GB, GPU-aaaaaaaa-0000-4000-8000-000000000000, 81920, 10, 1000',
      '1, NVIDIA A100-SXM4-80GB, GPU-bbbbbbbb-0000-4000-8000-000000000001, 81920, 20, 1000',
    ].join('\n');
    const apps =
      '900, GPU-dddddddd-0000-4000-8000-000000000004, 2048\n901, GPU-aaaaaaaa-0000-4000-8000-000000000000, 1024\n';
    const { devices } = await capacityDevices('nvidia-smi', gpus);
    expect(devices.map((d) => [d.index, d.uuid])).toEqual([
      [0, 'GPU-aaaaaaaa-0000-4000-8000-000000000000'],
      [1, 'GPU-bbbbbbbb-0000-4000-8000-000000000001'],
      [2, 'GPU-dddddddd-0000-4000-8000-000000000004'],
    ]);
    const usage = nvidiaUsage(
      [
        { key: 'a', pids: [900] },
        { key: 'b', pids: [900, 901] },
      ],
      parseNvidiaComputeApps(apps),
      parseNvidiaSmiCsv(gpus),
    );
    expect(usage.get('a')).toEqual({ devices: [2], utilizationPercent: 40, memoryBytes: 2048 * MIB });
    expect(usage.get('b')).toEqual({ devices: [0, 2], utilizationPercent: 25, memoryBytes: 3072 * MIB });
  });

  it('a missing binary means no accelerator metrics, and it is not looked for again', async () => {
    let calls = 0;
    const errors: Error[] = [];
    const sampler = createNvidiaSampler({
      run: (...args) => {
        calls++;
        return missing(...args);
      },
      onError: (error) => errors.push(error),
    });
    expect((await sampler.sample([{ key: 'a', pids: [1] }])).size).toBe(0);
    expect((await sampler.sample([{ key: 'a', pids: [1] }])).size).toBe(0);
    expect(calls).toBe(2); // the two queries of the first sample, none after
    expect(errors).toEqual([]);
  });

  it('a real missing binary through execFile is the same', async () => {
    const sampler = createNvidiaSampler({ binary: '/nonexistent/nvidia-smi' });
    expect((await sampler.sample([{ key: 'a', pids: [1] }])).size).toBe(0);
  });

  it('other failures are reported and give no metrics; no queries, no process', async () => {
    const errors: Error[] = [];
    let calls = 0;
    const sampler = createNvidiaSampler({
      run: () => {
        calls++;
        return Promise.reject(new Error('NVIDIA-SMI has failed because it could not communicate with the driver'));
      },
      onError: (error) => errors.push(error),
    });
    expect((await sampler.sample([])).size).toBe(0);
    expect(calls).toBe(0);
    expect((await sampler.sample([{ key: 'a', pids: [1] }])).size).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/driver/);
  });

  it('execFileRunner runs without a shell and returns stdout', async () => {
    expect(await execFileRunner('echo', ['$HOME', 'a b'], { timeoutMs: 5_000 })).toBe('$HOME a b\n');
  });
});

describe('ascend', () => {
  it('gives each instance the mean AICore% and HBM use of the devices it holds', async () => {
    // The fixture's AICore column is all 0: make devices 2 and 3 busy.
    const text = fixture('npu-smi-info_910B_x8_v24.1.0.txt')
      .replace('| 0           2306 / 15665      4    / 32768', '| 80          2306 / 15665      30000 / 32768')
      .replace('| 0           2472 / 15567      3    / 32768', '| 60          2472 / 15567      20000 / 32768');
    const { run, calls } = fakeRunner(() => text);
    const usage = await createAscendSampler({ run }).sample([
      { key: 'a', pids: [1], devices: [3, 2] },
      { key: 'b', pids: [2], devices: [0] },
      { key: 'c', pids: [3], devices: [42] },
      { key: 'd', pids: [4] },
    ]);
    expect(usage.get('a')).toEqual({ devices: [2, 3], utilizationPercent: 70, memoryBytes: 50000 * MIB });
    expect(usage.get('b')).toEqual({ devices: [0], utilizationPercent: 0, memoryBytes: 1365 * MIB });
    expect(usage.get('c')).toEqual({ devices: [] });
    expect(usage.get('d')).toEqual({ devices: [] });
    expect(calls.map((call) => [call.file, ...call.args])).toEqual([['npu-smi', 'info']]);
  });

  it('uses Memory-Usage where there is no HBM column', async () => {
    const { run } = fakeRunner(() => fixture('npu-smi-info_310P3_v25.3.rc1.txt'));
    const usage = await createAscendSampler({ run }).sample([{ key: 'a', pids: [1], devices: [0] }]);
    expect(usage.get('a')).toEqual({ devices: [0], utilizationPercent: 0, memoryBytes: 1839 * MIB });
  });

  it('maps device ids to chips as capacity numbers them: two-chip 310P3 cards are two devices each', async () => {
    const text = fixture('npu-smi-info_310P3-duo-x2_v24.1.0.1.txt');
    const { devices } = await capacityDevices('npu-smi', text);
    expect(devices.map((d) => [d.index, d.npuId, d.chip])).toEqual([
      [0, 1, 0],
      [1, 1, 1],
      [2, 2, 0],
      [3, 2, 1],
    ]);
    const { run } = fakeRunner(() => text);
    const usage = await createAscendSampler({ run }).sample([
      { key: 'a', pids: [1], devices: [2, 1] },
      { key: 'b', pids: [2], devices: [3, 4] },
    ]);
    // Device 1 is NPU 1's second chip, device 2 NPU 2's first: DDR (Memory-Usage) on these cards.
    expect(usage.get('a')).toEqual({ devices: [1, 2], utilizationPercent: 0, memoryBytes: (15543 + 35563) * MIB });
    expect(usage.get('b')).toEqual({ devices: [3], utilizationPercent: 0, memoryBytes: 35204 * MIB });
    // Each device's figures are the ones capacity reports for the same index.
    const chips = parseNpuSmiInfo(text);
    for (const device of devices) {
      const own = ascendUsage([{ key: 'x', pids: [], devices: [device.index] }], chips).get('x');
      expect(own).toEqual({
        devices: [device.index],
        utilizationPercent: device.utilizationPercent,
        memoryBytes: device.memoryUsedBytes,
      });
    }
  });

  it('goes by table position, not NPU ids: repeated ids (A3, Chip Phy-ID) and ids not from 0 (910B4 as NPU 2)', async () => {
    const a3 = fixture('npu-smi-info_910-A3-dual-chip_v25.2.0.txt');
    expect((await capacityDevices('npu-smi', a3)).devices.map((d) => [d.index, d.npuId, d.chip])).toEqual([
      [0, 0, 0],
      [1, 0, 1],
      [2, 1, 0],
      [3, 1, 1],
    ]);
    const usage = ascendUsage(
      [
        { key: 'card0', pids: [], devices: [0, 1] },
        { key: 'last', pids: [], devices: [3] },
      ],
      parseNpuSmiInfo(a3),
    );
    expect(usage.get('card0')).toEqual({ devices: [0, 1], utilizationPercent: 0, memoryBytes: (3133 + 2876) * MIB });
    expect(usage.get('last')).toEqual({ devices: [3], utilizationPercent: 0, memoryBytes: 10568 * MIB });

    const single = parseNpuSmiInfo(fixture('npu-smi-info_910B4_single.txt'));
    expect(single.map((chip) => chip.npuId)).toEqual([2]);
    const one = ascendUsage(
      [
        { key: 'zero', pids: [], devices: [0] },
        { key: 'npu-id', pids: [], devices: [2] },
      ],
      single,
    );
    expect(one.get('zero')).toEqual({ devices: [0], utilizationPercent: 0, memoryBytes: 2858 * MIB });
    expect(one.get('npu-id')).toEqual({ devices: [] });
  });

  it('a missing npu-smi means no accelerator metrics', async () => {
    const usage = await createAscendSampler({ run: missing }).sample([{ key: 'a', pids: [1], devices: [0] }]);
    expect(usage.size).toBe(0);
  });
});
