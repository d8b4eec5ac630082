import { describe, expect, it } from 'vitest';
import { ServiceSpecSchema, type ServiceSpecInput } from '@aiplat/api';
import { coreValidator, crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema } from '../config.js';
import { pipEnv } from './serviceContainer.js';
import { dryRunService, REDACTED_PIP_SETTING } from './serviceDryRun.js';
import type { ServiceObject } from './serviceManifests.js';

type Kind<K extends ServiceObject['kind']> = Extract<ServiceObject, { kind: K }>;

const PIP = {
  indexUrl: 'https://pypi.mirror.example/simple',
  extraIndexUrls: [],
  findLinks: [],
  trustedHosts: ['pypi.mirror.example'],
  noIndex: false,
};
const PRIVATE_INDEX = 'https://__token__:s3cr3t-index-token@pypi.corp.example/simple';

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
      env: { LOG_LEVEL: 'debug', PORT: '1' },
      command: 'exec uvicorn app:app --port $PORT',
      port: 9000,
      resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } },
      replicas: 3,
      probes: {
        startup: { type: 'exec', command: 'test -f /tmp/loaded', periodSeconds: 5, failureThreshold: 60 },
        readiness: { type: 'http', path: '/healthz', initialDelaySeconds: 3, timeoutSeconds: 2 },
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

const byKind = <K extends ServiceObject['kind']>(objects: readonly ServiceObject[], kind: K) =>
  objects.find((o) => o.kind === kind) as Kind<K>;

describe('service manifests', () => {
  it('makes a ConfigMap, Service, NetworkPolicy and Deployment that the schemas accept, no Secret without one', () => {
    const objects = dryRunService('alice', spec(), config(), PIP);
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'NetworkPolicy', 'Deployment']);
    expect(
      objects.every((o) => o.metadata.name === 'svc-gpt2-chat-v1' && o.metadata.namespace === 'aiplat-alice'),
    ).toBe(true);
    expectValid(objects);
    const deployment = byKind(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.env).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'AIPLAT_DEVICES_PER_NODE', value: '1' },
      { name: 'AIPLAT_GPU_SHARE', value: '0.5' },
      { name: 'PORT', value: '9000' },
      { name: 'MODEL_DIR', value: '/data/model' },
      { name: 'AIPLAT_SERVICE', value: 'gpt2-chat' },
      { name: 'AIPLAT_SERVICE_VERSION', value: '1' },
      { name: 'PIP_INDEX_URL', value: 'https://pypi.mirror.example/simple' },
      { name: 'PIP_TRUSTED_HOST', value: 'pypi.mirror.example' },
    ]);
    expect(container.command).toEqual(['/bin/sh', '/etc/aiplat/start.sh']);
    expect(container.volumeMounts).toContainEqual({
      name: 'aiplat-mount',
      mountPath: '/data/model',
      readOnly: true,
      subPath: 'models/tiny-gpt2',
    });
    expect(container.volumeMounts).toContainEqual({ name: 'aiplat-start', mountPath: '/etc/aiplat', readOnly: true });
    expect(container.workingDir).toBe('/work/home/alice/serving');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
  });

  it('writes the start script: requirements into a venv under /tmp from pip variables, then the command', () => {
    const configMap = byKind(dryRunService('alice', spec(), config(), PIP), 'ConfigMap');
    expect(configMap.data['requirements.txt']).toBe('fastapi==0.115.0\n');
    expect(configMap.data['command.sh']).toBe('exec uvicorn app:app --port $PORT');
    const script = configMap.data['start.sh']!;
    expect(script).toContain('python3 -m venv --system-site-packages /tmp/aiplat-venv');
    expect(script).toContain('pip install --no-input --disable-pip-version-check -r /etc/aiplat/requirements.txt');
    expect(script).toMatch(/exec \/bin\/sh \/etc\/aiplat\/command\.sh\n$/);
    // The index is pip's own environment, never written into the script.
    expect(script).not.toMatch(/--index-url|--find-links|https?:/);
  });

  it('maps each probe kind with its timings, and reads readiness as a TCP connect when none is given', () => {
    const container = byKind(dryRunService('alice', spec(), config(), PIP), 'Deployment').spec.template.spec
      .containers[0]!;
    expect(container.readinessProbe).toEqual({
      httpGet: { path: '/healthz', port: 9000 },
      initialDelaySeconds: 3,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(container.livenessProbe).toEqual({
      tcpSocket: { port: 9000 },
      initialDelaySeconds: 0,
      periodSeconds: 20,
      timeoutSeconds: 1,
      failureThreshold: 3,
    });
    expect(container.startupProbe).toEqual({
      exec: { command: ['/bin/sh', '-c', 'test -f /tmp/loaded'] },
      initialDelaySeconds: 0,
      periodSeconds: 5,
      timeoutSeconds: 1,
      failureThreshold: 60,
    });
    const defaults = byKind(
      dryRunService('alice', spec({ probes: { readiness: { type: 'tcp', port: 9001 } } }), config(), PIP),
      'Deployment',
    ).spec.template.spec.containers[0]!;
    expect(defaults.readinessProbe).toMatchObject({ tcpSocket: { port: 9001 } });
    expect(defaults.startupProbe).toBeUndefined();
    expect(defaults.livenessProbe).toBeUndefined();
    const none = byKind(dryRunService('alice', spec({ probes: {} }), config(), PIP), 'Deployment').spec.template.spec
      .containers[0]!;
    expect(none.readinessProbe).toEqual({
      tcpSocket: { port: 9000 },
      initialDelaySeconds: 0,
      periodSeconds: 2,
      timeoutSeconds: 1,
      failureThreshold: 1,
    });
  });

  it('asks for a GPU share the way jobs do (HAMi), whole GPUs and Ascend NPUs as whole devices', () => {
    const resourcesOf = (accelerator: { type: 'nvidia' | 'ascend'; count: number }) => {
      const objects = dryRunService(
        'alice',
        spec({ resources: { cpu: 2, memory: '8Gi', accelerator } }),
        config(),
        PIP,
      );
      expectValid(objects);
      return byKind(objects, 'Deployment').spec.template.spec.containers[0]!.resources;
    };
    const share = {
      cpu: '2',
      memory: '8Gi',
      'nvidia.com/gpu': '1',
      'nvidia.com/gpucores': '50',
      'nvidia.com/gpumem-percentage': '50',
    };
    expect(resourcesOf({ type: 'nvidia', count: 0.5 })).toEqual({ requests: share, limits: share });
    expect(resourcesOf({ type: 'nvidia', count: 2 }).limits).toEqual({
      cpu: '2',
      memory: '8Gi',
      'nvidia.com/gpu': '2',
    });
    expect(resourcesOf({ type: 'ascend', count: 1 }).limits).toEqual({
      cpu: '2',
      memory: '8Gi',
      'huawei.com/Ascend910': '1',
    });
    expect(() =>
      dryRunService(
        'alice',
        spec({ resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'ascend', count: 0.5 } } }),
        config(),
        PIP,
      ),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        issues: [expect.objectContaining({ path: 'body.spec.version.resources' })],
      }),
    );
  });

  it('labels the Deployment and its pods for Kueue, selects the pods by the version, lets only the backend in', () => {
    const objects = dryRunService('alice', spec(), config(), PIP);
    const deployment = byKind(objects, 'Deployment');
    const kueue = { 'kueue.x-k8s.io/queue-name': 'lq-default', 'kueue.x-k8s.io/priority-class': expect.any(String) };
    expect(deployment.metadata.labels).toMatchObject(kueue);
    const podLabels = deployment.spec.template.metadata.labels;
    expect(podLabels).toMatchObject({
      ...kueue,
      'aiplat.io/service': 'gpt2-chat',
      'aiplat.io/service-version': '1',
      'app.kubernetes.io/managed-by': 'aiplat',
    });
    expect(podLabels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(podLabels).toMatchObject(byKind(objects, 'Service').spec.selector);
    const policy = byKind(objects, 'NetworkPolicy');
    expect(podLabels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'aiplat-system' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aiplat-backend' } },
          },
        ],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
    expect(byKind(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 9000, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('serves through a KServe InferenceService when configured, valid against its CRD, its pods labelled', () => {
    const objects = dryRunService('alice', spec({ probes: {} }), config('kserve'), PIP);
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'NetworkPolicy', 'InferenceService']);
    expectValid(objects);
    const inference = byKind(objects, 'InferenceService');
    expect(inference.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('RawDeployment');
    const { predictor } = inference.spec;
    expect(predictor).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
    expect(predictor.labels).toMatchObject({
      'aiplat.io/service': 'gpt2-chat',
      'aiplat.io/service-version': '1',
      'kueue.x-k8s.io/queue-name': 'lq-default',
    });
    expect(predictor.labels).toMatchObject(byKind(objects, 'NetworkPolicy').spec.podSelector.matchLabels);
    const container = predictor.containers[0]!;
    expect(container.name).toBe('kserve-container');
    expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
    expect(container.resources.limits['nvidia.com/gpucores']).toBe('50');
    expect(container.volumeMounts).toContainEqual(
      expect.objectContaining({ mountPath: '/data/model', readOnly: true }),
    );
  });

  it('puts a pip setting with a password in a Secret, referenced by name, and shows no value in the dry run', () => {
    const pip = { ...PIP, indexUrl: PRIVATE_INDEX, findLinks: ['https://wheels.example/'] };
    expect(pipEnv(pip).secret.map((env) => env.name)).toEqual(['PIP_INDEX_URL']);
    for (const serving of ['deployment', 'kserve'] as const) {
      const objects = dryRunService('alice', spec(), config(serving), pip);
      expectValid(objects);
      expect(JSON.stringify(objects)).not.toContain('s3cr3t-index-token');
      const secret = byKind(objects, 'Secret');
      expect(secret.stringData).toEqual({ PIP_INDEX_URL: REDACTED_PIP_SETTING });
      const workload = byKind(objects, serving === 'kserve' ? 'InferenceService' : 'Deployment');
      const containers =
        workload.kind === 'Deployment' ? workload.spec.template.spec.containers : workload.spec.predictor.containers;
      expect(containers[0]!.env).toEqual(
        expect.arrayContaining([
          { name: 'PIP_INDEX_URL', valueFrom: { secretKeyRef: { name: 'svc-gpt2-chat-v1', key: 'PIP_INDEX_URL' } } },
          { name: 'PIP_FIND_LINKS', value: 'https://wheels.example/' },
        ]),
      );
    }
  });

  it('refuses a version without an image with a 400 at the field', () => {
    expect(() => dryRunService('alice', spec({ image: undefined }), config(), PIP)).toThrow(
      expect.objectContaining({ status: 400, issues: [expect.objectContaining({ path: 'body.spec.version.image' })] }),
    );
  });
});
