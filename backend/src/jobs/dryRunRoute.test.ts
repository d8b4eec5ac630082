import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ApiError, ErrorBodySchema } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

/* POST /api/jobs/dry-run through the real HTTP server: no cluster, the config's defaults. */

let fx: PlatformFixture;
beforeAll(async () => {
  fx = await startPlatform();
});
afterAll(() => fx?.close());

const JOB_YAML = `name: mnist
mode: mpi
image: mpi:1
command: mpirun python train.py
nodes: 2
resources: { cpu: 2, memory: 4Gi, accelerator: { type: nvidia, count: 1 } }
priority: 3
`;

describe('POST /api/jobs/dry-run', () => {
  it("answers the job's manifests in the caller's namespace, creating no job", async () => {
    const result = await fx.client('bob').dryRunJob({ body: { yaml: JOB_YAML } });
    expect(result.engine).toBe('kubernetes');
    expect(result.namespace).toBe('aiplat-bob');
    expect(result.manifests).toMatchObject([
      { apiVersion: 'v1', kind: 'ConfigMap' },
      {
        apiVersion: 'kubeflow.org/v2beta1',
        kind: 'MPIJob',
        metadata: {
          namespace: 'aiplat-bob',
          labels: { 'kueue.x-k8s.io/queue-name': 'default', 'kueue.x-k8s.io/priority-class': 'p3' },
        },
      },
    ]);
    expect(parseAllDocuments(result.yaml).map((d) => d.toJS() as unknown)).toEqual(result.manifests);
    expect(result.serverDryRun).toBeUndefined();
    expect((await fx.client('bob').listJobs({ query: {} })).jobs).toEqual([]);
  });

  it('takes the spec as JSON too', async () => {
    const result = await fx.client().dryRunJob({
      body: {
        spec: {
          name: 'ddp',
          mode: 'ddp',
          command: 'python train.py',
          nodes: 1,
          resources: { cpu: 1, memory: '1Gi' },
        },
      },
    });
    expect(result.manifests.map((m) => (m as { kind: string }).kind)).toEqual(['ConfigMap', 'TrainJob']);
  });

  it('rejects a bad job with 400 and the fields to fix, as creating it does', async () => {
    const response = await fx.fetch('/api/jobs/dry-run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ yaml: JOB_YAML.replace('nodes: 2', 'nodes: 0') }),
    });
    expect(response.status).toBe(400);
    const { error } = ErrorBodySchema.parse(await response.json());
    expect(error.code).toBe('validation_failed');
    expect(error.issues?.map((i) => i.path)).toEqual(['body.yaml.nodes']);

    const unknownQueue = await fx
      .client()
      .dryRunJob({ body: { yaml: `${JOB_YAML}queue: h100\n` } })
      .catch((e: unknown) => e);
    expect(unknownQueue).toBeInstanceOf(ApiError);
    // The engine's check, pointed at the job.yaml's field and line like the file's own checks.
    expect((unknownQueue as ApiError).issues).toEqual([
      { path: 'body.yaml.queue', message: 'one of default (line 8)' },
    ]);
  });
});
