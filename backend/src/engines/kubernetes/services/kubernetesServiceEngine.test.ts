import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppsV1Api, CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { ServiceSpecSchema } from '@aiplat/api';
import { createNamespace, envtestAssetsOrSkip } from '../../../../../testing/src/kubernetes/envtest/index.js';
import {
  Observed,
  ServiceEnvtest,
  SERVICE_NS as NS,
  versionLaunch as launch,
} from '../../../../../testing/src/services/kubernetesServiceEngineFixture.js';
import { CRASH_LOOP_RESTARTS } from './servicePodState.js';

/*
 * Services on the Kubernetes engine (Deployments) against a real kube-apiserver (envtest) with the
 * real client: the objects it creates (validated and stored by the real server), the pods a
 * Deployment would make (envtest has no controller, scheduler or kubelet: the test creates them and
 * writes their status through the status subresource, as the scheduler and the kubelet would leave
 * them; testing/src/kubernetes/envtest/podStatus.ts) read as replicas, scaling and restarting by
 * merge patches, failing on a real refusal (a ResourceQuota allowing no Deployment), stopping and
 * releasing. The engine talks through a recording proxy, so its requests are known. KServe is in
 * kubernetesServiceKServe.test.ts (its CRD takes seconds to install). Following pod logs needs a
 * kubelet, which envtest lacks: that test is in kubernetesServiceLogs.test.ts, on the fake API server.
 */

const assets = envtestAssetsOrSkip('kubernetesServiceEngine.test.ts');

const VERSION_KINDS = [
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['apps/v1', 'Deployment'],
] as const;

let cluster: ServiceEnvtest;

beforeAll(async () => {
  if (!assets) return;
  cluster = await ServiceEnvtest.start(assets);
}, 60_000);
afterAll(() => cluster?.close());

/** The object as the API server holds it; undefined when there is none. */
const objectOf = (apiVersion: string, kind: string, name: string, namespace = NS) =>
  cluster.admin.read({ apiVersion, kind, metadata: { name, namespace } }) as Promise<
    { spec: Record<string, unknown>; metadata: { labels: Record<string, string> } } | undefined
  >;

async function expectNone(name: string, namespace = NS) {
  for (const [apiVersion, kind] of VERSION_KINDS) {
    expect(await objectOf(apiVersion, kind, name, namespace), kind).toBeUndefined();
  }
}

/**
 * A ResourceQuota allowing no Deployment in `namespace`, with the usage the quota controller (not
 * in envtest) would have written; resolves once the API server's quota admission enforces it.
 */
async function noDeploymentsAllowed(namespace: string) {
  const core = cluster.envtest.kubeConfig.makeApiClient(CoreV1Api);
  const hard = { 'count/deployments.apps': '0' };
  const name = 'no-deployments';
  await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name }, spec: { hard } } });
  const quota = await core.readNamespacedResourceQuota({ namespace, name });
  await core.replaceNamespacedResourceQuotaStatus({
    namespace,
    name,
    body: { ...quota, status: { hard, used: { 'count/deployments.apps': '0' } } },
  });
  const apps = cluster.envtest.kubeConfig.makeApiClient(AppsV1Api);
  const labels = { app: 'probe' };
  const probe = {
    metadata: { name: 'probe' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  await vi.waitFor(
    async () => {
      const refused = await apps.createNamespacedDeployment({ namespace, body: probe, dryRun: 'All' }).then(
        () => 'accepted',
        (error: unknown) => String((error as { body?: unknown }).body),
      );
      expect(refused).toMatch(/exceeded quota/);
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe.skipIf(!assets)('services on the Kubernetes engine', () => {
  it('creates the version in the owner namespace; Kueue, then pods Starting, Ready and Running', async () => {
    const seen = new Observed();
    const engine = cluster.engineOn(seen);
    await engine.startVersion(launch('chat'));
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(await objectOf(apiVersion, kind, 'svc-chat-v1'), kind).toBeDefined();
    }
    expect((await objectOf('apps/v1', 'Deployment', 'svc-chat-v1'))!.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'default',
    });
    expect(seen.states()).toEqual(['Pending', 'Pending']);
    expect(engine.readyReplicas('chat')).toEqual([]);

    await cluster.putPod('chat', 'a', { gated: true });
    await cluster.putPod('chat', 'b', { unschedulable: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' });
    await expect.poll(() => seen.waitReason).toBe('waiting for Kueue to admit it in queue default');
    expect(seen.events).toContain('queued');

    await cluster.putPod('chat', 'a', { ready: true }); // Kueue admitted it: the gate is taken away
    await cluster.putPod('chat', 'b', { running: true });
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Starting']);
    expect(seen.waitReason).toBeNull();
    expect(seen.running(2)).toBe(false);
    // A ready pod without an IP yet is reached through the version's Service.
    expect(engine.readyReplicas('chat')).toEqual([
      { key: '1/0', version: 1, index: 0, target: { host: 'svc-chat-v1.aiplat-alice.svc', port: 8080 } },
    ]);

    await cluster.putPod('chat', 'b', { ready: true, restarts: 1, podIP: '10.1.2.3' });
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Ready']);
    // One target per ready replica (the gateway's per-replica limits count them), at the pod's IP.
    expect(engine.readyReplicas('chat')).toEqual([
      { key: '1/0', version: 1, index: 0, target: { host: 'svc-chat-v1.aiplat-alice.svc', port: 8080 } },
      { key: '1/1', version: 1, index: 1, target: { host: '10.1.2.3', port: 8080 } },
    ]);
    expect(seen.running(2)).toBe(true);
    expect(seen.replicas[1]).toMatchObject({ restarts: 1 });
    expect(seen.events.filter((e) => e === 'replica-restarted')).toHaveLength(1);
    expect(seen.events.filter((e) => e === 'replica-ready')).toHaveLength(1);

    await cluster.putPod('chat', 'a', { running: true });
    await expect.poll(() => seen.states()).toEqual(['NotReady', 'Ready']);
    expect(seen.events).toContain('replica-not-ready');
    expect(engine.readyReplicas('chat').map((r) => r.key)).toEqual(['1/1']);

    await engine.stopVersion('chat', 1, false);
    await expectNone('svc-chat-v1');
    expect(seen.replicas).toEqual([]);
    expect(engine.readyReplicas('chat')).toEqual([]);
    await engine.close();
  });

  it('scales and restarts by patching the Deployment, a replacement pod keeping its replica number', async () => {
    const seen = new Observed();
    const engine = cluster.engineOn(seen);
    const version = launch('scaled', 1);
    await engine.startVersion(version);
    await cluster.putPod('scaled', 'a', { ready: true });
    await expect.poll(() => seen.states()).toEqual(['Ready']);

    const from = cluster.proxy.requests.length;
    await engine.scale(version, 3);
    const deployment = async () =>
      (await objectOf('apps/v1', 'Deployment', 'svc-scaled-v1'))!.spec as never as {
        replicas: number;
        template: { metadata: { annotations: Record<string, string> }; spec: { containers: unknown[] } };
      };
    expect((await deployment()).replicas).toBe(3);
    expect(
      cluster.proxy.requests
        .slice(from)
        .some(
          (r) =>
            r.method === 'PATCH' &&
            r.path.startsWith(`/apis/apps/v1/namespaces/${NS}/deployments/svc-scaled-v1`) &&
            r.contentType === 'application/merge-patch+json' &&
            r.status === 200,
        ),
    ).toBe(true);
    expect((await deployment()).template.spec.containers).toHaveLength(1);
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Pending', 'Pending']);

    await engine.restart(version);
    expect((await deployment()).template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
      '2026-09-01T10:00:00.000Z',
    );
    // The rolling restart replaces pod a: its successor is replica 0 again.
    await cluster.pods.delete(NS, 'svc-scaled-v1-6c7d-a');
    await cluster.putPod('scaled', 'c', { running: true });
    await expect.poll(() => seen.states()).toEqual(['Starting', 'Pending', 'Pending']);

    await engine.scale(version, 1);
    expect((await deployment()).replicas).toBe(1);
    expect(seen.states()).toEqual(['Starting']);
    await engine.stopVersion('scaled', 1, true);
    await expectNone('svc-scaled-v1');
    await engine.close();
  });

  it("fails the version in the cluster's words past a few crash-loop restarts; the objects wait for stopVersion", async () => {
    const seen = new Observed();
    const engine = cluster.engineOn(seen);
    await engine.startVersion(launch('broken', 1));
    const crash = { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' };
    await cluster.putPod('broken', 'a', { waiting: crash, restarts: 1 });
    await expect.poll(() => seen.states()).toEqual(['Restarting']);
    expect(seen.failed).toBeUndefined();

    await cluster.putPod('broken', 'a', {
      waiting: { ...crash, message: 'back-off 40s' },
      restarts: CRASH_LOOP_RESTARTS,
    });
    await expect
      .poll(() => seen.failed)
      .toEqual({
        version: 1,
        message: 'CrashLoopBackOff: back-off 40s; it last exited with code 3 (Error)',
      });
    // Kept until the core stops the failed version (it does so at once, forced), then gone.
    expect(await objectOf('apps/v1', 'Deployment', 'svc-broken-v1')).toBeDefined();
    expect(engine.readyReplicas('broken')).toEqual([]);
    await engine.stopVersion('broken', 1, true);
    await expectNone('svc-broken-v1');
    await engine.close();
  });

  it('fails the version at once on an image that cannot be pulled', async () => {
    const seen = new Observed();
    const engine = cluster.engineOn(seen);
    await engine.startVersion(launch('nopull', 1));
    await cluster.putPod('nopull', 'a', {
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/serve:1"' },
    });
    await expect.poll(() => seen.failed?.message).toMatch(/^ImagePullBackOff: Back-off pulling image/);
    await engine.stopVersion('nopull', 1, true);
    await engine.close();
  });

  it('replaces what a previous backend left under the same names, and release deletes every kind', async () => {
    const seen = new Observed();
    const engine = cluster.engineOn(seen);
    await cluster.admin.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'svc-left-v1', namespace: NS },
      data: { 'command.sh': 'old' },
    } as KubernetesObject);
    await engine.startVersion(launch('left', 1));
    expect(
      ((await objectOf('v1', 'ConfigMap', 'svc-left-v1')) as unknown as { data: Record<string, string> }).data,
    ).toMatchObject({ 'command.sh': 'exec python3 serve.py' });
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(await objectOf(apiVersion, kind, 'svc-left-v1'), kind).toBeDefined();
    }
    await engine.close();

    // A new backend: nothing tracked; release deletes the version's objects by name.
    const next = cluster.engineOn(new Observed());
    await next.release(launch('left').service);
    await expectNone('svc-left-v1');
    await next.close();
  });

  it('deletes what it made when the cluster refuses an object', async () => {
    // A real refusal: the namespace's ResourceQuota allows no Deployment (the last object made).
    const namespace = await createNamespace(cluster.envtest.kubeConfig, 'aiplat-quota-alice');
    await noDeploymentsAllowed(namespace);
    const engine = cluster.engineOn(new Observed(), { namespace: 'aiplat-quota-{user}' });
    const from = cluster.proxy.requests.length;
    await expect(engine.startVersion(launch('refused', 1))).rejects.toThrow(
      /the cluster refused the Deployment svc-refused-v1: .*exceeded quota/,
    );
    const made = cluster.proxy.requests.slice(from).filter((r) => r.method === 'POST' && r.status === 201);
    expect(made.map((r) => r.path.split('?')[0]!.split('/').pop())).toEqual([
      'configmaps',
      'services',
      'networkpolicies',
    ]);
    await expectNone('svc-refused-v1', namespace);
    await engine.close();
  });

  it('refuses a version without an image, in a queue the config lacks, or with an Ascend share', async () => {
    const engine = cluster.engineOn(new Observed());
    const { spec } = launch('checked');
    const service = ServiceSpecSchema.parse({ name: 'checked', version: spec });
    expect(() => engine.validate(service, spec)).not.toThrow();
    const issueAt = (path: string) =>
      expect.objectContaining({ status: 400, issues: [expect.objectContaining({ path })] });
    expect(() => engine.validate(service, { ...spec, image: undefined })).toThrow(issueAt('body.spec.version.image'));
    expect(() => engine.validate({ ...service, queue: 'nowhere' }, spec)).toThrow(issueAt('body.spec.queue'));
    const ascendShare = { ...spec.resources, accelerator: { type: 'ascend' as const, count: 0.5 } };
    expect(() => engine.validate(service, { ...spec, resources: ascendShare })).toThrow(
      issueAt('body.spec.version.resources'),
    );
    await engine.close();
  });
});
