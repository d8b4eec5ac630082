import { describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { ConfigSchema } from '../../config.js';
import { KubernetesConfigSchema, manifestOptionsFor, namespaceFor, userNamePart } from './config.js';

describe('the kubernetes config section', () => {
  it('defaults to a disabled engine, a namespace per user and one default queue', () => {
    const config = ConfigSchema.parse({}).kubernetes;
    expect(config).toEqual({
      enabled: false,
      namespace: 'aiplat-{user}',
      claims: { home: 'aiplat-home-{user}', cache: 'aiplat-cache', mount: 'aiplat-mount' },
      resourceNames: {},
      backendNamespace: 'aiplat-system',
      tensorboardImage: 'tensorflow/tensorflow:2.17.0',
      serviceServing: 'deployment',
      devMachineSsh: { serviceType: 'NodePort' },
      queues: { default: { policy: 1, nodeSelector: {}, tolerations: [] } },
    });
  });

  it('fills each queue with defaults', () => {
    const config = KubernetesConfigSchema.parse({ queues: { gpu: { policy: 2 }, cpu: {} } });
    expect(config.queues.gpu).toEqual({ policy: 2, nodeSelector: {}, tolerations: [] });
    expect(config.queues.cpu?.policy).toBe(1);
  });

  it.each([
    [{ namespace: 'Team_{user}' }, 'namespace'],
    [{ namespace: `${'x'.repeat(25)}-{user}` }, 'namespace'],
    [{ claims: { home: 'home {user}' } }, 'claims.home'],
    [{ queues: { gpu: { policy: 3 } } }, 'queues.gpu.policy'],
    [{ devMachineSsh: { serviceType: 'ClusterIP' } }, 'devMachineSsh.serviceType'],
    [{ queues: { GPU: {} } }, 'queues.GPU'],
    [{ queues: { gpu: { tolerations: [{ effect: 'NoRun' }] } } }, 'queues.gpu.tolerations.0.effect'],
    [{ queues: { gpu: { nodeSelector: { 'a b': 'x' } } } }, 'queues.gpu.nodeSelector.a b'],
    [{ resourceNames: { nvidiaGpu: 'gpu' } }, 'resourceNames.nvidiaGpu'],
    [{ resourceNames: { tpu: 'google.com/tpu' } }, 'resourceNames'],
    [{ namspace: 'typo' }, ''],
  ])('rejects %j at %s', (input, path) => {
    const result = KubernetesConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('manifestOptionsFor', () => {
  const config = KubernetesConfigSchema.parse({
    namespace: 'ml-{user}',
    claims: { home: 'home-{user}', cache: 'shared-cache', mount: 'datasets' },
    defaultImage: 'registry.example/train:1',
    resourceNames: { ascendNpu: 'huawei.com/Ascend910B' },
    queues: {
      default: {},
      a100: {
        localQueue: 'team-a100',
        nodeSelector: { 'node.kubernetes.io/instance-type': 'a100' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        resourceNames: { nvidiaGpu: 'example.com/a100' },
      },
    },
  });

  it("resolves the user's namespace and claims and takes the queue's placement and names", () => {
    expect(manifestOptionsFor(config, { user: 'alice', jobId: 'job-1', queue: 'a100' })).toEqual({
      jobId: 'job-1',
      user: 'alice',
      namespace: 'ml-alice',
      claims: { home: 'home-alice', cache: 'shared-cache', mount: 'datasets' },
      defaultImage: 'registry.example/train:1',
      resourceNames: { ascendNpu: 'huawei.com/Ascend910B', nvidiaGpu: 'example.com/a100' },
      localQueue: 'team-a100',
      nodeSelector: { 'node.kubernetes.io/instance-type': 'a100' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(manifestOptionsFor(config, { user: 'bob', jobId: 'job-2', queue: 'default' })).toMatchObject({
      localQueue: 'default',
      nodeSelector: {},
      tolerations: [],
    });
  });

  it('names the configured queues when the job asks for another', () => {
    let error: unknown;
    try {
      manifestOptionsFor(config, { user: 'alice', jobId: 'job-1', queue: 'h100' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('validation_failed');
    expect((error as ApiError).message).toMatch(/queue h100 .*: default, a100/);
    expect((error as ApiError).issues).toEqual([{ path: 'body.spec.queue', message: 'one of default, a100' }]);
    expect(() => manifestOptionsFor(config, { user: 'alice', jobId: 'j', queue: 'constructor' })).toThrow(ApiError);
  });

  it('makes DNS names of user names that are not, without letting two users share one', () => {
    expect(userNamePart('alice')).toBe('alice');
    expect(userNamePart('a_b')).toMatch(/^a-b-[0-9a-f]{6}$/);
    expect(userNamePart('a_b')).not.toBe(userNamePart('a-b'));
    expect(userNamePart('_x')).toMatch(/^x-[0-9a-f]{6}$/);
    expect(namespaceFor(config, 'dev_1')).toMatch(/^ml-dev-1-[0-9a-f]{6}$/);
  });
});
