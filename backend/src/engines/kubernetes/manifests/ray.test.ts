import { JobSpecSchema, type JobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../schemas/crdValidator.js';
import { rayEntrypoint, rayJob, rayManifests } from './ray.js';
import { testOptions } from './testOptions.js';

const rayJobSchema = crdValidator('RayJob', 'v1');

const options = testOptions('erin', 'job-20261123-0005');

function ray(fields: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({
    name: 'ray-tune',
    mode: 'ray',
    image: 'rayproject/ray:2.40.0',
    command: 'python tune.py',
    head: { resources: { cpu: 2, memory: '8Gi' } },
    ...fields,
  });
}

const cases: [string, Record<string, unknown>][] = [
  ['head only', {}],
  [
    'CPU and whole-GPU groups',
    {
      workerGroups: [
        { name: 'cpu', replicas: 2, resources: { cpu: 4, memory: '8Gi' } },
        { name: 'gpu', replicas: 3, resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 2 } } },
      ],
    },
  ],
  [
    'fractional GPU',
    {
      workerGroups: [
        { name: 'share', resources: { cpu: 1, memory: '4Gi', accelerator: { type: 'nvidia', count: 0.5 } } },
      ],
    },
  ],
  [
    'Ascend',
    {
      workerGroups: [
        { name: 'npu', replicas: 2, resources: { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 8 } } },
      ],
    },
  ],
  [
    'env, hyperparameters, restarts',
    { env: { EPOCHS: '2' }, hyperparameters: { lr: 0.1 }, autoRestart: { maxRestarts: 1 } },
  ],
];

describe('rayJob', () => {
  it.each(cases)('validates against the RayJob CRD: %s', (_label, fields) => {
    const [, job] = rayManifests(ray(fields), options);
    expect(rayJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
  });

  it('has fixed-size worker groups, is suspended and shuts the cluster down after the job', () => {
    const job = rayJob(
      ray({
        workerGroups: [
          {
            name: 'gpu',
            replicas: 3,
            resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 1 } },
          },
        ],
      }),
      options,
    );
    const [group] = job.spec.rayClusterSpec.workerGroupSpecs;
    expect([group?.groupName, group?.replicas, group?.minReplicas, group?.maxReplicas]).toEqual(['gpu', 3, 3, 3]);
    expect(group?.template.spec.containers[0]?.resources.limits).toEqual({
      cpu: 8,
      memory: '32Gi',
      'nvidia.com/gpu': 1,
    });
    expect(job.spec.rayClusterSpec.headGroupSpec.template.spec.containers[0]?.command).toBeUndefined();
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.shutdownAfterJobFinishes).toBe(true);
  });

  it('runs the command through the entry wrapper, quoted as one shell word', () => {
    expect(rayEntrypoint(ray({ command: "python -c 'print(1)'" }))).toBe(
      `/opt/aiplat/entry.sh /bin/bash -c 'python -c '\\''print(1)'\\'''`,
    );
  });

  it('refuses a job of another mode', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      mode: 'ddp',
      command: 'python x',
      resources: { cpu: 1, memory: '1Gi' },
    });
    expect(() => rayJob(spec, options)).toThrow(/ray jobs, not ddp/);
  });

  it('the schema check catches a string where the schema wants an integer', () => {
    const job = rayJob(ray({ workerGroups: [{ name: 'cpu', resources: { cpu: 1, memory: '1Gi' } }] }), options);
    const groups = job.spec.rayClusterSpec.workerGroupSpecs.map((g) => ({ ...g, maxReplicas: '1' }));
    const broken = {
      ...job,
      spec: { ...job.spec, rayClusterSpec: { ...job.spec.rayClusterSpec, workerGroupSpecs: groups } },
    };
    expect(rayJobSchema.validate(broken).errors).toContain(
      '/spec/rayClusterSpec/workerGroupSpecs/0/maxReplicas: must be integer',
    );
  });
});
