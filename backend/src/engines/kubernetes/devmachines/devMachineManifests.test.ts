import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema, type DevMachineSpecInput } from '@aiplat/api';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema, manifestOptionsFor } from '../config.js';
import { devMachineManifests, devMachineServiceHost, type DevMachineSecrets } from './devMachineManifests.js';

const config = KubernetesConfigSchema.parse({
  enabled: true,
  queues: { default: { localQueue: 'lq-default', nodeSelector: { pool: 'dev' } } },
});
const SECRETS: DevMachineSecrets = {
  ideToken: 'ide-secret-0123456789',
  platformServer: 'http://aiplat.aiplat-system.svc:8080',
  platformToken: 'alice-platform-token-0123',
};

function build(spec: Partial<DevMachineSpecInput> = {}, owner = 'alice', secrets = SECRETS) {
  const parsed = DevMachineSpecSchema.parse({
    name: 'box',
    image: 'registry.example.com/aiplat/devmachine:1',
    resources: { cpu: 4, memory: '16Gi' },
    env: { HF_HOME: '/work/cache/hf' },
    workingDir: 'home/project',
    ...spec,
  });
  const id = 'dm-1a2b3c4d5e';
  return devMachineManifests({ id, owner, spec: parsed }, secrets, {
    base: manifestOptionsFor(config, { user: owner, jobId: id, queue: parsed.queue }),
  });
}

describe('a dev machine’s Kubernetes objects', () => {
  it('are a Secret, a Service, a NetworkPolicy and a one-pod StatefulSet that the real schemas accept', () => {
    const [secret, service, networkPolicy, statefulSet] = build();
    expect(coreValidator('NetworkPolicy').validate(networkPolicy)).toEqual({ valid: true, errors: [] });
    expect(coreValidator('Secret').validate(secret)).toEqual({ valid: true, errors: [] });
    expect(coreValidator('Service').validate(service)).toEqual({ valid: true, errors: [] });
    expect(coreValidator('StatefulSet').validate(statefulSet)).toEqual({ valid: true, errors: [] });
    expect(
      coreValidator('StatefulSet').validate({ ...statefulSet, spec: { ...statefulSet.spec, replicas: '1' } }).valid,
    ).toBe(false);
    expect(statefulSet.metadata).toMatchObject({ name: 'dm-1a2b3c4d5e', namespace: 'aiplat-alice' });
    expect(statefulSet.spec).toMatchObject({ replicas: 1, serviceName: 'dm-1a2b3c4d5e' });
    expect(service.spec.selector).toEqual(statefulSet.spec.template.metadata.labels);
    expect(statefulSet.spec.selector.matchLabels).toEqual(statefulSet.spec.template.metadata.labels);
  });

  it('go to the queue’s Kueue LocalQueue at the spec’s priority, on the queue’s nodes', () => {
    const [, , , statefulSet] = build({ priority: 2 });
    expect(statefulSet.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'lq-default',
      'kueue.x-k8s.io/priority-class': 'p2',
      'app.kubernetes.io/managed-by': 'aiplat',
      'aiplat.io/devmachine': 'dm-1a2b3c4d5e',
    });
    expect(statefulSet.spec.template.spec.nodeSelector).toEqual({ pool: 'dev' });
  });

  it('run the image’s entrypoint with the IDEs, the base path, the spec’s env and /work, in the working folder', () => {
    const [, , , statefulSet] = build();
    const container = statefulSet.spec.template.spec.containers[0]!;
    expect(container.image).toBe('registry.example.com/aiplat/devmachine:1');
    expect(container.command).toEqual(['/usr/local/bin/aiplat-devmachine']);
    expect(container.workingDir).toBe('/work/home/alice/project');
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'HF_HOME', value: '/work/cache/hf' },
        { name: 'AIPLAT_IDES', value: 'jupyterlab,code-server' },
        { name: 'AIPLAT_BASE_PATH', value: '/devmachines/dm-1a2b3c4d5e/' },
      ]),
    );
    expect(container.volumeMounts.map((m) => m.mountPath)).toEqual(['/work/home/alice', '/work/cache', '/work/mount']);
    expect(statefulSet.spec.template.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName)).toEqual([
      'aiplat-home-alice',
      'aiplat-cache',
      'aiplat-mount',
    ]);
  });

  it('keep every secret in the Secret: the pod only refers to it', () => {
    const [secret, service, , statefulSet] = build();
    expect(secret.stringData).toEqual({
      'ide-token': SECRETS.ideToken,
      'aiplat-server': SECRETS.platformServer,
      'aiplat-token': SECRETS.platformToken,
    });
    const visible = JSON.stringify([service, statefulSet]);
    expect(visible).not.toContain(SECRETS.ideToken);
    expect(visible).not.toContain(SECRETS.platformToken);
    const env = statefulSet.spec.template.spec.containers[0]!.env;
    expect(env).toContainEqual({
      name: 'AIPLAT_TOKEN',
      valueFrom: { secretKeyRef: { name: 'dm-1a2b3c4d5e-ide', key: 'aiplat-token' } },
    });
  });

  it('open a port, a Service port and a readiness probe for the IDEs of the spec only', () => {
    const [, service, networkPolicy, statefulSet] = build({ ides: ['code-server'] });
    const container = statefulSet.spec.template.spec.containers[0]!;
    expect(container.ports).toEqual([{ name: 'code', containerPort: 8080, protocol: 'TCP' }]);
    expect(service.spec.ports).toEqual([{ name: 'code', port: 8080, targetPort: 'code', protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'code' });
    // Only the backend's pods get through, and only to those ports.
    expect(networkPolicy.spec.podSelector.matchLabels).toEqual(statefulSet.spec.template.metadata.labels);
    expect(networkPolicy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'aiplat-system' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aiplat-backend' } },
          },
        ],
        ports: [{ port: 'code', protocol: 'TCP' }],
      },
    ]);
    const [, , , lab] = build({ ides: ['jupyterlab'] });
    expect(lab.spec.template.spec.containers[0]!.readinessProbe.httpGet).toEqual({
      path: '/devmachines/dm-1a2b3c4d5e/lab/api',
      port: 'lab',
    });
  });

  it('ask for GPUs as jobs do: whole devices, or a share through HAMi', () => {
    const whole = build({ resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'nvidia', count: 2 } } })[3];
    expect(whole.spec.template.spec.containers[0]!.resources.limits).toEqual({
      cpu: '8',
      memory: '32Gi',
      'nvidia.com/gpu': '2',
    });
    const share = build({ resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } } })[3];
    expect(share.spec.template.spec.containers[0]!.resources.limits).toMatchObject({
      'nvidia.com/gpu': '1',
      'nvidia.com/gpucores': '50',
    });
    expect(coreValidator('StatefulSet').validate(share)).toEqual({ valid: true, errors: [] });
  });

  it('keep label values valid for an owner whose name labels cannot hold, and are the same each time', () => {
    const [, , , statefulSet] = build({}, 'Ann_Lee.');
    expect(statefulSet.metadata.labels['aiplat.io/user']).toMatch(/^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/);
    expect(statefulSet.metadata.annotations['aiplat.io/user']).toBe('Ann_Lee.');
    expect(coreValidator('StatefulSet').validate(statefulSet)).toEqual({ valid: true, errors: [] });
    expect(build()).toEqual(build());
  });

  it('need an image: the spec’s or the configured default', () => {
    expect(() => build({ image: undefined })).toThrow(/image is required for dev machines/);
    expect(devMachineServiceHost('dm-1a2b3c4d5e', 'aiplat-alice')).toBe('dm-1a2b3c4d5e.aiplat-alice.svc');
  });
});
