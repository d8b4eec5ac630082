import { JobSpecSchema, type JobSpec } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { rayEntrypoint, rayJob, rayManifests } from './ray.js';
import { testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

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
    const groups = job.spec.rayClusterSpec.workerGroupSpecs;
    expect(groups.map((g) => [g.groupName, g.replicas, g.minReplicas, g.maxReplicas])).toEqual([
      ['gpu-0', 1, 1, 1],
      ['gpu-1', 1, 1, 1],
      ['gpu-2', 1, 1, 1],
    ]);
    const [group] = groups;
    expect(group?.template.spec.containers[0]?.resources.limits).toEqual({
      cpu: 8,
      memory: '32Gi',
      'nvidia.com/gpu': 1,
    });
    expect(job.spec.rayClusterSpec.headGroupSpec.template.spec.containers[0]?.command).toBeUndefined();
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.shutdownAfterJobFinishes).toBe(true);
  });

  it('gives every Ray container its RANK, INDEX and instance as the local engine does: head 0, then each group', () => {
    const job = rayJob(
      ray({
        head: { resources: { cpu: 2, memory: '8Gi' } },
        workerGroups: [
          { name: 'cpu', replicas: 2, resources: { cpu: 4, memory: '8Gi' } },
          {
            name: 'gpu',
            replicas: 1,
            resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 2 } },
          },
        ],
      }),
      options,
    );
    const spec = job.spec.rayClusterSpec;
    const envOf = (template: { spec: { containers: { env: { name: string; value: string }[] }[] } }) =>
      Object.fromEntries(template.spec.containers[0]?.env.map((e) => [e.name, e.value]) ?? []);
    const pick = (env: Record<string, string>) => [
      env.RANK,
      env.INDEX,
      env.AIPLAT_INSTANCE,
      env.AIPLAT_RAY_GROUP,
      env.GPU_NUM_PER_NODE,
      env.GPU_NUM,
    ];
    expect(pick(envOf(spec.headGroupSpec.template))).toEqual(['0', '0', 'head-0', undefined, '0', '2']);
    expect(spec.workerGroupSpecs.map((g) => [g.groupName, ...pick(envOf(g.template))])).toEqual([
      ['cpu-0', '1', '1', 'ray-worker-0', 'cpu', '0', '2'],
      ['cpu-1', '2', '2', 'ray-worker-1', 'cpu', '0', '2'],
      ['gpu-0', '3', '3', 'ray-worker-2', 'gpu', '2', '2'],
    ]);
    expect(rayJobSchema.validate(job)).toEqual({ valid: true, errors: [] });
  });

  it('runs the command through the entry wrapper, quoted as one shell word', () => {
    expect(rayEntrypoint(ray({ command: "python -c 'print(1)'" }))).toBe(
      `/opt/aiplat/entry.sh /bin/bash -c 'python -c '\\''print(1)'\\'''`,
    );
  });

  it('labels the submitter pod as the job’s and leaves its command to KubeRay (its log is the job’s output)', () => {
    const submitter = rayJob(ray({}), options).spec.submitterPodTemplate;
    expect(submitter.metadata.labels['aiplat.io/job-id']).toBe('job-20261123-0005');
    expect(submitter.spec.restartPolicy).toBe('Never');
    expect(submitter.spec.containers).toEqual([
      expect.objectContaining({ name: 'ray-job-submitter', image: 'rayproject/ray:2.40.0' }),
    ]);
    expect(submitter.spec.containers[0]).not.toHaveProperty('command');
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
