import { JobSpecSchema, type NodesJobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { mpiJob, mpiManifests, slotsPerWorker } from './mpi.js';
import { testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

const mpiJobSchema = crdValidator('MPIJob', 'v2beta1');

const options = testOptions('bob', 'job-20261123-0002');

function mpi(fields: Record<string, unknown>): NodesJobSpec {
  const spec = JobSpecSchema.parse({
    name: 'hvd',
    mode: 'mpi',
    image: 'horovod/horovod:0.28.1',
    command: 'mpirun -np 4 python train.py',
    ...fields,
  });
  if (spec.mode !== 'mpi' && spec.mode !== 'horovod') throw new Error('not mpi');
  return spec;
}

const cases: [string, Record<string, unknown>][] = [
  ['CPU only', { resources: { cpu: 2, memory: '4Gi' } }],
  ['whole GPUs', { resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 4 } } }],
  ['fractional GPU', { resources: { cpu: 1, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } } }],
  ['Ascend', { resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } }],
  [
    'several nodes, horovod',
    { mode: 'horovod', nodes: 4, resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 8 } } },
  ],
  [
    'env, hyperparameters, restarts',
    {
      env: { EPOCHS: '2' },
      hyperparameters: { lr: 0.01 },
      autoRestart: { maxRestarts: 3 },
      queue: 'cpu',
      priority: 9,
      resources: { cpu: 1, memory: '1Gi' },
    },
  ],
];

describe('mpiJob', () => {
  it.each(cases)('validates against the MPIJob CRD: %s', (_label, fields) => {
    const [, job] = mpiManifests(mpi(fields), options);
    expect(mpiJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
  });

  it('validates with the launcher resources and a default image from the options', () => {
    const spec = mpi({ resources: { cpu: 1, memory: '1Gi' } });
    const job = mpiJob(
      { ...spec, image: undefined },
      {
        ...options,
        defaultImage: 'mpioperator/openmpi:v0.6.0',
        launcherResources: { cpu: 0.25, memory: '512Mi', accelerator: { type: 'none', count: 0 } },
      },
    );
    expect(mpiJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
    expect(job.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0]?.image).toBe('mpioperator/openmpi:v0.6.0');
    expect(job.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0]?.resources.limits).toEqual({
      cpu: '250m',
      memory: '512Mi',
    });
  });

  it('has a launcher running the command and one worker per node, created suspended', () => {
    const job = mpiJob(
      mpi({
        nodes: 3,
        autoRestart: { maxRestarts: 2 },
        resources: { cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 2 } },
      }),
      options,
    );
    const { Launcher, Worker } = job.spec.mpiReplicaSpecs;
    expect(Launcher.replicas).toBe(1);
    expect(Launcher.template.spec.containers[0]?.command).toEqual([
      '/opt/aiplat/entry.sh',
      '/bin/bash',
      '-c',
      'mpirun -np 4 python train.py',
    ]);
    expect(Launcher.template.spec.containers[0]?.resources.limits).toEqual({ cpu: 1, memory: '2Gi' });
    expect(Worker.replicas).toBe(3);
    expect(Worker.template.spec.containers[0]?.resources.limits).toEqual({
      cpu: 4,
      memory: '8Gi',
      'nvidia.com/gpu': 2,
    });
    expect(job.spec.slotsPerWorker).toBe(2);
    expect(job.spec.runPolicy).toEqual({ suspend: true, backoffLimit: 2, cleanPodPolicy: 'Running' });
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('default');
    expect(job.metadata.labels['kueue.x-k8s.io/priority-class']).toBe('p5');
  });

  it('horovod: the command runs on the launcher only; the workers wait as sshd hosts for its processes', () => {
    const job = mpiJob(mpi({ mode: 'horovod', nodes: 2, resources: { cpu: 2, memory: '4Gi' } }), options);
    const { Launcher, Worker } = job.spec.mpiReplicaSpecs;
    expect(Launcher.template.spec.containers[0]?.command.at(-1)).toBe('mpirun -np 4 python train.py');
    expect(Worker.template.spec.containers[0]?.command).toEqual(['/opt/aiplat/entry.sh', '/usr/sbin/sshd', '-De']);
    expect(mpiJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
  });

  it('has at least one slot per worker', () => {
    expect(slotsPerWorker(mpi({ resources: { cpu: 4, memory: '1Gi' } }))).toBe(1);
    expect(
      slotsPerWorker(mpi({ resources: { cpu: 4, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.2 } } })),
    ).toBe(1);
    expect(
      slotsPerWorker(mpi({ resources: { cpu: 4, memory: '1Gi', accelerator: { type: 'ascend', count: 4 } } })),
    ).toBe(4);
  });

  it('says an image is required when neither the spec nor the options name one', () => {
    const spec = mpi({ resources: { cpu: 1, memory: '1Gi' } });
    expect(() => mpiJob({ ...spec, image: undefined }, options)).toThrow(/image is required for mpi jobs/);
  });

  it('refuses a job of another mode', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      mode: 'ddp',
      command: 'python x',
      resources: { cpu: 1, memory: '1Gi' },
    });
    expect(() => mpiManifests(spec, options)).toThrow(/mpi and horovod jobs, not ddp/);
  });

  it('the schema check catches a string where the schema wants an integer', () => {
    const job = mpiJob(mpi({ resources: { cpu: 1, memory: '1Gi' } }), options);
    const broken = { ...job, spec: { ...job.spec, slotsPerWorker: '1' } };
    expect(mpiJobSchema.validate(broken).errors).toContain('/spec/slotsPerWorker: must be integer');
  });
});
