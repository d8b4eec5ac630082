import { JobSpecSchema, type NodesJobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { ddpManifests, ddpTrainJob, procsPerNode } from './ddp.js';
import { testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';
import { HYPERPARAMETERS_PATH } from './workVolumes.js';

const trainJobSchema = crdValidator('TrainJob', 'v1alpha1');

const options = testOptions('alice', 'job-20261123-0001');

function ddp(fields: Record<string, unknown>): NodesJobSpec {
  const spec = JobSpecSchema.parse({ name: 'mnist-ddp', mode: 'ddp', command: 'python train.py', ...fields });
  if (spec.mode !== 'ddp') throw new Error('not ddp');
  return spec;
}

const cases: [string, Record<string, unknown>][] = [
  ['CPU only', { resources: { cpu: 2, memory: '4Gi' } }],
  ['fractional CPU, memory in bytes', { resources: { cpu: 0.5, memory: 2_000_000_000 } }],
  [
    'whole GPUs',
    { image: 'pytorch:2.3', resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 4 } } },
  ],
  ['fractional GPU', { resources: { cpu: 1, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.3 } } }],
  ['Ascend', { resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } }],
  ['several nodes', { nodes: 4, resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 8 } } }],
  [
    'env, hyperparameters, queue, priority, workingDir',
    {
      env: { EPOCHS: '2', DATA: '/work/cache/mnist' },
      hyperparameters: { lr: 0.01, layers: [64, 32], opt: { name: 'adam' } },
      queue: 'gpu-a100',
      priority: 0,
      workingDir: 'home/mnist',
      resources: { cpu: 1, memory: '1Gi' },
    },
  ],
];

describe('ddpTrainJob', () => {
  it.each(cases)('validates against the TrainJob CRD: %s', (_label, fields) => {
    const [, trainJob] = ddpManifests(ddp(fields), options);
    expect(trainJobSchema.validate(trainJob)).toEqual({ valid: true, errors: [] });
  });

  it('refers to torch-distributed, created suspended, with numNodes and numProcPerNode', () => {
    const job = ddpTrainJob(
      ddp({ nodes: 3, resources: { cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 2 } } }),
      options,
    );
    expect(job.spec.runtimeRef.name).toBe('torch-distributed');
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.trainer.numNodes).toBe(3);
    expect(job.spec.trainer.numProcPerNode).toBe(2);
    expect(job.spec.trainer.command.slice(0, 3)).toEqual(['/opt/aiplat/entry.sh', '/bin/bash', '-c']);
    expect(job.spec.trainer.resourcesPerNode.limits).toEqual({ cpu: 4, memory: '8Gi', 'nvidia.com/gpu': 2 });
    expect(job.spec.trainer.resourcesPerNode.requests).toEqual(job.spec.trainer.resourcesPerNode.limits);
  });

  it('always sets numProcPerNode: Ascend devices, a GPU share and CPU-only nodes', () => {
    expect(
      procsPerNode(ddp({ resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } })),
    ).toBe(8);
    expect(
      procsPerNode(ddp({ resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.5 } } })),
    ).toBe(1);
    expect(procsPerNode(ddp({ resources: { cpu: 32, memory: '1Gi' } }))).toBe(1);
  });

  it('gives Ascend NPUs and a GPU share under their device-plugin names', () => {
    const ascend = ddpTrainJob(
      ddp({ resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } }),
      options,
    );
    expect(ascend.spec.trainer.resourcesPerNode.limits).toEqual({ cpu: 16, memory: '64Gi', 'huawei.com/Ascend910': 8 });
    const share = ddpTrainJob(
      ddp({ resources: { cpu: 0.5, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.3 } } }),
      options,
    );
    expect(share.spec.trainer.resourcesPerNode.limits).toEqual({
      cpu: '500m',
      memory: '8Gi',
      'nvidia.com/gpu': 1,
      'nvidia.com/gpucores': 30,
      'nvidia.com/gpumem-percentage': 30,
    });
  });

  it('passes user env and the hyperparameters path, and mounts the work volumes on the node container', () => {
    const job = ddpTrainJob(ddp({ env: { EPOCHS: '2' }, resources: { cpu: 1, memory: '1Gi' } }), options);
    expect(job.spec.trainer.env).toContainEqual({ name: 'EPOCHS', value: '2' });
    expect(job.spec.trainer.env).toContainEqual({ name: 'HYPERPARAMETERS_PATH', value: HYPERPARAMETERS_PATH });
    const [patch] = job.spec.runtimePatches;
    const [node] = patch?.trainingRuntimeSpec.template.spec.replicatedJobs ?? [];
    expect(node?.name).toBe('node');
    const pod = node?.template.spec.template.spec;
    expect(pod?.containers[0]?.name).toBe('node');
    expect(pod?.containers[0]?.volumeMounts.map((m) => [m.mountPath, m.readOnly ?? false])).toEqual([
      ['/work/home/alice', false],
      ['/work/cache', false],
      ['/work/mount', true],
      ['/opt/ml/input/config', true],
      ['/opt/ml/summary', false],
    ]);
    // TI-ONE's /opt/ml/summary is the job's summary folder in the user's home claim (a volume of its own).
    expect(pod?.containers[0]?.volumeMounts.at(-1)).toEqual({
      name: 'aiplat-summary',
      mountPath: '/opt/ml/summary',
      subPath: 'summaries/job-20261123-0001',
    });
    expect(pod?.volumes.map((v) => v.persistentVolumeClaim?.claimName ?? v.configMap?.name)).toEqual([
      'home-alice',
      'work-cache',
      'work-mount',
      'job-20261123-0001-hp',
      'home-alice',
    ]);
  });

  it('refuses a job of another mode', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      mode: 'mpi',
      command: 'mpirun x',
      resources: { cpu: 1, memory: '1Gi' },
    });
    expect(() => ddpManifests(spec, options)).toThrow(/ddp jobs, not mpi/);
  });
});

describe('the TrainJob schema check', () => {
  it('catches a broken object: a string where the schema wants an integer', () => {
    const job = ddpTrainJob(ddp({ nodes: 2, resources: { cpu: 1, memory: '1Gi' } }), options);
    const broken = { ...job, spec: { ...job.spec, trainer: { ...job.spec.trainer, numNodes: '2' } } };
    const result = trainJobSchema.validate(broken);
    expect(result.valid).toBe(false);
    expect(result.errors).toContain('/spec/trainer/numNodes: must be integer');
  });

  it('catches a misspelt field a cluster would silently drop', () => {
    const job = ddpTrainJob(ddp({ resources: { cpu: 1, memory: '1Gi' } }), options);
    const broken = { ...job, spec: { ...job.spec, trainer: { ...job.spec.trainer, numProcsPerNode: 1 } } };
    expect(trainJobSchema.validate(broken).errors).toContain(
      '/spec/trainer: must NOT have additional properties (numProcsPerNode)',
    );
  });

  it('catches an object of another kind', () => {
    const job = ddpTrainJob(ddp({ resources: { cpu: 1, memory: '1Gi' } }), options);
    expect(trainJobSchema.validate({ ...job, kind: 'PyTorchJob' }).valid).toBe(false);
  });
});
