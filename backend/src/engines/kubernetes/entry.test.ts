import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSpecSchema, type JobSpec, type NodesJobSpec } from '@aiplat/api';
import { ddpTrainJob } from './manifests/ddp.js';
import { psWorkerJobSet } from './manifests/psWorker.js';
import { rayJob } from './manifests/ray.js';
import { testOptions } from '../../../../testing/src/kubernetes/manifestOptions.js';

/*
 * Runs the real entry wrapper (images/entry/entry.sh, /opt/aiplat/entry.sh in the containers) with
 * bash under the environment each operator injects, and reads the environment the wrapped command
 * sees (`env -0`). Nothing else is inherited but PATH.
 */

const SCRIPT = fileURLToPath(new URL('../../../../images/entry/entry.sh', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(env: Record<string, string>, command: string[] = ['env', '-0']): Run {
  const result = spawnSync('bash', [SCRIPT, ...command], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The environment the wrapped command saw; fails the test when the wrapper did not exec it. */
function envOf(env: Record<string, string>): Record<string, string> {
  const result = run(env);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const out: Record<string, string> = {};
  for (const entry of result.stdout.split('\0')) {
    if (entry === '') continue;
    const at = entry.indexOf('=');
    out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}

/** What containerEnv (manifests/containerEnv.ts) puts in every container of job `demo-1`. */
function builderEnv(mode: string): Record<string, string> {
  return {
    EPOCHS: '2',
    HYPERPARAMETERS_PATH: '/opt/ml/input/config/hyperparameters.json',
    PYTHONUNBUFFERED: '1',
    AIPLAT_JOB_ID: 'demo-1',
    AIPLAT_MODE: mode,
    AIPLAT_WORKING_DIR: '/work/home/alice/proj',
    AIPLAT_SUMMARY_DIR: '/work/home/alice/summaries/demo-1',
  };
}

/** Trainer v2 torch-distributed on TrainJob `demo-1`: node 1 of 3, 8 processes per node. */
const DDP: Record<string, string> = {
  ...builderEnv('ddp'),
  PET_NNODES: '3',
  PET_NPROC_PER_NODE: '8',
  PET_NODE_RANK: '1',
  PET_MASTER_ADDR: 'demo-1-node-0-0.demo-1',
  PET_MASTER_PORT: '29500',
  JOB_COMPLETION_INDEX: '1',
  HOSTNAME: 'demo-1-node-0-1',
};

let dir: string;
let hostfile: string;
/** mpi-operator v2beta1, OpenMPI, 2 workers with slotsPerWorker 4: the launcher's environment. */
let MPI_LAUNCHER: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-entry-'));
  hostfile = path.join(dir, 'hostfile');
  // As the operator's ConfigMap writes it (mounted at /etc/mpi/hostfile on the launcher).
  await writeFile(hostfile, 'demo-1-worker-0.demo-1.team-a.svc slots=4\ndemo-1-worker-1.demo-1.team-a.svc slots=4\n');
  MPI_LAUNCHER = {
    ...builderEnv('mpi'),
    K_MPI_JOB_ROLE: 'launcher',
    OMPI_MCA_orte_keep_fqdn_hostnames: 'true',
    OMPI_MCA_orte_default_hostfile: hostfile,
    OMPI_MCA_plm_rsh_args: '-o ConnectionAttempts=10',
    OMPI_MCA_orte_set_default_slots: '4',
    NVIDIA_VISIBLE_DEVICES: '',
    NVIDIA_DRIVER_CAPABILITIES: '',
    HOSTNAME: 'demo-1-launcher',
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The psWorker.ts JobSet `demo-1` (2 ps, 3 workers): worker 2's environment. */
const PS_WORKER: Record<string, string> = {
  ...builderEnv('ps-worker'),
  AIPLAT_ROLE: 'worker',
  AIPLAT_PS_COUNT: '2',
  AIPLAT_WORKER_COUNT: '3',
  JOB_COMPLETION_INDEX: '2',
  HOSTNAME: 'demo-1-worker-0-2',
};

/** The RayJob entrypoint on the head: Ray gives the job driver the GCS address. */
const RAY: Record<string, string> = {
  ...builderEnv('ray'),
  AIPLAT_ROLE: 'head',
  RAY_ADDRESS: '10.244.1.7:6379',
  RAY_CLUSTER_NAME: 'demo-1-raycluster-x7k2p',
};

describe('entry wrapper: TI-ONE variables per mode', () => {
  it('ddp: from the torch runtime PET_* variables', () => {
    const env = envOf(DDP);
    expect(env).toMatchObject({
      MASTER_ADDR: 'demo-1-node-0-0.demo-1',
      MASTER_PORT: '29500',
      WORLD_SIZE: '3',
      RANK: '1',
      INDEX: '1',
      NODE_LIST: 'demo-1-node-0-0.demo-1:8,demo-1-node-0-1.demo-1:8,demo-1-node-0-2.demo-1:8',
      GPU_NUM_PER_NODE: '8',
      GPU_NUM: '24',
      AIPLAT_INSTANCE: 'node-1',
      // torchrun still reads its own variables
      PET_NNODES: '3',
      PET_NODE_RANK: '1',
    });
  });

  it('ddp: a single node', () => {
    const env = envOf({ ...DDP, PET_NNODES: '1', PET_NODE_RANK: '0', PET_NPROC_PER_NODE: '1' });
    expect(env).toMatchObject({ WORLD_SIZE: '1', RANK: '0', NODE_LIST: 'demo-1-node-0-0.demo-1:1', GPU_NUM: '1' });
  });

  it('mpi: the launcher reads the operator hostfile', () => {
    const env = envOf(MPI_LAUNCHER);
    expect(env).toMatchObject({
      NODE_IP_SLOT_LIST: 'demo-1-worker-0.demo-1.team-a.svc:4,demo-1-worker-1.demo-1.team-a.svc:4',
      NODE_LIST: 'demo-1-worker-0.demo-1.team-a.svc:4,demo-1-worker-1.demo-1.team-a.svc:4',
      INDEX: '0',
      GPU_NUM: '8',
      GPU_NUM_PER_NODE: '4',
      OMPI_MCA_orte_default_hostfile: hostfile,
      AIPLAT_INSTANCE: 'node-0',
    });
  });

  it('horovod: the same as mpi; comments, blank lines and hosts without slots= are read', async () => {
    const file = path.join(dir, 'hostfile-horovod');
    await writeFile(file, '# workers\n\nh-worker-0.h.ns.svc slots=2 max_slots=2\nh-worker-1.h.ns.svc');
    const env = envOf({ ...MPI_LAUNCHER, AIPLAT_MODE: 'horovod', OMPI_MCA_orte_default_hostfile: file });
    expect(env.NODE_IP_SLOT_LIST).toBe('h-worker-0.h.ns.svc:2,h-worker-1.h.ns.svc:4');
    expect(env.GPU_NUM).toBe('6');
  });

  it('deepspeed: the Trainer launcher (node 0) gets the MPI variables and DEEPSPEED_HOSTFILE', async () => {
    const file = path.join(dir, 'hostfile-deepspeed');
    // The Trainer's hostfile for runLauncherAsNode: the launcher, then the nodes.
    await writeFile(file, 'ds-launcher-0-0.ds slots=2\nds-node-0-0.ds slots=2\n');
    const env = envOf({
      ...builderEnv('deepspeed'),
      OMPI_MCA_orte_default_hostfile: file,
      OMPI_MCA_orte_set_default_slots: '2',
      HOSTNAME: 'ds-launcher-0-0',
    });
    expect(env).toMatchObject({
      DEEPSPEED_HOSTFILE: file,
      OMPI_MCA_orte_default_hostfile: file,
      NODE_IP_SLOT_LIST: 'ds-launcher-0-0.ds:2,ds-node-0-0.ds:2',
      INDEX: '0',
      GPU_NUM: '4',
      AIPLAT_INSTANCE: 'node-0',
    });
  });

  it('mpi: a worker (sshd) starts without a hostfile and gets only the common variables', () => {
    const env = envOf({ ...builderEnv('mpi'), K_MPI_JOB_ROLE: 'worker', HOSTNAME: 'demo-1-worker-1' });
    expect(env.AIPLAT_INSTANCE).toBe('worker-1');
    expect(env.NODE_IP_SLOT_LIST).toBeUndefined();
    expect(env.HYPERPARAMETERS_PATH).toBe('/opt/ml/input/config/hyperparameters.json');
  });

  it('ps-worker: TF_CONFIG from the JobSet hostnames and the completion index', () => {
    const env = envOf(PS_WORKER);
    expect(JSON.parse(env.TF_CONFIG ?? '')).toEqual({
      cluster: {
        ps: ['demo-1-ps-0-0.demo-1:2222', 'demo-1-ps-0-1.demo-1:2222'],
        worker: ['demo-1-worker-0-0.demo-1:2222', 'demo-1-worker-0-1.demo-1:2222', 'demo-1-worker-0-2.demo-1:2222'],
      },
      task: { type: 'worker', index: 2 },
    });
    // Local instance order: ps first, then workers.
    expect(env).toMatchObject({ INDEX: '4', AIPLAT_INSTANCE: 'worker-2' });
  });

  it('ps-worker: a parameter server', () => {
    const env = envOf({ ...PS_WORKER, AIPLAT_ROLE: 'ps', JOB_COMPLETION_INDEX: '1', HOSTNAME: 'demo-1-ps-0-1' });
    expect(JSON.parse(env.TF_CONFIG ?? '')).toMatchObject({ task: { type: 'ps', index: 1 } });
    expect(env.INDEX).toBe('1');
  });

  it('ps-worker: no parameter servers leaves ps out of the cluster', () => {
    const env = envOf({ ...PS_WORKER, AIPLAT_PS_COUNT: '0' });
    expect(Object.keys((JSON.parse(env.TF_CONFIG ?? '') as { cluster: object }).cluster)).toEqual(['worker']);
  });

  it('ray: HEAD_ADDR, HEAD_PORT and rank 0 on the head', () => {
    expect(envOf(RAY)).toMatchObject({ HEAD_ADDR: '10.244.1.7', HEAD_PORT: '6379', RANK: '0', INDEX: '0' });
    const withScheme = envOf({ ...RAY, RAY_ADDRESS: 'ray://demo-1-head-svc.team-a.svc.cluster.local:10001' });
    expect(withScheme).toMatchObject({ HEAD_ADDR: 'demo-1-head-svc.team-a.svc.cluster.local', HEAD_PORT: '10001' });
  });
});

describe('entry wrapper: common rules', () => {
  it('platform variables win over values already in the environment', () => {
    const env = envOf({ ...DDP, MASTER_ADDR: 'image-default', RANK: '9', WORLD_SIZE: '9' });
    expect(env).toMatchObject({ MASTER_ADDR: 'demo-1-node-0-0.demo-1', RANK: '1', WORLD_SIZE: '3' });
  });

  it('HYPERPARAMETERS_PATH defaults to the ConfigMap mount; AIPLAT_* and user variables pass through', () => {
    const { HYPERPARAMETERS_PATH: _, ...rest } = RAY;
    const env = envOf(rest);
    expect(env).toMatchObject({
      HYPERPARAMETERS_PATH: '/opt/ml/input/config/hyperparameters.json',
      AIPLAT_JOB_ID: 'demo-1',
      AIPLAT_WORKING_DIR: '/work/home/alice/proj',
      AIPLAT_SUMMARY_DIR: '/work/home/alice/summaries/demo-1',
      EPOCHS: '2',
    });
  });

  it('execs the command with its arguments unchanged, and its exit status is the container’s', () => {
    const quoted = run(PS_WORKER, ['sh', '-c', 'printf "%s|" "$@"', '_', 'a b', 'c', '', 'it\'s "x" $HOME *']);
    expect(quoted).toEqual({ status: 0, stdout: `a b|c||it's "x" $HOME *|`, stderr: '' });
    expect(run(DDP, ['sh', '-c', 'exit 7']).status).toBe(7);
  });
});

describe('entry wrapper: a missing or bad variable stops it, naming the variable', () => {
  const { AIPLAT_MODE: _mode, ...noMode } = DDP;
  const without = (env: Record<string, string>, name: string): Record<string, string> =>
    Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));
  const cases: [string, () => Record<string, string>, string][] = [
    ['no AIPLAT_MODE', () => noMode, 'AIPLAT_MODE'],
    ['an unknown mode', () => ({ ...DDP, AIPLAT_MODE: 'slurm' }), 'AIPLAT_MODE'],
    ...['PET_MASTER_ADDR', 'PET_MASTER_PORT', 'PET_NNODES', 'PET_NODE_RANK', 'PET_NPROC_PER_NODE'].map(
      (name): [string, () => Record<string, string>, string] => [`ddp without ${name}`, () => without(DDP, name), name],
    ),
    ['ddp with PET_NPROC_PER_NODE=auto', () => ({ ...DDP, PET_NPROC_PER_NODE: 'auto' }), 'PET_NPROC_PER_NODE'],
    ['ddp with a master that is no JobSet host', () => ({ ...DDP, PET_MASTER_ADDR: '10.0.0.1' }), 'PET_MASTER_ADDR'],
    [
      'mpi without the hostfile variable',
      () => without(MPI_LAUNCHER, 'OMPI_MCA_orte_default_hostfile'),
      'OMPI_MCA_orte_default_hostfile',
    ],
    [
      'mpi with an unreadable hostfile',
      () => ({ ...MPI_LAUNCHER, OMPI_MCA_orte_default_hostfile: path.join(dir, 'none') }),
      'OMPI_MCA_orte_default_hostfile',
    ],
    ...['AIPLAT_ROLE', 'AIPLAT_PS_COUNT', 'AIPLAT_WORKER_COUNT', 'JOB_COMPLETION_INDEX', 'HOSTNAME'].map(
      (name): [string, () => Record<string, string>, string] => [
        `ps-worker without ${name}`,
        () => without(PS_WORKER, name),
        name,
      ],
    ),
    ['ps-worker with a foreign hostname', () => ({ ...PS_WORKER, HOSTNAME: 'laptop' }), 'HOSTNAME'],
    ['ray without RAY_ADDRESS', () => without(RAY, 'RAY_ADDRESS'), 'RAY_ADDRESS'],
    ['ray with RAY_ADDRESS=auto', () => ({ ...RAY, RAY_ADDRESS: 'auto' }), 'RAY_ADDRESS'],
    [
      'ddp with AIPLAT_DEVICES_PER_NODE=two',
      () => ({ ...DDP, AIPLAT_DEVICES_PER_NODE: 'two' }),
      'AIPLAT_DEVICES_PER_NODE',
    ],
    ['ray with AIPLAT_DEVICES_TOTAL=-1', () => ({ ...RAY, AIPLAT_DEVICES_TOTAL: '-1' }), 'AIPLAT_DEVICES_TOTAL'],
  ];

  it.each(cases)('%s', (_label, env, name) => {
    const result = run(env(), ['echo', 'must not run']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^aiplat entry: .*\\b${name}\\b`));
  });

  it('no command at all', () => {
    const result = run(DDP, []);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no command');
  });
});

/** The environment of a built container, as the pod would get it. */
function envFrom(container: { env: { name: string; value: string }[] } | undefined): Record<string, string> {
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
}

describe('entry wrapper: under the environment the builders write', () => {
  const options = testOptions('alice', 'demo-1');
  const spec = (fields: Record<string, unknown>): JobSpec =>
    JobSpecSchema.parse({ name: 'demo', command: 'python train.py', image: 'img:1', ...fields });

  it('ddp: GPU_NUM_PER_NODE and NODE_LIST count devices as locally, 0 on CPU-only nodes', () => {
    const cpu = ddpTrainJob(
      spec({ mode: 'ddp', nodes: 3, resources: { cpu: 4, memory: '8Gi' } }) as NodesJobSpec,
      options,
    );
    const torch = { ...DDP, PET_NPROC_PER_NODE: String(cpu.spec.trainer.numProcPerNode) };
    expect(envOf({ ...torch, ...envFrom(cpu.spec.trainer) })).toMatchObject({
      GPU_NUM_PER_NODE: '0',
      GPU_NUM: '0',
      NODE_LIST: 'demo-1-node-0-0.demo-1:0,demo-1-node-0-1.demo-1:0,demo-1-node-0-2.demo-1:0',
      WORLD_SIZE: '3',
    });
    const gpus = ddpTrainJob(
      spec({
        mode: 'ddp',
        nodes: 3,
        resources: { cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 4 } },
      }) as NodesJobSpec,
      options,
    );
    expect(envOf({ ...DDP, PET_NPROC_PER_NODE: '4', ...envFrom(gpus.spec.trainer) })).toMatchObject({
      GPU_NUM_PER_NODE: '4',
      GPU_NUM: '12',
    });
  });

  it('ps-worker: GPU_NUM_PER_NODE of the pod and GPU_NUM of the job', () => {
    const jobSet = psWorkerJobSet(
      spec({
        mode: 'ps-worker',
        ps: 2,
        workers: 3,
        resources: { cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 2 } },
        psResources: { cpu: 2, memory: '4Gi' },
      }),
      options,
    );
    const worker = jobSet.spec.replicatedJobs[1].template.spec.template.spec.containers[0];
    const env = envOf({ ...envFrom(worker), JOB_COMPLETION_INDEX: '2', HOSTNAME: 'demo-1-worker-0-2' });
    expect(env).toMatchObject({ GPU_NUM_PER_NODE: '2', GPU_NUM: '6', INDEX: '4', AIPLAT_INSTANCE: 'worker-2' });
  });

  it('ray: the wrapper on the head agrees with the variables the builder gives every Ray container', () => {
    const job = rayJob(
      spec({
        mode: 'ray',
        head: { resources: { cpu: 2, memory: '8Gi' } },
        workerGroups: [
          {
            name: 'gpu',
            replicas: 2,
            resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 1 } },
          },
        ],
      }),
      options,
    );
    const head = envFrom(job.spec.rayClusterSpec.headGroupSpec.template.spec.containers[0]);
    const wrapped = envOf({ ...head, RAY_ADDRESS: '10.244.1.7:6379' });
    for (const name of ['RANK', 'INDEX', 'AIPLAT_INSTANCE', 'GPU_NUM_PER_NODE', 'GPU_NUM']) {
      expect(wrapped[name], name).toBe(head[name]);
    }
    expect(wrapped).toMatchObject({ RANK: '0', GPU_NUM_PER_NODE: '0', GPU_NUM: '2' });
  });
});
