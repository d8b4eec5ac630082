import { JobSpecSchema, type JobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { psWorkerJobSet, psWorkerManifests } from './psWorker.js';
import { testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

const jobSetSchema = crdValidator('JobSet', 'v1alpha2');

const options = testOptions('dave', 'job-20261123-0004');

function psWorker(fields: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({
    name: 'tf-ps',
    mode: 'ps-worker',
    image: 'tensorflow/tensorflow:2.16.1',
    command: 'python train.py',
    ...fields,
  });
}

const cases: [string, Record<string, unknown>][] = [
  ['CPU only', { resources: { cpu: 2, memory: '4Gi' } }],
  [
    'whole GPUs on workers, CPU ps',
    {
      ps: 2,
      workers: 4,
      resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 2 } },
      psResources: { cpu: 4, memory: '16Gi' },
    },
  ],
  ['fractional GPU', { resources: { cpu: 1, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.3 } } }],
  ['Ascend', { resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } }],
  [
    'env, hyperparameters, restarts',
    {
      env: { EPOCHS: '2' },
      hyperparameters: { lr: 0.1 },
      autoRestart: { maxRestarts: 2 },
      resources: { cpu: 1, memory: '1Gi' },
    },
  ],
];

describe('psWorkerJobSet', () => {
  it.each(cases)('validates against the JobSet CRD: %s', (_label, fields) => {
    const [, jobSet] = psWorkerManifests(psWorker(fields), options);
    expect(jobSetSchema.validate(jobSet)).toEqual({ valid: true, errors: [] });
  });

  it('has ps and worker replicated jobs with one pod per instance, suspended, done when the workers are', () => {
    const jobSet = psWorkerJobSet(
      psWorker({ ps: 2, workers: 3, resources: { cpu: 4, memory: '8Gi' }, psResources: { cpu: 2, memory: '4Gi' } }),
      options,
    );
    const [ps, worker] = jobSet.spec.replicatedJobs;
    expect([ps.name, ps.template.spec.parallelism, ps.template.spec.completions]).toEqual(['ps', 2, 2]);
    expect([worker.name, worker.template.spec.parallelism]).toEqual(['worker', 3]);
    expect(ps.template.spec.template.spec.containers[0]?.resources.limits).toEqual({ cpu: 2, memory: '4Gi' });
    expect(worker.template.spec.template.spec.containers[0]?.resources.limits).toEqual({ cpu: 4, memory: '8Gi' });
    expect(worker.template.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'AIPLAT_ROLE',
      value: 'worker',
    });
    expect(jobSet.spec.suspend).toBe(true);
    expect(jobSet.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['worker'] });
    expect(jobSet.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('default');
  });

  it('refuses a job of another mode', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      mode: 'ddp',
      command: 'python x',
      resources: { cpu: 1, memory: '1Gi' },
    });
    expect(() => psWorkerJobSet(spec, options)).toThrow(/ps-worker jobs, not ddp/);
  });

  it('the schema check catches a string where the schema wants an integer', () => {
    const jobSet = psWorkerJobSet(psWorker({ resources: { cpu: 1, memory: '1Gi' } }), options);
    const broken = { ...jobSet, spec: { ...jobSet.spec, failurePolicy: { maxRestarts: '1' } } };
    expect(jobSetSchema.validate(broken).errors).toContain('/spec/failurePolicy/maxRestarts: must be integer');
  });
});
