import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createAscendSampler,
  createNvidiaSampler,
  execFileRunner,
  parseNpuSmiInfo,
  parseNvidiaComputeApps,
  parseNvidiaGpus,
  type CommandRunner,
} from './accelerators.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)), 'utf8');
const MIB = 1024 * 1024;

// `--format=csv,noheader,nounits` output as nvidia-smi prints it: ", " separated, "[N/A]" for
// values it cannot read. Two training processes of one instance on GPUs 0 and 1, one of another
// instance on GPU 2, and a process of nobody we sample on GPU 0.
const COMPUTE_APPS = `4101, 30512, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1
4102, 30488, GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11
5200, [N/A], GPU-9c2d7e45-55aa-4d0e-b1a3-6e4f1d2c3b4a
777, 512, GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1
`;
const GPUS = `GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1, 0, 97
GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11, 1, 88
GPU-9c2d7e45-55aa-4d0e-b1a3-6e4f1d2c3b4a, 2, [N/A]
GPU-77777777-0000-4000-8000-000000000000, 3, 0
`;

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
  it('parses both queries, skipping blank and malformed lines', () => {
    expect(parseNvidiaComputeApps(COMPUTE_APPS)).toEqual([
      { pid: 4101, usedMemoryMiB: 30512, gpuUuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1' },
      { pid: 4102, usedMemoryMiB: 30488, gpuUuid: 'GPU-0b6c35d3-1c7e-4f43-8a57-2a8e6f0b9c11' },
      { pid: 5200, usedMemoryMiB: undefined, gpuUuid: 'GPU-9c2d7e45-55aa-4d0e-b1a3-6e4f1d2c3b4a' },
      { pid: 777, usedMemoryMiB: 512, gpuUuid: 'GPU-3a1f9e02-4c11-4b8a-9e2d-7f6b1c0a55e1' },
    ]);
    expect(parseNvidiaComputeApps('\nNo running processes found\n')).toEqual([]);
    expect(parseNvidiaGpus(GPUS).map((gpu) => [gpu.index, gpu.utilizationPercent])).toEqual([
      [0, 97],
      [1, 88],
      [2, undefined],
      [3, 0],
    ]);
  });

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
      ['nvidia-smi', '--query-compute-apps=pid,used_memory,gpu_uuid', '--format=csv,noheader,nounits', 1234],
      ['nvidia-smi', '--query-gpu=uuid,index,utilization.gpu', '--format=csv,noheader,nounits', 1234],
    ]);
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
  it('parses the 910B table of an 8-card host', () => {
    const chips = parseNpuSmiInfo(fixture('npu-smi-info_910B_x8_v24.1.0.txt'));
    expect(chips).toHaveLength(8);
    expect(chips[0]).toEqual({
      npuId: 0,
      chipId: 0,
      name: '910B',
      health: 'OK',
      aicorePercent: 0,
      memoryUsedMiB: 1197,
      memoryTotalMiB: 13553,
      hbmUsedMiB: 1365,
      hbmTotalMiB: 32768,
    });
    expect(chips.map((chip) => chip.npuId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chips[7]?.memoryUsedMiB).toBe(1777);
  });

  it('parses the 310P layout (a Device column, no HBM) and stops at the process table', () => {
    expect(parseNpuSmiInfo(fixture('npu-smi-info_310P3_v25.3.rc1.txt'))).toEqual([
      {
        npuId: 6,
        chipId: 0,
        deviceId: 0,
        name: '310P3',
        health: 'OK',
        aicorePercent: 0,
        memoryUsedMiB: 1839,
        memoryTotalMiB: 21525,
      },
    ]);
  });

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

  it('a missing npu-smi means no accelerator metrics', async () => {
    const usage = await createAscendSampler({ run: missing }).sample([{ key: 'a', pids: [1], devices: [0] }]);
    expect(usage.size).toBe(0);
  });
});
