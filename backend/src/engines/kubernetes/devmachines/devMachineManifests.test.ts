import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema, type DevMachineSpecInput } from '@aiplat/api';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema, manifestOptionsFor } from '../config.js';
import {
  devMachineManifests,
  devMachineServiceHost,
  type DevMachineObject,
  type DevMachineSecrets,
} from './devMachineManifests.js';

const config = KubernetesConfigSchema.parse({
  enabled: true,
  queues: { default: { localQueue: 'lq-default', nodeSelector: { pool: 'dev' } } },
});
const SECRETS: DevMachineSecrets = {
  ideToken: 'ide-secret-0123456789',
  platformServer: 'http://aiplat.aiplat-system.svc:8080',
  platformToken: 'alice-platform-token-0123',
};

const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** Every object against the Kubernetes v1.35 schema of its kind (unknown fields refused). */
function expectValid(objects: readonly DevMachineObject[]) {
  for (const object of objects) {
    expect(coreValidator(object.kind).validate(object), `${object.kind} ${object.metadata.name}`).toEqual({
      valid: true,
      errors: [],
    });
  }
}

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
  it('carry the start’s lifecycle scripts in the Secret, mounted for the entrypoint with their time limit', () => {
    const lifecycle = { onCreate: 'pip install -r /work/home/alice/req.txt\n', onStart: 'echo 你好\n' };
    const objects = devMachineManifests(
      {
        id: 'dm-1a2b3c4d5e',
        owner: 'alice',
        spec: DevMachineSpecSchema.parse({ name: 'box', resources: { cpu: 1, memory: '1Gi' } }),
      },
      { ...SECRETS, lifecycle },
      {
        base: manifestOptionsFor(config, { user: 'alice', jobId: 'dm-1a2b3c4d5e', queue: 'default' }),
        defaultImage: 'registry.example.com/aiplat/devmachine:1',
        lifecycleTimeoutSeconds: 120,
      },
    );
    expectValid(objects);
    const [secret, , , statefulSet] = objects;
    expect(secret.stringData).toMatchObject({ 'on-create.sh': lifecycle.onCreate, 'on-start.sh': lifecycle.onStart });
    const pod = statefulSet.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'lifecycle',
      secret: {
        secretName: 'dm-1a2b3c4d5e-ide',
        items: [
          { key: 'on-create.sh', path: 'on-create.sh' },
          { key: 'on-start.sh', path: 'on-start.sh' },
        ],
        defaultMode: 0o500,
      },
    });
    const [container] = pod.containers;
    expect(container!.volumeMounts).toContainEqual({
      name: 'lifecycle',
      mountPath: '/etc/aiplat/lifecycle',
      readOnly: true,
    });
    expect(container!.env).toEqual(
      expect.arrayContaining([
        { name: 'AIPLAT_LIFECYCLE_DIR', value: '/etc/aiplat/lifecycle' },
        { name: 'AIPLAT_LIFECYCLE_TIMEOUT', value: '120' },
      ]),
    );
    // A later start (on-create done) mounts on-start only; none at all without scripts.
    const later = devMachineManifests(
      {
        id: 'dm-1a2b3c4d5e',
        owner: 'alice',
        spec: DevMachineSpecSchema.parse({ name: 'box', resources: { cpu: 1, memory: '1Gi' } }),
      },
      { ...SECRETS, lifecycle: { onStart: lifecycle.onStart } },
      {
        base: manifestOptionsFor(config, { user: 'alice', jobId: 'dm-1a2b3c4d5e', queue: 'default' }),
        defaultImage: 'registry.example.com/aiplat/devmachine:1',
      },
    );
    expect(Object.keys(later[0].stringData)).not.toContain('on-create.sh');
    expect(later[3].spec.template.spec.containers[0]!.env).toContainEqual({
      name: 'AIPLAT_LIFECYCLE_TIMEOUT',
      value: '300',
    });
    const none = build();
    expect(none[3].spec.template.spec.volumes.map((volume) => volume.name)).not.toContain('lifecycle');
    expect(none[3].spec.template.spec.containers[0]!.env.map((env) => env.name)).not.toContain('AIPLAT_LIFECYCLE_DIR');
  });

  it('are a Secret, a Service, a NetworkPolicy and a one-pod StatefulSet that the real schemas accept', () => {
    const objects = build();
    const [secret, service, , statefulSet] = objects;
    expectValid(objects);
    for (const object of objects) expect(object.metadata.namespace).toBe('aiplat-alice');
    expect(secret.metadata.name).toBe('dm-1a2b3c4d5e-ide');
    expect(
      coreValidator('StatefulSet').validate({ ...statefulSet, spec: { ...statefulSet.spec, replicas: '1' } }).valid,
    ).toBe(false);
    expect(statefulSet.metadata).toMatchObject({ name: 'dm-1a2b3c4d5e', namespace: 'aiplat-alice' });
    expect(statefulSet.spec).toMatchObject({ replicas: 1, serviceName: 'dm-1a2b3c4d5e' });
    expect(service.spec.type).toBe('ClusterIP');
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(statefulSet.spec.selector.matchLabels);
  });

  it('carry the platform’s labels, and go to the queue’s Kueue LocalQueue at the spec’s priority, on the queue’s nodes', () => {
    const objects = build({ priority: 2 });
    const identity = {
      'app.kubernetes.io/managed-by': 'aiplat',
      'aiplat.io/devmachine': 'dm-1a2b3c4d5e',
      'aiplat.io/user': 'alice',
    };
    for (const object of objects) expect(object.metadata.labels).toMatchObject(identity);
    const statefulSet = objects[3];
    const kueue = { 'kueue.x-k8s.io/queue-name': 'lq-default', 'kueue.x-k8s.io/priority-class': 'p2' };
    expect(statefulSet.metadata.labels).toMatchObject(kueue);
    expect(statefulSet.spec.template.metadata.labels).toEqual({ ...identity, ...kueue });
    // Only the StatefulSet is a Kueue workload.
    expect(objects[0].metadata.labels).not.toHaveProperty('kueue.x-k8s.io/queue-name');
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

  it('open a port, a Service port and a probe for each IDE: both IDEs', () => {
    const [, service, networkPolicy, statefulSet] = build();
    const container = statefulSet.spec.template.spec.containers[0]!;
    expect(container.ports).toEqual([
      { name: 'lab', containerPort: 8888, protocol: 'TCP' },
      { name: 'code', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(service.spec.ports).toEqual([
      { name: 'lab', port: 8888, targetPort: 'lab', protocol: 'TCP' },
      { name: 'code', port: 8080, targetPort: 'code', protocol: 'TCP' },
    ]);
    // Probes that need no token: JupyterLab's /api (its version) and code-server's /healthz.
    expect(container.readinessProbe.httpGet).toEqual({ path: '/devmachines/dm-1a2b3c4d5e/lab/api', port: 'lab' });
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'code' });
    expect(networkPolicy.spec.ingress[0]!.ports).toEqual([
      { port: 'lab', protocol: 'TCP' },
      { port: 'code', protocol: 'TCP' },
    ]);
  });

  it('open a port, a Service port and a probe for the IDEs of the spec only', () => {
    const [, service, networkPolicy, statefulSet] = build({ ides: ['code-server'] });
    const container = statefulSet.spec.template.spec.containers[0]!;
    expect(container.ports).toEqual([{ name: 'code', containerPort: 8080, protocol: 'TCP' }]);
    expect(service.spec.ports).toEqual([{ name: 'code', port: 8080, targetPort: 'code', protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'code' });
    expect(container).not.toHaveProperty('startupProbe');
    // Only the backend's pods get through, and only to those ports.
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(networkPolicy.spec.podSelector.matchLabels);
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
    const lab = build({ ides: ['jupyterlab'] });
    const labContainer = lab[3].spec.template.spec.containers[0]!;
    expect(labContainer.ports.map((p) => p.name)).toEqual(['lab']);
    expect(lab[1].spec.ports.map((p) => p.port)).toEqual([8888]);
    expect(labContainer.readinessProbe.httpGet).toEqual({ path: '/devmachines/dm-1a2b3c4d5e/lab/api', port: 'lab' });
    expect(labContainer).not.toHaveProperty('startupProbe');
    expect(labContainer.env).toContainEqual({ name: 'AIPLAT_IDES', value: 'jupyterlab' });
    expectValid(lab);
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
    expectValid([share]);
  });

  it('ask for Ascend NPUs as jobs do: whole devices only', () => {
    const npus = build({ resources: { cpu: 8, memory: '32Gi', accelerator: { type: 'ascend', count: 2 } } })[3];
    const container = npus.spec.template.spec.containers[0]!;
    expect(container.resources.requests).toMatchObject({ 'huawei.com/Ascend910': '2' });
    expect(container.resources.limits).toMatchObject({ 'huawei.com/Ascend910': '2' });
    expect(container.resources.limits).not.toHaveProperty('nvidia.com/gpu');
    expectValid([npus]);
    expect(() => build({ resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'ascend', count: 0.5 } } })).toThrow(
      /whole devices/,
    );
  });

  it('keep label values valid for an owner whose name labels cannot hold, and are the same each time', () => {
    for (const owner of ['Ann_Lee.', 'ann@example.com', `-${'x'.repeat(80)}-`]) {
      const objects = build({ name: '开发机_Box-1' }, owner);
      for (const object of objects) {
        for (const value of Object.values(object.metadata.labels)) expect(value).toMatch(LABEL_VALUE);
        // The exact owner is kept where any text may go.
        expect(object.metadata.annotations['aiplat.io/user']).toBe(owner);
      }
      const podLabels = objects[3].spec.template.metadata.labels;
      for (const value of Object.values(podLabels)) expect(value).toMatch(LABEL_VALUE);
      // Objects are named after the id, never the spec's name.
      expect(objects.map((o) => o.metadata.name)).toEqual([
        'dm-1a2b3c4d5e-ide',
        'dm-1a2b3c4d5e',
        'dm-1a2b3c4d5e',
        'dm-1a2b3c4d5e',
      ]);
      expectValid(objects);
    }
    expect(build({}, 'ann@example.com')[3].metadata.labels['aiplat.io/user']).not.toBe(
      build({}, 'ann#example.com')[3].metadata.labels['aiplat.io/user'],
    );
    expect(build()).toEqual(build());
    expect(JSON.stringify(build({ priority: 3, ides: ['code-server'] }))).toBe(
      JSON.stringify(build({ priority: 3, ides: ['code-server'] })),
    );
  });

  it('need an image: the spec’s or the configured default', () => {
    expect(() => build({ image: undefined })).toThrow(/image is required for dev machines/);
    const withDefault = devMachineManifests(
      {
        id: 'dm-1a2b3c4d5e',
        owner: 'alice',
        spec: DevMachineSpecSchema.parse({ name: 'box', resources: { cpu: 1, memory: '1Gi' } }),
      },
      { ideToken: 't' },
      {
        base: manifestOptionsFor(config, { user: 'alice', jobId: 'dm-1a2b3c4d5e', queue: 'default' }),
        defaultImage: 'registry.example.com/aiplat/devmachine:2',
      },
    );
    expect(withDefault[3].spec.template.spec.containers[0]!.image).toBe('registry.example.com/aiplat/devmachine:2');
  });

  it('are reached by the proxy at their Service', () => {
    expect(devMachineServiceHost('dm-1a2b3c4d5e', 'aiplat-alice')).toBe('dm-1a2b3c4d5e.aiplat-alice.svc');
  });
});
