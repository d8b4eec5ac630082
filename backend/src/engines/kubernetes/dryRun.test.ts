import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ApiError, JobSpecSchema, type JobSpec } from '@aiplat/api';
import { jobSpecFromBody } from '../../jobs/jobSpecFromBody.js';
import { KubernetesConfigSchema } from './config.js';
import { DRY_RUN_JOB_ID, dryRunJob, KubernetesDryRun } from './dryRun.js';
import type { KubeObject } from './manifests/common.js';

const config = KubernetesConfigSchema.parse({
  queues: { default: {}, gpu: { nodeSelector: { pool: 'gpu' } } },
});

function spec(fields: Record<string, unknown>): JobSpec {
  const resources = fields.mode === 'ray' ? {} : { resources: { cpu: 2, memory: '4Gi' } };
  return JobSpecSchema.parse({ name: 'demo', command: 'python train.py', ...resources, ...fields });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('dryRunJob', () => {
  it("returns the job's objects in the user's namespace, as JSON and as YAML", async () => {
    const result = await dryRunJob('alice', spec({ mode: 'ddp', nodes: 2, queue: 'gpu' }), config);
    expect(result.engine).toBe('kubernetes');
    expect(result.namespace).toBe('aiplat-alice');
    const kinds = (result.manifests as KubeObject[]).map((o) => [o.kind, o.metadata.namespace, o.metadata.name]);
    expect(kinds).toEqual([
      ['ConfigMap', 'aiplat-alice', `${DRY_RUN_JOB_ID}-hp`],
      ['TrainJob', 'aiplat-alice', DRY_RUN_JOB_ID],
    ]);
    expect(parseAllDocuments(result.yaml).map((d) => d.toJS() as unknown)).toEqual(result.manifests);
    expect(result.yaml).toContain('pool: gpu');
    expect(result).not.toHaveProperty('serverDryRun');
  });

  it("adds the cluster's server-side dry run when there is one, and its failure to answer", async () => {
    let asked: readonly KubeObject[] = [];
    const ok = await dryRunJob('alice', spec({ mode: 'ddp' }), config, (objects) => {
      asked = objects;
      return Promise.resolve({ ok: true, objects: [...objects] });
    });
    expect(asked.map((o) => o.kind)).toEqual(['ConfigMap', 'TrainJob']);
    expect(ok.serverDryRun).toEqual({ ok: true, objects: ok.manifests });
    const down = await dryRunJob('alice', spec({ mode: 'ddp' }), config, () =>
      Promise.reject(new Error('connect ECONNREFUSED')),
    );
    expect(down.serverDryRun).toEqual({
      ok: false,
      message: 'the cluster could not be asked: connect ECONNREFUSED',
    });
  });

  it('names every field the Kubernetes engine cannot take, at once', async () => {
    const error = await failure(
      dryRunJob(
        'alice',
        spec({
          mode: 'ray',
          queue: 'h100',
          head: { resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'ascend', count: 0.5 } } },
        }),
        config,
      ),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.issues?.map((i) => i.path)).toEqual([
      'body.spec.queue',
      'body.spec.image',
      'body.spec.head.resources.accelerator.count',
    ]);
    expect(error.issues?.[0]?.message).toBe('one of default, gpu');
  });

  it('refuses a summaryDir under mount, which the pods mount read-only, naming summaryDir', async () => {
    const error = await failure(dryRunJob('alice', spec({ mode: 'ddp', summaryDir: 'mount/datasets/runs' }), config));
    expect(error.code).toBe('validation_failed');
    expect(error.issues?.map((i) => i.path)).toEqual(['body.spec.summaryDir']);
    expect(error.message).toMatch(/read-only.*mount\/datasets\/runs.*home or cache/);
    const inCache = await dryRunJob('alice', spec({ mode: 'ddp', summaryDir: 'cache/runs/demo' }), config);
    expect(inCache.yaml).toContain('value: /work/cache/runs/demo');
  });

  it('takes the default image of the config for kinds without one of their own', async () => {
    const withImage = KubernetesConfigSchema.parse({ defaultImage: 'registry.example/mpi:1' });
    const result = await dryRunJob('bob', spec({ mode: 'mpi', nodes: 2 }), withImage);
    expect(result.yaml).toContain('image: registry.example/mpi:1');
  });
});

describe('KubernetesDryRun', () => {
  it('dry-runs a job.yaml and its problems are at body.yaml paths, as creating the job reports them', async () => {
    const dryRun = new KubernetesDryRun(config);
    const result = await dryRun.dryRun(
      'alice',
      jobSpecFromBody({ yaml: 'name: demo\nmode: ddp\ncommand: python t.py\nresources: { cpu: 1, memory: 1Gi }\n' }),
    );
    expect(result.manifests).toHaveLength(2);
    const error = await failure(
      Promise.resolve().then(() =>
        dryRun.dryRun('alice', jobSpecFromBody({ yaml: 'name: demo\nmode: ddp\nnodes: -1\n' })),
      ),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.issues?.map((i) => i.path)).toContain('body.yaml.nodes');
  });
});
