import { describe, expect, it } from 'vitest';
import { ServiceSpecSchema, type ServiceSpecInput } from '@aiplat/api';
import { coreValidator, crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema } from '../config.js';
import { dryRunService } from './serviceDryRun.js';
import type { ServiceObject } from './serviceManifests.js';

const PIP = {
  indexUrl: 'https://pypi.mirror.example/simple',
  extraIndexUrls: [],
  findLinks: [],
  trustedHosts: ['pypi.mirror.example'],
  noIndex: false,
};

const config = (serving: 'deployment' | 'kserve' = 'deployment') =>
  KubernetesConfigSchema.parse({
    enabled: true,
    serviceServing: serving,
    queues: { default: { localQueue: 'lq-default' } },
  });

function spec(version: Partial<ServiceSpecInput['version']> = {}) {
  return ServiceSpecSchema.parse({
    name: 'gpt2-chat',
    version: {
      model: 'mount/models/tiny-gpt2',
      code: 'home/serving',
      image: 'registry.example.com/serve:1',
      requirements: 'fastapi==0.115.0\n',
      command: 'exec uvicorn app:app --port $PORT',
      port: 9000,
      resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } },
      replicas: 3,
      probes: {
        startup: { type: 'exec', command: 'test -f /tmp/loaded', periodSeconds: 5, failureThreshold: 60 },
        readiness: { type: 'http', path: '/healthz' },
        liveness: { type: 'tcp', periodSeconds: 20 },
      },
      ...version,
    },
  });
}

/** Every object against the schema of its kind (core kinds from Kubernetes' OpenAPI, InferenceService from KServe's CRD). */
function expectValid(objects: readonly ServiceObject[]) {
  for (const object of objects) {
    const validator =
      object.kind === 'InferenceService' ? crdValidator('InferenceService', 'v1beta1') : coreValidator(object.kind);
    expect(validator.validate(object), `${object.kind} ${object.metadata.name}`).toEqual({ valid: true, errors: [] });
  }
}

describe('service manifests', () => {
  it('makes a ConfigMap, Service, NetworkPolicy and Deployment that the schemas accept', () => {
    const objects = dryRunService('alice', spec(), config(), PIP);
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'NetworkPolicy', 'Deployment']);
    expectValid(objects);
    const deployment = objects[3] as Extract<ServiceObject, { kind: 'Deployment' }>;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('lq-default');
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'PORT', value: '9000' },
        { name: 'MODEL_DIR', value: '/data/model' },
        { name: 'PIP_INDEX_URL', value: 'https://pypi.mirror.example/simple' },
        { name: 'PIP_TRUSTED_HOST', value: 'pypi.mirror.example' },
      ]),
    );
    expect(container.volumeMounts).toContainEqual({
      name: 'aiplat-mount',
      mountPath: '/data/model',
      readOnly: true,
      subPath: 'models/tiny-gpt2',
    });
    expect(container.workingDir).toBe('/work/home/alice/serving');
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 9000 } });
    expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 9000 }, periodSeconds: 20 });
    expect(container.startupProbe).toMatchObject({
      exec: { command: ['/bin/sh', '-c', 'test -f /tmp/loaded'] },
      failureThreshold: 60,
    });
    expect(container.resources.limits['nvidia.com/gpu']).toBeDefined();
  });

  it('serves through a KServe InferenceService when configured, valid against its CRD', () => {
    const objects = dryRunService('alice', spec({ probes: {} }), config('kserve'), PIP);
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'NetworkPolicy', 'InferenceService']);
    expectValid(objects);
    const inference = objects[2] as Extract<ServiceObject, { kind: 'InferenceService' }>;
    expect(inference.spec.predictor).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
    expect(inference.spec.predictor.containers[0]!.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
  });

  it('refuses a version without an image with a 400 at the field', () => {
    let error: unknown;
    try {
      dryRunService('alice', spec({ image: undefined }), config(), PIP);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 400, issues: [{ path: 'body.spec.version.image' }] });
  });
});
