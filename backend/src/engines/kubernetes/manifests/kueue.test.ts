import { describe, expect, it } from 'vitest';
import { KubernetesConfigSchema } from '../config.js';
import { crdValidator, type CrdKind } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import type { KubeObject } from './common.js';
import { kueueSetup, priorityValue, queueingFor } from './kueue.js';

const config = KubernetesConfigSchema.parse({
  namespace: 'ml-team',
  queues: {
    default: {},
    strict: { policy: 0 },
    urgent: { policy: 2, localQueue: 'urgent-lq', clusterQueue: 'urgent-cq' },
    npu: { resourceNames: { ascendNpu: 'huawei.com/Ascend310P' } },
  },
});

interface Found extends KubeObject {
  spec?: Record<string, unknown>;
  value?: number;
  description?: string;
}

function ofKind(objects: KubeObject[], kind: string): Found[] {
  return objects.filter((o) => o.kind === kind) as Found[];
}

describe('kueueSetup', () => {
  const objects = kueueSetup(config);

  it('validates every object against the Kueue v1beta2 CRDs', () => {
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set(['ResourceFlavor', 'WorkloadPriorityClass', 'ClusterQueue', 'LocalQueue']),
    );
    for (const object of objects) {
      const result = crdValidator(object.kind as CrdKind, 'v1beta2').validate(object);
      expect(result, `${object.kind} ${object.metadata.name}`).toEqual({ valid: true, errors: [] });
    }
  });

  it('orders them so each exists before what refers to it', () => {
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('ResourceFlavor')).toBe(0);
    expect(kinds.lastIndexOf('WorkloadPriorityClass')).toBeLessThan(kinds.indexOf('ClusterQueue'));
    expect(kinds.lastIndexOf('ClusterQueue')).toBeLessThan(kinds.indexOf('LocalQueue'));
  });

  it('has p0 (highest) to p9 (lowest) priority classes', () => {
    const classes = ofKind(objects, 'WorkloadPriorityClass');
    expect(classes.map((c) => [c.metadata.name, c.value])).toEqual([
      ['p0', 1000],
      ['p1', 900],
      ['p2', 800],
      ['p3', 700],
      ['p4', 600],
      ['p5', 500],
      ['p6', 400],
      ['p7', 300],
      ['p8', 200],
      ['p9', 100],
    ]);
    expect(classes[0]?.description).toMatch(/P0.*highest/);
    expect(priorityValue(0)).toBeGreaterThan(priorityValue(1));
  });

  it('maps the TI-ONE queue policies to queueing strategies and preemption', () => {
    const queues = new Map(ofKind(objects, 'ClusterQueue').map((q) => [q.metadata.name, q.spec ?? {}]));
    expect(queues.get('default')).toMatchObject({ queueingStrategy: 'BestEffortFIFO', namespaceSelector: {} });
    expect(queues.get('default')).not.toHaveProperty('preemption');
    expect(queues.get('strict')).toMatchObject({ queueingStrategy: 'StrictFIFO' });
    expect(queues.get('urgent-cq')).toMatchObject({
      queueingStrategy: 'BestEffortFIFO',
      preemption: { withinClusterQueue: 'LowerPriority' },
    });
    expect(queueingFor(0)).toEqual({ queueingStrategy: 'StrictFIFO' });
  });

  it('covers cpu, memory and the accelerator names of each queue, with placeholder or given quotas', () => {
    const quotas = (objs: KubeObject[], name: string) => {
      const queue = ofKind(objs, 'ClusterQueue').find((q) => q.metadata.name === name);
      const [group] = (queue?.spec?.resourceGroups ?? []) as {
        coveredResources: string[];
        flavors: { name: string; resources: { name: string; nominalQuota: unknown }[] }[];
      }[];
      expect(group?.flavors.map((f) => f.name)).toEqual(['default-flavor']);
      expect(group?.coveredResources).toEqual(group?.flavors[0]?.resources.map((r) => r.name));
      return Object.fromEntries(group?.flavors[0]?.resources.map((r) => [r.name, r.nominalQuota]) ?? []);
    };
    expect(quotas(objects, 'default')).toEqual({
      cpu: 100,
      memory: '1000Gi',
      'nvidia.com/gpu': 8,
      'nvidia.com/gpucores': 800,
      'nvidia.com/gpumem-percentage': 800,
      'huawei.com/Ascend910': 8,
    });
    expect(quotas(objects, 'npu')).toHaveProperty(['huawei.com/Ascend310P'], 8);
    const sized = kueueSetup(config, { quotas: { cpu: 512, 'nvidia.com/gpu': 32, memory: '4Ti' } });
    expect(quotas(sized, 'default')).toMatchObject({ cpu: 512, memory: '4Ti', 'nvidia.com/gpu': 32 });
  });

  it('puts a LocalQueue per queue in each namespace, pointing at its ClusterQueue', () => {
    const local = (objs: KubeObject[]) =>
      ofKind(objs, 'LocalQueue').map((q) => [q.metadata.namespace, q.metadata.name, q.spec?.clusterQueue]);
    expect(local(objects)).toEqual([
      ['ml-team', 'default', 'default'],
      ['ml-team', 'strict', 'strict'],
      ['ml-team', 'urgent-lq', 'urgent-cq'],
      ['ml-team', 'npu', 'npu'],
    ]);
    const perUser = KubernetesConfigSchema.parse({});
    expect(() => kueueSetup(perUser)).toThrow(/one namespace per user: name the namespaces/);
    expect(local(kueueSetup(perUser, { namespaces: ['aiplat-alice', 'aiplat-bob'] }))).toEqual([
      ['aiplat-alice', 'default', 'default'],
      ['aiplat-bob', 'default', 'default'],
    ]);
  });

  it('lets queues share a ClusterQueue only with the same policy', () => {
    const shared = KubernetesConfigSchema.parse({
      namespace: 'ml',
      queues: { a: { clusterQueue: 'pool' }, b: { clusterQueue: 'pool', policy: 0 } },
    });
    expect(() => kueueSetup(shared)).toThrow(/queues a and b share ClusterQueue pool but have policies 1 and 0/);
    const same = KubernetesConfigSchema.parse({
      namespace: 'ml',
      queues: { a: { clusterQueue: 'pool' }, b: { clusterQueue: 'pool' } },
    });
    expect(ofKind(kueueSetup(same), 'ClusterQueue')).toHaveLength(1);
  });
});
