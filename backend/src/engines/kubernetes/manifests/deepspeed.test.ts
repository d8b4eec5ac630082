import { JobSpecSchema, type NodesJobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { deepspeedManifests, deepspeedTrainJob } from './deepspeed.js';
import { testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

const trainJobSchema = crdValidator('TrainJob', 'v1alpha1');

const options = testOptions('alice', 'job-20261123-0003');

function deepspeed(fields: Record<string, unknown>): NodesJobSpec {
  const spec = JobSpecSchema.parse({
    name: 'ds',
    mode: 'deepspeed',
    image: 'deepspeed:0.16',
    command: 'deepspeed --hostfile $DEEPSPEED_HOSTFILE train.py',
    ...fields,
  });
  if (spec.mode !== 'deepspeed') throw new Error('not deepspeed');
  return spec;
}

const cases: [string, Record<string, unknown>][] = [
  ['CPU only, one node', { resources: { cpu: 2, memory: '4Gi' } }],
  ['whole GPUs', { nodes: 4, resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 8 } } }],
  ['fractional GPU', { nodes: 2, resources: { cpu: 1, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } } }],
  ['Ascend', { nodes: 2, resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } }],
  [
    'env, hyperparameters, restarts',
    {
      env: { EPOCHS: '2' },
      hyperparameters: { lr: 0.01 },
      autoRestart: { maxRestarts: 3 },
      resources: { cpu: 1, memory: '1Gi' },
    },
  ],
];

describe('deepspeedTrainJob', () => {
  it.each(cases)('validates against the TrainJob CRD: %s', (_label, fields) => {
    const [, job] = deepspeedManifests(deepspeed(fields), options);
    expect(trainJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
  });

  it('refers to deepspeed-distributed: the launcher runs the command, a slot per device in the hostfile', () => {
    const job = deepspeedTrainJob(
      deepspeed({ nodes: 3, resources: { cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 2 } } }),
      options,
    );
    expect(job.spec.runtimeRef).toEqual({
      apiGroup: 'trainer.kubeflow.org',
      kind: 'ClusterTrainingRuntime',
      name: 'deepspeed-distributed',
    });
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.trainer).toMatchObject({ image: 'deepspeed:0.16', numNodes: 3, numProcPerNode: 2 });
    expect(job.spec.trainer.command).toEqual([
      '/opt/aiplat/entry.sh',
      '/bin/bash',
      '-c',
      'deepspeed --hostfile $DEEPSPEED_HOSTFILE train.py',
    ]);
    expect(job.spec.trainer.env).toContainEqual({ name: 'AIPLAT_MODE', value: 'deepspeed' });
    expect(job.spec.trainer.resourcesPerNode.limits).toEqual({ cpu: 4, memory: '8Gi', 'nvidia.com/gpu': 2 });
  });

  it('patches both the launcher and the sshd nodes with the pod labels and the work volumes', () => {
    const job = deepspeedTrainJob(deepspeed({ nodes: 2, resources: { cpu: 1, memory: '1Gi' } }), options);
    const jobs = job.spec.runtimePatches[0]?.trainingRuntimeSpec.template.spec.replicatedJobs ?? [];
    expect(jobs.map((j) => j.name)).toEqual(['launcher', 'node']);
    for (const replicated of jobs) {
      const pod = replicated.template.spec.template;
      expect(pod.metadata.labels['aiplat.io/job-id']).toBe('job-20261123-0003');
      expect(pod.spec.containers).toEqual([{ name: 'node', volumeMounts: expect.any(Array) as unknown }]);
      expect(pod.spec.volumes.length).toBeGreaterThan(0);
    }
  });

  it('takes the default image from the options, and says an image is required when there is none', () => {
    const spec = { ...deepspeed({ resources: { cpu: 1, memory: '1Gi' } }), image: undefined };
    const job = deepspeedTrainJob(spec, { ...options, defaultImage: 'ds:default' });
    expect(job.spec.trainer.image).toBe('ds:default');
    expect(trainJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
    expect(() => deepspeedTrainJob(spec, options)).toThrow(/image is required for deepspeed jobs/);
  });

  it('refuses a job of another mode', () => {
    const spec = JobSpecSchema.parse({ name: 'x', mode: 'mpi', command: 'x', resources: { cpu: 1, memory: '1Gi' } });
    expect(() => deepspeedManifests(spec, options)).toThrow(/deepspeed jobs, not mpi/);
  });
});
