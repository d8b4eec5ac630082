import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { CapacityConfigError, EngineCapacityConfigSchema } from './config.js';
import { defaultRunner, detectCapacity, engineCapacity, type RunResult, type Runner } from './detectCapacity.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

const NOT_FOUND: RunResult = { error: 'not-found', message: 'not installed' };
const ok = (stdout: string): RunResult => ({ code: 0, stdout, stderr: '' });

interface Call {
  cmd: string;
  args: readonly string[];
  timeoutMs: number;
}

/** A runner that answers per program and records what it was asked to run. */
function fakeRunner(answers: Partial<Record<'nvidia-smi' | 'npu-smi', RunResult | Error>>): {
  run: Runner;
  calls: Call[];
} {
  const calls: Call[] = [];
  const run: Runner = (cmd, args, timeoutMs) => {
    calls.push({ cmd, args, timeoutMs });
    const answer = answers[cmd as 'nvidia-smi' | 'npu-smi'] ?? NOT_FOUND;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { run, calls };
}

const fixed = { cpus: 32, memoryBytes: 256 * GIB };

const TWO_H100 = [
  '0, NVIDIA H100 80GB HBM3, GPU-aaaaaaaa-0000-0000-0000-000000000000, 81559, 3, 412',
  '1, NVIDIA H100 80GB HBM3, GPU-bbbbbbbb-0000-0000-0000-000000000000, 81559, [N/A], 0',
  '',
].join('\n');

describe('detectCapacity', () => {
  it('runs nvidia-smi with the GPU query, then npu-smi info, with no shell and a 5 s timeout', async () => {
    const { run, calls } = fakeRunner({});
    await detectCapacity({ run, ...fixed });
    expect(calls).toEqual([
      {
        cmd: 'nvidia-smi',
        args: ['--query-gpu=index,name,uuid,memory.total,utilization.gpu,memory.used', '--format=csv,noheader,nounits'],
        timeoutMs: 5000,
      },
      { cmd: 'npu-smi', args: ['info'], timeoutMs: 5000 },
    ]);
  });

  it('gives a CPU-only node named local, without warnings, when neither tool is installed', async () => {
    const { run } = fakeRunner({});
    expect(await detectCapacity({ run, ...fixed })).toEqual({
      node: { name: 'local', cpu: 32, memoryBytes: 256 * GIB, accelerator: { type: 'none', count: 0 } },
      devices: [],
      warnings: [],
    });
    const named = await detectCapacity({ run, ...fixed, hostName: 'gpu01' });
    expect(named.node.name).toBe('gpu01');
  });

  it('counts NVIDIA GPUs', async () => {
    const { run } = fakeRunner({ 'nvidia-smi': ok(TWO_H100) });
    const result = await detectCapacity({ run, ...fixed });
    expect(result.node.accelerator).toEqual({ type: 'nvidia', count: 2 });
    expect(result.devices).toEqual([
      {
        type: 'nvidia',
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-aaaaaaaa-0000-0000-0000-000000000000',
        memoryTotalBytes: 81559 * MIB,
        memoryUsedBytes: 412 * MIB,
        utilizationPercent: 3,
      },
      {
        type: 'nvidia',
        index: 1,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-bbbbbbbb-0000-0000-0000-000000000000',
        memoryTotalBytes: 81559 * MIB,
        memoryUsedBytes: 0,
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('counts every chip npu-smi lists as an Ascend device, indexed 0..n-1 whatever the NPU ids', async () => {
    const { run } = fakeRunner({ 'npu-smi': ok(fixture('npu-smi-info_310P3-duo-x2_v24.1.0.1.txt')) });
    const result = await detectCapacity({ run, ...fixed });
    expect(result.node.accelerator).toEqual({ type: 'ascend', count: 4 });
    expect(result.devices.map((d) => [d.index, d.npuId, d.chip])).toEqual([
      [0, 1, 0],
      [1, 1, 1],
      [2, 2, 0],
      [3, 2, 1],
    ]);
    expect(result.devices[0]).toMatchObject({
      type: 'ascend',
      name: '310P3',
      health: 'OK',
      memoryTotalBytes: 44280 * MIB,
      memoryUsedBytes: 16302 * MIB,
      busId: '0000:01:00.0',
    });
    expect(result.warnings).toEqual([]);

    const single = await detectCapacity({
      run: fakeRunner({ 'npu-smi': ok(fixture('npu-smi-info_910B4_single.txt')) }).run,
      ...fixed,
    });
    expect(single.devices).toEqual([
      {
        type: 'ascend',
        index: 0,
        name: '910B4',
        npuId: 2,
        chip: 0,
        health: 'OK',
        memoryTotalBytes: 32768 * MIB,
        memoryUsedBytes: 2858 * MIB,
        utilizationPercent: 0,
        busId: '0000:C2:00.0',
      },
    ]);
  });

  it('counts an unhealthy NPU but warns about it', async () => {
    const { run } = fakeRunner({ 'npu-smi': ok(fixture('npu-smi-info_310B4-alarm_v23.0.0.txt')) });
    const result = await detectCapacity({ run, ...fixed });
    expect(result.node.accelerator).toEqual({ type: 'ascend', count: 1 });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/device 0 \(NPU 0 chip 0\) reports health Alarm/);
  });

  it('keeps the kind with more devices when both are present, and warns', async () => {
    const { run } = fakeRunner({
      'nvidia-smi': ok(TWO_H100),
      'npu-smi': ok(fixture('npu-smi-info_910B_x8_v24.1.0.txt')),
    });
    const result = await detectCapacity({ run, ...fixed });
    expect(result.node.accelerator).toEqual({ type: 'ascend', count: 8 });
    expect(result.devices.every((d) => d.type === 'ascend')).toBe(true);
    expect(result.warnings).toEqual([
      'found 2 NVIDIA GPU(s) and 8 Ascend NPU(s); a node offers one accelerator type, so the Ascend NPUs are used and the others are left out',
    ]);

    const tie = await detectCapacity({
      run: fakeRunner({
        'nvidia-smi': ok(TWO_H100.split('\n')[0] ?? ''),
        'npu-smi': ok(fixture('npu-smi-info_910B4_single.txt')),
      }).run,
      ...fixed,
    });
    expect(tie.node.accelerator).toEqual({ type: 'nvidia', count: 1 });
    expect(tie.warnings[0]).toMatch(/1 NVIDIA GPU\(s\) and 1 Ascend NPU\(s\).*the NVIDIA GPUs are used/);
  });

  it('turns a failing, hanging, unreadable or throwing tool into a warning and a CPU-only node', async () => {
    const cases: [RunResult | Error, RegExp][] = [
      [
        {
          code: 9,
          stdout:
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
          stderr: '',
        },
        /^nvidia-smi exited with code 9: NVIDIA-SMI has failed because .*; no NVIDIA GPUs counted$/,
      ],
      [
        { error: 'timeout', message: 'nvidia-smi ran longer than 5000 ms' },
        /^nvidia-smi timed out \(.*\); no NVIDIA GPUs counted$/,
      ],
      [
        { error: 'permission', message: 'spawn nvidia-smi EACCES' },
        /^nvidia-smi could not be run \(spawn nvidia-smi EACCES\)/,
      ],
      [ok('something, else, entirely\n'), /^nvidia-smi printed nothing this version can read: something, else/],
      [new Error('boom'), /^nvidia-smi could not be run \(boom\)/],
    ];
    for (const [answer, warning] of cases) {
      const result = await detectCapacity({ run: fakeRunner({ 'nvidia-smi': answer }).run, ...fixed });
      expect(result.node.accelerator).toEqual({ type: 'none', count: 0 });
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(warning);
    }
  });

  it('treats "No devices were found" as no GPUs, not as a failure', async () => {
    const { run } = fakeRunner({ 'nvidia-smi': { code: 6, stdout: 'No devices were found\n', stderr: '' } });
    const result = await detectCapacity({ run, ...fixed });
    expect(result.node.accelerator).toEqual({ type: 'none', count: 0 });
    expect(result.warnings).toEqual([]);
  });

  it('with the real runner on this machine (no nvidia-smi, no npu-smi): a CPU-only local node from os', async () => {
    const result = await detectCapacity();
    expect(result).toEqual({
      node: {
        name: 'local',
        cpu: os.availableParallelism(),
        memoryBytes: os.totalmem(),
        accelerator: { type: 'none', count: 0 },
      },
      devices: [],
      warnings: [],
    });
  });
});

describe('defaultRunner', () => {
  it('reports a missing program as not-found, and runs a real one without a shell', async () => {
    expect(await defaultRunner('aiplat-no-such-program', ['x'], 5000)).toMatchObject({ error: 'not-found' });
    expect(await defaultRunner(process.execPath, ['-e', 'process.stdout.write("a $HOME b")'], 5000)).toEqual({
      code: 0,
      stdout: 'a $HOME b',
      stderr: '',
    });
    expect(await defaultRunner(process.execPath, ['-e', 'process.stderr.write("bad"); process.exit(3)'], 5000)).toEqual(
      { code: 3, stdout: '', stderr: 'bad' },
    );
  });

  it('reports a program that outlives its timeout as timeout', async () => {
    expect(await defaultRunner(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], 200)).toMatchObject({
      error: 'timeout',
    });
  });
});

describe('engineCapacity', () => {
  it('puts the detected machine first, then the virtual nodes, and builds the queues over them', async () => {
    const config = EngineCapacityConfigSchema.parse({
      virtualNodes: [{ name: 'gpu', count: 2, cpu: 64, memory: '512Gi', accelerator: { type: 'nvidia', count: 8 } }],
      queues: [{ name: 'default' }, { name: 'big', policy: 2, nodes: ['gpu-0', 'gpu-1'], preemption: false }],
    });
    const capacity = await engineCapacity(config, { run: fakeRunner({}).run, ...fixed });
    expect(capacity.nodes.map((n) => n.name)).toEqual(['local', 'gpu-0', 'gpu-1']);
    expect(capacity.queues).toEqual([
      { name: 'default', policy: 1, nodes: ['local', 'gpu-0', 'gpu-1'], preemption: true },
      { name: 'big', policy: 2, nodes: ['gpu-0', 'gpu-1'], preemption: false },
    ]);
    expect(capacity.warnings).toEqual([]);
  });

  it('does not probe the machine when the config leaves it out', async () => {
    const { run, calls } = fakeRunner({});
    const config = EngineCapacityConfigSchema.parse({
      includeLocalMachine: false,
      virtualNodes: [{ cpu: 8, memory: '32Gi' }],
    });
    const capacity = await engineCapacity(config, { run });
    expect(calls).toEqual([]);
    expect(capacity.nodes.map((n) => n.name)).toEqual(['virtual-0']);
  });

  it('fails clearly when the machine is given a name the queues do not know or a virtual node has', async () => {
    const config = EngineCapacityConfigSchema.parse({ queues: [{ name: 'q', nodes: ['local'] }] });
    await expect(engineCapacity(config, { run: fakeRunner({}).run, hostName: 'box' })).rejects.toThrow(
      new CapacityConfigError('queue "q" names node "local", which does not exist; the nodes are box'),
    );
    const clash = EngineCapacityConfigSchema.parse({ virtualNodes: [{ name: 'box', cpu: 1, memory: '1Gi' }] });
    await expect(engineCapacity(clash, { run: fakeRunner({}).run, hostName: 'box-0' })).rejects.toThrow(
      /a virtual node is named box-0, like this machine's node/,
    );
  });
});
