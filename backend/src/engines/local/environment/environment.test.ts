import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildEnvironment, visibleDeviceCount } from './environment.js';
import { renderHostfile, renderHostSlotList } from './hostfile.js';
import { requiredPorts } from './ports.js';
import type {
  EnvironmentInput,
  EnvironmentPlan,
  InstancePlacement,
  InstanceRole,
  PortName,
  TrainingMode,
} from './types.js';

const LOCAL = '127.0.0.1';
const JOB_DIR = '/data/jobs/j1';
const HP_PATH = `${JOB_DIR}/input/config/hyperparameters.json`;

/** Placements the way the supervisor builds them: ports from requiredPorts, distinct per instance. */
function place(
  mode: TrainingMode,
  roles: readonly InstanceRole[],
  extra: Partial<Omit<InstancePlacement, 'index' | 'role'>> = {},
): InstancePlacement[] {
  return roles.map((role, index) => {
    const ports: Partial<Record<PortName, number>> = {};
    for (const name of requiredPorts(mode, { role, index })) ports[name] = 29500 + index;
    return { index, role, host: LOCAL, gpus: 0, ports, ...extra };
  });
}

function input(
  mode: TrainingMode,
  instances: InstancePlacement[],
  over: Partial<EnvironmentInput> = {},
): EnvironmentInput {
  return { jobId: 'j1', mode, instances, userEnv: {}, hyperparametersPath: HP_PATH, jobDir: JOB_DIR, ...over };
}

function plan(source: EnvironmentInput): EnvironmentPlan {
  const result = buildEnvironment(source);
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.plan;
}

function envs(source: EnvironmentInput): Readonly<Record<string, string>>[] {
  return plan(source).instances.map((instance) => instance.env);
}

describe('requiredPorts', () => {
  it.each([
    ['ddp', 'node', 0, ['master']],
    ['ddp', 'node', 1, []],
    ['mpi', 'node', 0, []],
    ['horovod', 'node', 0, []],
    ['deepspeed', 'node', 1, []],
    ['ps-worker', 'ps', 0, ['task']],
    ['ps-worker', 'worker', 3, ['task']],
    ['ray', 'head', 0, ['head']],
    ['ray', 'ray-worker', 1, []],
  ] as const)('%s %s #%i needs %j', (mode, role, index, expected) => {
    expect(requiredPorts(mode, { role, index })).toEqual(expected);
  });
});

describe('buildEnvironment: variables every mode gets', () => {
  it('sets NODE_LIST, INDEX, GPU counts, identity, unbuffered output and the hyperparameters path', () => {
    const [first, second] = envs(input('ddp', place('ddp', ['node', 'node'], { gpus: 2 })));
    const common = {
      NODE_LIST: '127.0.0.1:2,127.0.0.1:2',
      GPU_NUM: '4',
      GPU_NUM_PER_NODE: '2',
      HYPERPARAMETERS_PATH: HP_PATH,
      PYTHONUNBUFFERED: '1',
      AIPLAT_JOB_ID: 'j1',
    };
    expect(first).toMatchObject({ ...common, INDEX: '0', AIPLAT_INSTANCE: 'node-0' });
    expect(second).toMatchObject({ ...common, INDEX: '1', AIPLAT_INSTANCE: 'node-1' });
  });

  it('counts a fractional GPU as one shared device and reports the share', () => {
    const [env] = envs(input('ddp', place('ddp', ['node'], { gpus: 0.5 })));
    expect(env).toMatchObject({
      NODE_LIST: '127.0.0.1:1',
      GPU_NUM: '1',
      GPU_NUM_PER_NODE: '1',
      AIPLAT_GPU_SHARE: '0.5',
    });
    expect(visibleDeviceCount(0.1)).toBe(1);
    expect(visibleDeviceCount(1)).toBe(1);
    expect(visibleDeviceCount(0)).toBe(0);
  });

  it('sets the visible devices from the assignment, and hides all with an empty list', () => {
    const instances = place('ddp', ['node', 'node', 'node']);
    instances[0] = { ...instances[0]!, gpus: 2, devices: { kind: 'nvidia', ids: [2, 3] } };
    instances[1] = { ...instances[1]!, gpus: 0.3, devices: { kind: 'ascend', ids: [5] } };
    instances[2] = { ...instances[2]!, gpus: 0, devices: { kind: 'nvidia', ids: [] } };
    const [a, b, c] = envs(input('ddp', instances));
    expect(a?.CUDA_VISIBLE_DEVICES).toBe('2,3');
    expect(b?.ASCEND_RT_VISIBLE_DEVICES).toBe('5');
    expect(b?.CUDA_VISIBLE_DEVICES).toBeUndefined();
    expect(c?.CUDA_VISIBLE_DEVICES).toBe('');
    expect(a?.NODE_LIST).toBe('127.0.0.1:2,127.0.0.1:1,127.0.0.1:0');
    expect(a?.GPU_NUM).toBe('3');
  });

  it('keeps the user env alongside and plans the hyperparameters file when given', () => {
    const result = plan(
      input('ddp', place('ddp', ['node']), { userEnv: { EPOCHS: '2' }, hyperparameters: { lr: 0.01 } }),
    );
    expect(result.instances[0]?.env.EPOCHS).toBe('2');
    expect(result.files).toEqual([{ path: HP_PATH, content: '{\n  "lr": 0.01\n}\n' }]);
  });
});

describe('buildEnvironment: per mode', () => {
  it('DDP, 2 nodes: ranks 0 and 1, one master', () => {
    const instances = place('ddp', ['node', 'node']);
    expect(envs(input('ddp', instances))).toEqual([
      expect.objectContaining({ MASTER_ADDR: LOCAL, MASTER_PORT: '29500', WORLD_SIZE: '2', RANK: '0' }),
      expect.objectContaining({ MASTER_ADDR: LOCAL, MASTER_PORT: '29500', WORLD_SIZE: '2', RANK: '1' }),
    ]);
    expect(plan(input('ddp', instances)).files).toEqual([]);
  });

  it.each(['mpi', 'horovod'] as const)('%s, 3 nodes x 2 GPUs: hostfile and NODE_IP_SLOT_LIST', (mode) => {
    const result = plan(input(mode, place(mode, ['node', 'node', 'node'], { gpus: 2 })));
    expect(result.files).toEqual([
      // One line per host: Open MPI refuses a host whose slots are given twice.
      { path: `${JOB_DIR}/hostfile`, content: '127.0.0.1 slots=6\n' },
    ]);
    for (const instance of result.instances) {
      expect(instance.env).toMatchObject({
        OMPI_MCA_orte_default_hostfile: `${JOB_DIR}/hostfile`,
        NODE_IP_SLOT_LIST: '127.0.0.1:2,127.0.0.1:2,127.0.0.1:2',
      });
      expect(instance.env.RANK).toBeUndefined();
    }
  });

  it('DeepSpeed, 2 nodes x 4 GPUs: the MPI variables and DEEPSPEED_HOSTFILE naming the `host slots=N` file', () => {
    const result = plan(input('deepspeed', place('deepspeed', ['node', 'node'], { gpus: 4 })));
    expect(result.files).toEqual([{ path: `${JOB_DIR}/hostfile`, content: '127.0.0.1 slots=8\n' }]);
    for (const instance of result.instances) {
      expect(instance.env).toMatchObject({
        DEEPSPEED_HOSTFILE: `${JOB_DIR}/hostfile`,
        OMPI_MCA_orte_default_hostfile: `${JOB_DIR}/hostfile`,
        NODE_IP_SLOT_LIST: '127.0.0.1:4,127.0.0.1:4',
      });
    }
  });

  it('MPI, CPU-only and fractional nodes get one slot each', () => {
    const instances = place('mpi', ['node', 'node']);
    instances[1] = { ...instances[1]!, gpus: 0.5 };
    const result = plan(input('mpi', instances));
    expect(result.files[0]?.content).toBe('127.0.0.1 slots=2\n');
    expect(result.instances[0]?.env.NODE_IP_SLOT_LIST).toBe('127.0.0.1:1,127.0.0.1:1');
    expect(result.instances[0]?.env.NODE_LIST).toBe('127.0.0.1:0,127.0.0.1:1');
  });

  it('PS-Worker, 2 ps + 3 workers: every TF_CONFIG parses with the whole cluster and its own task', () => {
    const result = plan(input('ps-worker', place('ps-worker', ['ps', 'ps', 'worker', 'worker', 'worker'])));
    const cluster = {
      ps: ['127.0.0.1:29500', '127.0.0.1:29501'],
      worker: ['127.0.0.1:29502', '127.0.0.1:29503', '127.0.0.1:29504'],
    };
    const tasks = [
      ['ps-0', { type: 'ps', index: 0 }],
      ['ps-1', { type: 'ps', index: 1 }],
      ['worker-0', { type: 'worker', index: 0 }],
      ['worker-1', { type: 'worker', index: 1 }],
      ['worker-2', { type: 'worker', index: 2 }],
    ] as const;
    expect(result.instances.map((instance) => instance.name)).toEqual(tasks.map(([name]) => name));
    result.instances.forEach((instance, k) => {
      expect(JSON.parse(instance.env.TF_CONFIG ?? '')).toEqual({ cluster, task: tasks[k]?.[1] });
      expect(instance.env.AIPLAT_INSTANCE).toBe(tasks[k]?.[0]);
      expect(instance.env.INDEX).toBe(String(k));
    });
  });

  it('Ray, head + 2 workers: RANK 0 on the head, the head address everywhere', () => {
    const instances = place('ray', ['head', 'ray-worker', 'ray-worker'], { group: 'cpu' });
    const result = plan(input('ray', instances));
    expect(result.instances.map((instance) => [instance.name, instance.env.RANK])).toEqual([
      ['head-0', '0'],
      ['ray-worker-0', '1'],
      ['ray-worker-1', '2'],
    ]);
    for (const instance of result.instances) {
      expect(instance.env).toMatchObject({ HEAD_ADDR: LOCAL, HEAD_PORT: '29500', AIPLAT_GROUP: 'cpu' });
    }
  });
});

describe('buildEnvironment: errors instead of silent fixes', () => {
  const ddp2 = (): InstancePlacement[] => place('ddp', ['node', 'node']);

  it.each([
    ['RANK', 'ddp'],
    ['MASTER_PORT', 'ddp'],
    ['RANK', 'ray'],
    ['TF_CONFIG', 'ps-worker'],
    ['NODE_IP_SLOT_LIST', 'mpi'],
    ['DEEPSPEED_HOSTFILE', 'deepspeed'],
    ['PYTHONUNBUFFERED', 'ddp'],
    ['AIPLAT_ANYTHING', 'ddp'],
  ] as const)('user %s in %s mode is an env-conflict', (variable, mode) => {
    const roles: Record<TrainingMode, InstanceRole[]> = {
      ddp: ['node'],
      mpi: ['node'],
      horovod: ['node'],
      deepspeed: ['node'],
      'ps-worker': ['worker'],
      ray: ['head'],
    };
    const result = buildEnvironment(input(mode, place(mode, roles[mode]), { userEnv: { [variable]: '7' } }));
    expect(result).toEqual({
      ok: false,
      errors: [{ code: 'env-conflict', variable, message: `${variable} is set by the platform in ${mode} mode` }],
    });
  });

  it("applies the contract's rule: a platform variable of any mode is refused in every mode", () => {
    const result = buildEnvironment(input('mpi', place('mpi', ['node']), { userEnv: { RANK: '1', EPOCHS: '2' } }));
    expect(result).toEqual({
      ok: false,
      errors: [{ code: 'env-conflict', variable: 'RANK', message: 'RANK is set by the platform in mpi mode' }],
    });
  });

  it.each<[string, (instances: InstancePlacement[]) => Partial<EnvironmentInput>, string]>([
    ['no instances', () => ({ instances: [] }), 'no-instances'],
    ['an index out of place', (i) => ({ instances: [i[0]!, { ...i[1]!, index: 5 }] }), 'bad-index'],
    ['a role of another mode', (i) => ({ instances: [i[0]!, { ...i[1]!, role: 'ps' }] }), 'bad-role'],
    ['a missing master port', (i) => ({ instances: [{ ...i[0]!, ports: {} }, i[1]!] }), 'missing-port'],
    ['a port out of range', (i) => ({ instances: [{ ...i[0]!, ports: { master: 70000 } }, i[1]!] }), 'bad-port'],
    ['two instances on one port', (i) => ({ instances: [i[0]!, { ...i[1]!, ports: { task: 29500 } }] }), 'port-clash'],
    ['1.5 GPUs', (i) => ({ instances: [{ ...i[0]!, gpus: 1.5 }, i[1]!] }), 'bad-gpus'],
    ['0.05 GPUs', (i) => ({ instances: [{ ...i[0]!, gpus: 0.05 }, i[1]!] }), 'bad-gpus'],
    [
      'too few device ids',
      (i) => ({ instances: [{ ...i[0]!, gpus: 2, devices: { kind: 'nvidia', ids: [0] } }, i[1]!] }),
      'bad-devices',
    ],
    ['an empty host', (i) => ({ instances: [{ ...i[0]!, host: '' }, i[1]!] }), 'bad-host'],
    ['a relative job dir', () => ({ jobDir: 'jobs/j1' }), 'bad-path'],
    ['a bad variable name', () => ({ userEnv: { 'A-B': 'x' } }), 'bad-env'],
  ])('%s', (_label, change, code) => {
    const result = buildEnvironment({ ...input('ddp', ddp2()), ...change(ddp2()) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.code)).toEqual([code]);
  });

  it('Ray without a head first, PS-Worker without a worker', () => {
    const ray = buildEnvironment(input('ray', place('ray', ['ray-worker', 'head'])));
    const ps = buildEnvironment(input('ps-worker', place('ps-worker', ['ps'])));
    expect(ray.ok || ray.errors.map((error) => error.code)).toEqual(['bad-topology']);
    expect(ps.ok || ps.errors.map((error) => error.code)).toEqual(['bad-topology']);
  });
});

describe('hostfile rendering', () => {
  it('renders lines and the slot list in order', () => {
    const nodes = [
      { host: '10.0.0.1', slots: 8 },
      { host: '10.0.0.2', slots: 1 },
    ];
    expect(renderHostfile(nodes)).toBe('10.0.0.1 slots=8\n10.0.0.2 slots=1\n');
    expect(renderHostSlotList(nodes)).toBe('10.0.0.1:8,10.0.0.2:1');
  });

  it('gives a host shared by several nodes one line with their slots summed', () => {
    const nodes = [
      { host: '10.0.0.2', slots: 2 },
      { host: '10.0.0.1', slots: 8 },
      { host: '10.0.0.2', slots: 2 },
    ];
    expect(renderHostfile(nodes)).toBe('10.0.0.2 slots=4\n10.0.0.1 slots=8\n');
    expect(renderHostSlotList(nodes)).toBe('10.0.0.2:2,10.0.0.1:8,10.0.0.2:2');
  });
});

describe('the environment is usable as given by a real process', () => {
  function run(env: Readonly<Record<string, string>>): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', 'echo $RANK $WORLD_SIZE $MASTER_ADDR:$MASTER_PORT'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
  }

  it('each DDP instance sees its own rank and the shared world', async () => {
    const outputs = await Promise.all(envs(input('ddp', place('ddp', ['node', 'node']))).map(run));
    expect(outputs).toEqual(['0 2 127.0.0.1:29500\n', '1 2 127.0.0.1:29500\n']);
  });
});
