import http from 'node:http';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer, type KubeObject } from './fakeApiServer.js';

/*
 * The fake driven by the real @kubernetes/client-node 1.4.0, so what passes here is what the
 * engine's client code will see. Waits are on conditions (polled), never on fixed sleeps.
 */

const TRAINER = { group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'trainjobs' };
const JOBSET = { group: 'jobset.x-k8s.io', version: 'v1alpha2', plural: 'jobsets' };
const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function trainJob(name: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name, namespace: 'default', labels },
    spec: {
      runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' },
    },
  };
}

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { key: 'value' }) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data };
}

function pod(name: string, containers = ['main'], phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    status: { phase },
  };
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { name?: string; kind?: string; causes?: { field?: string; message: string }[] };
}

/** The ApiException a call rejects with, its body parsed as the Status it is. */
async function failureOf(call: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof k8s.ApiException)) throw error;
    const body = (error as k8s.ApiException<unknown>).body;
    return { code: error.code, status: (typeof body === 'string' ? JSON.parse(body) : body) as StatusBody };
  }
  throw new Error('the call succeeded');
}

let fake: FakeApiServer;
let kc: k8s.KubeConfig;

beforeEach(async () => {
  fake = await FakeApiServer.start();
  kc = fake.kubeConfig();
});

afterEach(async () => {
  await fake.close();
});

describe('discovery', () => {
  it('answers /api, /api/v1, /apis and a group version as a real server does', async () => {
    const versions = await kc.makeApiClient(k8s.CoreApi).getAPIVersions();
    expect(versions.versions).toEqual(['v1']);

    const core = await kc.makeApiClient(k8s.CoreV1Api).getAPIResources();
    const pods = core.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ namespaced: true, kind: 'Pod', singularName: 'pod' });
    expect(pods?.verbs).toContain('watch');
    expect(core.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['pods/log', 'pods/status', 'configmaps', 'events', 'namespaces']),
    );
    expect(core.resources.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);

    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const trainer = groups.groups.find((g) => g.name === 'trainer.kubeflow.org');
    expect(trainer?.preferredVersion).toEqual({ groupVersion: 'trainer.kubeflow.org/v1alpha1', version: 'v1alpha1' });
    expect(groups.groups.map((g) => g.name)).not.toContain('metrics.k8s.io');

    const kueue = (await (await fetch(`${fake.url}/apis/kueue.x-k8s.io/v1beta2`)).json()) as {
      kind: string;
      groupVersion: string;
      resources: { name: string; namespaced: boolean; kind: string }[];
    };
    expect(kueue.kind).toBe('APIResourceList');
    expect(kueue.groupVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(kueue.resources).toContainEqual(
      expect.objectContaining({ name: 'clusterqueues', namespaced: false, kind: 'ClusterQueue' }),
    );
    expect(kueue.resources).toContainEqual(expect.objectContaining({ name: 'workloads/status', kind: 'Workload' }));
    expect(kueue.resources.map((r) => r.name)).not.toContain('workloadpriorityclasses/status');
  });

  it('gives 404 for a group that is not installed, in discovery and on its paths', async () => {
    await fake.close();
    fake = await FakeApiServer.start({ leaveOut: ['trainer.kubeflow.org'] });
    kc = fake.kubeConfig();

    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).not.toContain('trainer.kubeflow.org');
    expect(groups.groups.map((g) => g.name)).toContain('kueue.x-k8s.io');
    expect((await fetch(`${fake.url}/apis/trainer.kubeflow.org`)).status).toBe(404);
    expect((await fetch(`${fake.url}/apis/trainer.kubeflow.org/v1alpha1`)).status).toBe(404);

    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const { code } = await failureOf(
      custom.createNamespacedCustomObject({ ...TRAINER, namespace: 'default', body: trainJob('a') }),
    );
    expect(code).toBe(404);
    await expect(k8s.KubernetesObjectApi.makeApiClient(kc).create(trainJob('a'))).rejects.toThrow();
  });

  it('lets KubernetesObjectApi find resources through discovery', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    // create() is typed as returning its argument's type; the server's answer has more.
    const created = (await objects.create(trainJob('via-object-api'))) as k8s.KubernetesObject;
    expect(created.metadata?.uid).toBeDefined();
    const read = await objects.read<k8s.KubernetesObject>({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'via-object-api', namespace: 'default' },
    });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const queue: k8s.KubernetesObject = await objects.create({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'ClusterQueue',
      metadata: { name: 'cq' },
      spec: {},
    });
    expect(queue.metadata?.namespace).toBeUndefined();
  });
});

describe('REST semantics', () => {
  it('creates with server-set metadata and answers 409 AlreadyExists and 404 NotFound', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('settings') });
    expect(created.metadata).toMatchObject({ name: 'settings', namespace: 'default', generation: 1 });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const duplicate = await failureOf(
      core.createNamespacedConfigMap({ namespace: 'default', body: configMap('settings') }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "settings" already exists',
    });

    const missing = await failureOf(core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }));
    expect(missing).toMatchObject({
      code: 404,
      status: { kind: 'Status', reason: 'NotFound', details: { name: 'nope', kind: 'configmaps' } },
    });

    const elsewhere = await failureOf(
      core.createNamespacedConfigMap({ namespace: 'absent', body: { data: {}, metadata: { name: 'x' } } }),
    );
    expect(elsewhere.status.message).toBe('namespaces "absent" not found');
  });

  it('names objects from generateName and does not store a dry run', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const body = { ...trainJob(''), metadata: { generateName: 'run-', namespace: 'default' } };
    const created = (await custom.createNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      body,
    })) as KubeObject;
    expect(created.metadata.name).toMatch(/^run-[a-z0-9]{5}$/);

    const dry = (await custom.createNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      body: trainJob('dry'),
      dryRun: 'All',
    })) as KubeObject;
    expect(dry.metadata.name).toBe('dry');
    expect(fake.get('trainer.kubeflow.org/v1alpha1', 'TrainJob', 'default', 'dry')).toBeUndefined();
  });

  it('answers 409 Conflict to an update with a stale resourceVersion', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('cm') });
    const second = await core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'cm',
      body: { ...first, data: { key: 'two' } },
    });
    expect(Number(second.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));

    const stale = await failureOf(
      core.replaceNamespacedConfigMap({ namespace: 'default', name: 'cm', body: { ...first, data: { key: 'three' } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(stale.status.message).toContain('the object has been modified');
    expect(fake.get('v1', 'ConfigMap', 'default', 'cm')?.data).toEqual({ key: 'two' });
  });

  it('answers 422 Invalid with causes for a TrainJob the CRD schema rejects', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const body = { ...trainJob('bad'), spec: { runtimeRefs: { name: 'x' } } };
    const { code, status } = await failureOf(
      custom.createNamespacedCustomObject({ ...TRAINER, namespace: 'default', body }),
    );
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.message).toMatch(/^TrainJob\.trainer\.kubeflow\.org "bad" is invalid: \[/);
    expect(status.details?.causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.runtimeRef', message: 'Required value' }),
        expect.objectContaining({ field: 'spec.runtimeRefs', message: 'unknown field' }),
      ]),
    );
    expect(fake.list('trainer.kubeflow.org/v1alpha1', 'TrainJob')).toEqual([]);

    const core = kc.makeApiClient(k8s.CoreV1Api);
    const cm = { ...configMap('cm'), data: { key: 5 } } as unknown as k8s.V1ConfigMap;
    expect((await failureOf(core.createNamespacedConfigMap({ namespace: 'default', body: cm }))).code).toBe(422);
  });

  it('applies merge, strategic merge and JSON patches', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      body: trainJob('p', { a: '1', b: '2' }),
    });

    const merged = (await custom.patchNamespacedCustomObject(
      {
        ...TRAINER,
        namespace: 'default',
        name: 'p',
        body: { metadata: { labels: { a: null, c: '3' } }, spec: { suspend: true } },
      },
      MERGE_PATCH,
    )) as KubeObject;
    expect(merged.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(merged.metadata.generation).toBe(2);

    const patched = (await custom.patchNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      name: 'p',
      body: [
        { op: 'test', path: '/spec/suspend', value: true },
        { op: 'replace', path: '/spec/suspend', value: false },
        { op: 'add', path: '/metadata/annotations', value: { note: 'x' } },
      ],
    })) as KubeObject;
    expect(patched.spec).toMatchObject({ suspend: false });
    expect(patched.metadata.annotations).toEqual({ note: 'x' });

    // Without a Content-Type option the client sends application/json-patch+json, so an object body is a 400.
    const unmarked = await failureOf(
      custom.patchNamespacedCustomObject({ ...TRAINER, namespace: 'default', name: 'p', body: { spec: {} } }),
    );
    expect(unmarked.code).toBe(400);
    expect(fake.requests.at(-1)?.contentType).toBe('application/json-patch+json');

    const failedTest = await failureOf(
      custom.patchNamespacedCustomObject({
        ...TRAINER,
        namespace: 'default',
        name: 'p',
        body: [{ op: 'test', path: '/spec/suspend', value: true }],
      }),
    );
    expect(failedTest.code).toBe(422);

    const invalid = await failureOf(
      custom.patchNamespacedCustomObject(
        { ...TRAINER, namespace: 'default', name: 'p', body: { spec: { nonsense: 1 } } },
        MERGE_PATCH,
      ),
    );
    expect(invalid.code).toBe(422);

    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('cm') });
    const strategic = await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'cm', body: { data: { other: 'x' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.data).toEqual({ key: 'value', other: 'x' });
  });

  it('keeps status and the rest apart through the /status subresource', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const created = (await custom.createNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      body: { ...trainJob('s'), status: { conditions: [] } },
    })) as KubeObject;
    expect(created.status).toBeUndefined();

    const condition = {
      type: 'Complete',
      status: 'True',
      reason: 'JobsCompleted',
      message: 'done',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...TRAINER,
        namespace: 'default',
        name: 's',
        body: { status: { conditions: [condition] }, spec: { suspend: true } },
      },
      MERGE_PATCH,
    )) as KubeObject;
    expect(withStatus.status).toEqual({ conditions: [condition] });
    expect(withStatus.spec).not.toHaveProperty('suspend');
    expect(withStatus.metadata.generation).toBe(1);

    const read = (await custom.getNamespacedCustomObjectStatus({
      ...TRAINER,
      namespace: 'default',
      name: 's',
    })) as KubeObject;
    const replaced = (await custom.replaceNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      name: 's',
      body: { ...read, status: { conditions: [] }, spec: { ...(read.spec as object), suspend: true } },
    })) as KubeObject;
    expect(replaced.status).toEqual({ conditions: [condition] });
    expect(replaced.metadata.generation).toBe(2);

    fake.setStatus('trainer.kubeflow.org/v1alpha1', 'TrainJob', 'default', 's', { conditions: [] });
    expect(fake.get('trainer.kubeflow.org/v1alpha1', 'TrainJob', 'default', 's')?.status).toEqual({ conditions: [] });
  });

  it('serves cluster-scoped kinds at cluster paths only, with /status only where the CRD has it', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const kueue = { group: 'kueue.x-k8s.io', version: 'v1beta2' };
    const apiVersion = 'kueue.x-k8s.io/v1beta2';
    await custom.createClusterCustomObject({
      ...kueue,
      plural: 'workloadpriorityclasses',
      body: { apiVersion, kind: 'WorkloadPriorityClass', metadata: { name: 'high' }, value: 1000 },
    });
    await custom.createClusterCustomObject({
      ...kueue,
      plural: 'clusterqueues',
      body: { apiVersion, kind: 'ClusterQueue', metadata: { name: 'cq' }, spec: { namespaceSelector: {} } },
    });
    const list = (await custom.listClusterCustomObject({ ...kueue, plural: 'clusterqueues' })) as {
      items: KubeObject[];
    };
    expect(list.items.map((i) => [i.kind, i.metadata.name, i.metadata.namespace])).toEqual([
      ['ClusterQueue', 'cq', undefined],
    ]);
    expect((await fetch(`${fake.url}/apis/kueue.x-k8s.io/v1beta2/namespaces/default/clusterqueues`)).status).toBe(404);

    const noStatus = await failureOf(
      custom.patchClusterCustomObjectStatus(
        { ...kueue, plural: 'workloadpriorityclasses', name: 'high', body: { status: {} } },
        MERGE_PATCH,
      ),
    );
    expect(noStatus.code).toBe(404);
  });

  it('sets a new pod Pending, takes its status through pods/status, and lists pods without kind', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: pod('p', ['main'], 'Running') as k8s.V1Pod,
    });
    expect(created.status?.phase).toBe('Pending');
    const running = await core.patchNamespacedPodStatus(
      { namespace: 'default', name: 'p', body: { status: { phase: 'Running' } } },
      MERGE_PATCH,
    );
    expect(running.status?.phase).toBe('Running');
    const raw = (await (await fetch(`${fake.url}/api/v1/namespaces/default/pods`)).json()) as {
      kind: string;
      items: object[];
    };
    expect(raw.kind).toBe('PodList');
    expect(raw.items[0]).not.toHaveProperty('kind');
    expect(
      (await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'status.phase=Running' })).items,
    ).toHaveLength(1);
  });

  it('deletes what a namespace holds with it', async () => {
    fake.apply({ ...configMap('cm'), metadata: { name: 'cm', namespace: 'team' } });
    expect(fake.get('v1', 'Namespace', undefined, 'team')?.status).toEqual({ phase: 'Active' });
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: 'team' });
    expect(fake.list('v1', 'ConfigMap', 'team')).toEqual([]);
    expect(fake.get('v1', 'Namespace', undefined, 'team')).toBeUndefined();
  });

  it('filters lists by label and field selectors and reports the list resourceVersion', async () => {
    fake.apply({
      ...configMap('a', { app: 'x', tier: 'web', env: 'prod' }),
      metadata: { name: 'a', namespace: 'default', labels: { app: 'x', tier: 'web', env: 'prod' } },
    });
    fake.apply({
      ...configMap('b'),
      metadata: { name: 'b', namespace: 'default', labels: { app: 'x', tier: 'db', legacy: 'yes' } },
    });
    fake.apply({ ...configMap('c'), metadata: { name: 'c', namespace: 'other', labels: { app: 'y', env: 'dev' } } });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listConfigMapForAllNamespaces({ labelSelector, fieldSelector })).items.map((i) => i.metadata?.name);

    expect(await names('app=x')).toEqual(['a', 'b']);
    expect(await names('app=x,tier!=db')).toEqual(['a']);
    expect(await names('env in (prod, dev)')).toEqual(['a', 'c']);
    expect(await names('env notin (prod)')).toEqual(['b', 'c']);
    expect(await names('legacy')).toEqual(['b']);
    expect(await names('!legacy,app')).toEqual(['a', 'c']);
    expect(await names(undefined, 'metadata.namespace=other')).toEqual(['c']);
    expect(await names('app=x', 'metadata.name=b')).toEqual(['b']);
    expect((await failureOf(names('app in x'))).code).toBe(400);

    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.metadata?.resourceVersion).toBe(fake.resourceVersion);
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
  });

  it('deletes dependents through ownerReferences, or orphans them', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const owner = fake.apply(trainJob('owner'));
    const ownedBy = (o: KubeObject) => [
      {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name ?? '',
        uid: o.metadata.uid ?? '',
        controller: true,
      },
    ];
    const jobSet = fake.apply({
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: { name: 'owner', namespace: 'default', ownerReferences: ownedBy(owner) },
      spec: {},
    });
    fake.apply({
      ...pod('owner-0'),
      metadata: { name: 'owner-0', namespace: 'default', ownerReferences: ownedBy(jobSet) },
    });
    fake.apply({ ...pod('unrelated'), metadata: { name: 'unrelated', namespace: 'default' } });

    const deleted = (await custom.deleteNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      name: 'owner',
      propagationPolicy: 'Background',
      gracePeriodSeconds: 0,
    })) as KubeObject;
    expect(deleted.metadata.name).toBe('owner');
    expect(fake.list('jobset.x-k8s.io/v1alpha2', 'JobSet')).toEqual([]);
    expect(fake.list('v1', 'Pod').map((p) => p.metadata.name)).toEqual(['unrelated']);

    const kept = fake.apply({ ...trainJob('kept') });
    fake.apply({
      ...configMap('kept'),
      metadata: { name: 'kept', namespace: 'default', ownerReferences: ownedBy(kept) },
    });
    await custom.deleteNamespacedCustomObject({
      ...TRAINER,
      namespace: 'default',
      name: 'kept',
      propagationPolicy: 'Orphan',
    });
    expect(fake.get('v1', 'ConfigMap', 'default', 'kept')?.metadata.ownerReferences).toEqual([]);

    const core = kc.makeApiClient(k8s.CoreV1Api);
    const status = (await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'kept' })) as unknown as {
      kind: string;
      status: string;
    };
    expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await failureOf(core.deleteNamespacedConfigMap({ namespace: 'default', name: 'kept' }))).code).toBe(404);
    expect(
      (await failureOf(custom.getNamespacedCustomObject({ ...JOBSET, namespace: 'default', name: 'owner' }))).code,
    ).toBe(404);
  });

  it('injects one failure and records requests', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    fake.failNext('GET', '/api/v1/namespaces/default/configmaps', 503, 'etcd is down');
    const failed = await failureOf(core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=x' }));
    expect(failed).toMatchObject({ code: 503, status: { reason: 'ServiceUnavailable', message: 'etcd is down' } });
    await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(fake.requests.filter((r) => r.path === '/api/v1/namespaces/default/configmaps')).toEqual([
      { method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: { labelSelector: 'app=x' } },
      { method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: {} },
    ]);
  });

  it('serves PodMetrics only when asked to', async () => {
    expect((await fetch(`${fake.url}/apis/metrics.k8s.io/v1beta1/namespaces/default/pods`)).status).toBe(404);
    await fake.close();
    fake = await FakeApiServer.start({ podMetrics: true });
    kc = fake.kubeConfig();
    fake.apply(pod('worker'));
    fake.setPodMetrics('default', 'worker', [{ name: 'main', usage: { cpu: '250m', memory: '1Gi' } }]);
    const metrics = await new k8s.Metrics(kc).getPodMetrics('default');
    expect(metrics.items).toHaveLength(1);
    expect(metrics.items[0]).toMatchObject({
      metadata: { name: 'worker' },
      containers: [{ name: 'main', usage: { cpu: '250m', memory: '1Gi' } }],
    });
    const write = await fetch(`${fake.url}/apis/metrics.k8s.io/v1beta1/namespaces/default/pods`, {
      method: 'POST',
      body: '{}',
    });
    expect(write.status).toBe(405);
  });
});

interface Seen {
  type: string;
  name: string;
  code?: number;
}

/** Starts a Watch and collects its events; `done` resolves when the watch ends. */
async function watchConfigMaps(query: Record<string, string>) {
  const seen: Seen[] = [];
  let ended: (error: unknown) => void = () => {};
  const done = new Promise<unknown>((resolve) => (ended = resolve));
  const controller = await new k8s.Watch(kc).watch(
    '/api/v1/namespaces/default/configmaps',
    query,
    (type: string, object: { metadata?: { name?: string }; code?: number }) =>
      seen.push({ type, name: object.metadata?.name ?? '', ...(object.code ? { code: object.code } : {}) }),
    (error: unknown) => ended(error),
  );
  return { seen, done, controller };
}

describe('watch', () => {
  it('streams changes after a resourceVersion, filtered by labels', async () => {
    const from = fake.resourceVersion;
    fake.apply({ ...configMap('before'), metadata: { name: 'before', namespace: 'default', labels: { app: 'x' } } });
    const { seen, controller } = await watchConfigMaps({ resourceVersion: from, labelSelector: 'app=x' });
    await waitFor(() => fake.openWatches === 1, 'the watch');

    fake.apply({ ...configMap('a'), metadata: { name: 'a', namespace: 'default', labels: { app: 'x' } } });
    fake.apply({ ...configMap('ignored'), metadata: { name: 'ignored', namespace: 'default', labels: { app: 'y' } } });
    fake.apply({
      ...configMap('a', {}, { key: 'changed' }),
      metadata: { name: 'a', namespace: 'default', labels: { app: 'x' } },
    });
    fake.apply({ ...configMap('a'), metadata: { name: 'a', namespace: 'default', labels: { app: 'gone' } } });
    fake.delete('v1', 'ConfigMap', 'default', 'before');

    await waitFor(() => seen.length === 5, 'five events');
    expect(seen).toEqual([
      { type: 'ADDED', name: 'before' },
      { type: 'ADDED', name: 'a' },
      { type: 'MODIFIED', name: 'a' },
      // An object that stops matching the selector leaves the watch as DELETED, as from the watch cache.
      { type: 'DELETED', name: 'a' },
      { type: 'DELETED', name: 'before' },
    ]);
    controller.abort();
  });

  it('answers a compacted resourceVersion with an ERROR event of 410 Expired, then ends', async () => {
    const from = fake.resourceVersion;
    fake.apply(configMap('x'));
    fake.compact();
    const { seen, done } = await watchConfigMaps({ resourceVersion: from });
    expect(await done).toBeNull();
    expect(seen).toEqual([{ type: 'ERROR', name: '', code: 410 }]);
  });

  it('sends bookmarks and ends at timeoutSeconds', async () => {
    const { seen, done } = await watchConfigMaps({
      resourceVersion: fake.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: '1',
    });
    await waitFor(() => fake.openWatches === 1, 'the watch');
    fake.sendBookmarks();
    expect(await done).toBeNull();
    expect(seen.map((s) => s.type)).toEqual(['BOOKMARK', 'BOOKMARK']);
  });
});

describe('informer', () => {
  const path = '/api/v1/namespaces/default/configmaps';

  function startInformer() {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const events: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    return { informer, events, errors };
  }

  const lists = () => fake.requests.filter((r) => r.path === path && r.query.watch === undefined).length;

  it('lists, then follows changes', async () => {
    fake.apply(configMap('first'));
    const { informer, events } = startInformer();
    await informer.start();
    await waitFor(() => fake.openWatches === 1, 'the watch');
    fake.apply(configMap('second'));
    fake.apply(configMap('second', {}, { key: 'changed' }));
    fake.delete('v1', 'ConfigMap', 'default', 'first');
    await waitFor(() => events.length === 4, 'four events');
    expect(events).toEqual(['add first', 'add second', 'update second', 'delete first']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['second']);
    await informer.stop();
  });

  it('re-lists by itself when a re-watch after a normal end gets 410 Expired', async () => {
    const { informer, events, errors } = startInformer();
    await informer.start();
    await waitFor(() => fake.openWatches === 1, 'the watch');
    fake.apply(configMap('seen'));
    await waitFor(() => events.includes('add seen'), 'the first object');
    // Other kinds move the one resourceVersion counter on; compaction then makes the informer's stale.
    fake.apply(pod('elsewhere'));
    fake.compact();

    expect(fake.endWatches()).toBe(1);
    await waitFor(() => lists() === 2 && fake.openWatches === 1, 'a re-list and a new watch');
    fake.apply(configMap('later'));
    await waitFor(() => events.includes('add later'), 'a change after the re-list');
    expect(events).toEqual(['add seen', 'add later']);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it('re-lists after a 410 Expired on restart, and reports deletes it missed', async () => {
    fake.apply(configMap('old'));
    const { informer, events } = startInformer();
    await informer.start();
    await waitFor(() => fake.openWatches === 1, 'the watch');
    await informer.stop();
    await waitFor(() => fake.openWatches === 0, 'the watch to close');

    fake.delete('v1', 'ConfigMap', 'default', 'old');
    fake.apply(configMap('new'));
    fake.compact();
    await informer.start();
    await waitFor(() => lists() === 2 && fake.openWatches === 1, 'a re-list and a new watch');
    await waitFor(() => events.includes('add new'), 'the new object');
    expect(events).toEqual(['add old', 'delete old', 'add new']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['new']);
    await informer.stop();
  });

  it('stops with an error on a dropped connection; restarted, it resumes from its resourceVersion', async () => {
    const { informer, events, errors } = startInformer();
    await informer.start();
    await waitFor(() => fake.openWatches === 1, 'the watch');
    const watchedFrom = fake.resourceVersion;

    expect(fake.dropWatches()).toBe(1);
    await waitFor(() => errors.length === 1, 'the error');
    expect(errors[0]).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    fake.apply(configMap('during'));

    // client-node leaves the restart to the owner (its README restarts from the error handler).
    await informer.start();
    await waitFor(() => events.includes('add during'), 'the change made while disconnected');
    expect(lists()).toBe(1);
    const watches = fake.requests.filter((r) => r.path === path && r.query.watch === 'true');
    expect(watches.map((r) => r.query.resourceVersion)).toEqual([watchedFrom, watchedFrom]);
    await informer.stop();
  });

  it('reports its own stop() as an error too, so a restart-on-error handler must check', async () => {
    const { informer, errors } = startInformer();
    await informer.start();
    await waitFor(() => fake.openWatches === 1, 'the watch');
    await informer.stop();
    await waitFor(() => errors.length === 1, 'the error');
    expect(errors[0]).toMatchObject({ name: 'AbortError' });
  });
});

describe('pod logs', () => {
  it('follows a log while the test appends, until the log ends', async () => {
    fake.apply(pod('trainer'));
    fake.appendLog('default', 'trainer', 'epoch 1\n');
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    await new k8s.Log(kc).log('default', 'trainer', 'main', stream, { follow: true });

    await waitFor(() => text === 'epoch 1\n', 'the first line');
    fake.appendLog('default', 'trainer', 'epoch 2\n');
    await waitFor(() => text === 'epoch 1\nepoch 2\n', 'the appended line');
    fake.endLog('default', 'trainer');
    await ended;
  });

  it('ends a followed log when the pod is deleted', async () => {
    fake.apply(pod('short'));
    const stream = new PassThrough();
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.resume();
    await new k8s.Log(kc).log('default', 'short', 'main', stream, { follow: true });
    await waitFor(() => fake.requests.some((r) => r.path.endsWith('/short/log')), 'the request');
    fake.delete('v1', 'Pod', 'default', 'short');
    await ended;
  });

  it('cuts a followed log mid-body when asked: the response breaks off instead of ending', async () => {
    fake.apply(pod('cut'));
    fake.appendLog('default', 'cut', 'epoch 1\n');
    const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${fake.url}/api/v1/namespaces/default/pods/cut/log?follow=true`, resolve).on('error', reject),
    );
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString()));
    response.on('error', () => {});
    const closed = new Promise<void>((resolve) => response.on('close', resolve));
    await waitFor(() => text === 'epoch 1\n', 'the first line');
    expect(fake.breakLogStreams()).toBe(1);
    await closed;
    expect(response.complete).toBe(false);
  });

  it('applies timestamps, tailLines, sinceTime and limitBytes', async () => {
    fake.apply(pod('p'));
    fake.appendLog('default', 'p', 'one\ntwo\n');
    fake.appendLog('default', 'p', 'three\n');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const read = (options: Partial<k8s.CoreV1ApiReadNamespacedPodLogRequest>) =>
      core.readNamespacedPodLog({ namespace: 'default', name: 'p', ...options });

    expect(await read({})).toBe('one\ntwo\nthree\n');
    expect(await read({ tailLines: 2 })).toBe('two\nthree\n');
    expect(await read({ limitBytes: 5 })).toBe('one\nt');
    const stamped = (await read({ timestamps: true })).split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one$/);
    // The generated client has no sinceTime (the OpenAPI lacks it); Log has.
    const [since] = stamped[1]!.split(' ');
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    await new k8s.Log(kc).log('default', 'p', 'main', stream, { sinceTime: since });
    await ended;
    expect(text).toBe('two\nthree\n');
  });

  it('answers 404 for a missing pod and 400 like a real server for a container it cannot read', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await failureOf(core.readNamespacedPodLog({ namespace: 'default', name: 'ghost' }))).code).toBe(404);

    fake.apply(pod('pending', ['main'], 'Pending'));
    const waiting = await failureOf(core.readNamespacedPodLog({ namespace: 'default', name: 'pending' }));
    expect(waiting.code).toBe(400);
    expect(waiting.status.message).toBe('container "main" in pod "pending" is waiting to start: ContainerCreating');

    fake.apply(pod('pair', ['main', 'sidecar']));
    const ambiguous = await failureOf(core.readNamespacedPodLog({ namespace: 'default', name: 'pair' }));
    expect(ambiguous.status.message).toBe(
      'a container name must be specified for pod pair, choose one of: [main sidecar]',
    );
    fake.appendLog('default', 'pair', 'from the sidecar\n', 'sidecar');
    expect(await core.readNamespacedPodLog({ namespace: 'default', name: 'pair', container: 'sidecar' })).toBe(
      'from the sidecar\n',
    );

    await expect(new k8s.Log(kc).log('default', 'pending', 'main', new PassThrough())).rejects.toMatchObject({
      code: 400,
    });
  });
});
