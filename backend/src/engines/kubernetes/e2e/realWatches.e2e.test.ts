import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1ClusterRole } from '@kubernetes/client-node';
import type { JobSpecInput } from '@aiplat/api';
import { waitForJob, waitForState } from '../../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import {
  createNamespace,
  envtestAssetsOrSkip,
  JOB_CRDS,
  KUEUE_CRDS,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import { bindClusterRole } from '../../../../../testing/src/kubernetes/envtest/backendRole.js';
import { EnvtestOperators } from '../../../../../testing/src/kubernetes/envtest/operatorProgress.js';
import type { Recorded, RecordingProxy } from '../../../../../testing/src/kubernetes/envtest/recordingProxy.js';
import { apiVersionOf, JOB_RESOURCES, KUEUE_VERSIONS } from '../apiDiscovery.js';
import {
  startRoleBoundPlatform,
  type RoleBoundPlatform,
} from '../../../../../testing/src/kubernetes/envtest/roleBoundPlatform.js';
import { collectionPath } from '../clusterWatcher.js';
import { KubernetesConfigSchema } from '../config.js';
import { objectName } from '../manifests/jobMetadata.js';

/*
 * The engine's informers against a real kube-apiserver and etcd (envtest), the engine running with
 * backend.yaml's role through a recording proxy that reads the lists' and watches' resourceVersions
 * as they pass: lists then watches from the list's revision, a watch from a compacted revision gets
 * etcd's 410 Gone and the informer lists again, a restarted API server is watched again, and a
 * refused Workload watch is said as such. Pods' watches read etcd itself here
 * (`--watch-cache-sizes=pods#0`), so `etcdctl compact` reaches them; the other kinds go through the
 * API server's watch cache, as on any cluster, which a restart starts afresh.
 */

const assets = envtestAssetsOrSkip('realWatches.e2e.test.ts');

const NS = 'aiplat-alice';
const NO_KUEUE_USER = 'aiplat-backend-no-kueue';
const JOB_COLLECTIONS = JOB_RESOURCES.map((ref) => collectionPath(apiVersionOf(ref), ref.plural));
const TRAINJOBS = JOB_COLLECTIONS.find((c) => c.endsWith('/trainjobs'))!;
const PODS = '/api/v1/pods';
/** Kueue's Workloads, in the version the engine chose (the newest the server has). */
const WORKLOADS = `/apis/kueue.x-k8s.io/${KUEUE_VERSIONS[0]}/workloads`;
const WATCHED = [...JOB_COLLECTIONS, PODS, WORKLOADS];

const resources = { cpu: 1, memory: '1Gi' };
const kubernetes = KubernetesConfigSchema.parse({ enabled: true, defaultImage: 'pytorch:2.3' });

let envtest: Envtest;
let proxy: RecordingProxy;
let ops: EnvtestOperators;
let fx: PlatformFixture;
let role: V1ClusterRole;

const pathOf = (r: Recorded) => new URL(r.path, 'http://x').pathname;
const lists = (collection: string) => proxy.requests.filter((r) => !r.watch && pathOf(r) === collection);
const watches = (collection: string) => proxy.requests.filter((r) => r.watch && pathOf(r) === collection);

function etcdctl(...args: string[]): string {
  return execFileSync('etcdctl', ['--endpoints', envtest.etcdEndpoint, ...args], { encoding: 'utf8' });
}

/** etcd's current revision (what the API server calls the resourceVersion). */
function etcdRevision(): number {
  const status = JSON.parse(etcdctl('endpoint', 'status', '-w', 'json')) as {
    Status: { header: { revision: number } };
  }[];
  return status[0]!.Status.header.revision;
}

/** The TrainJob's metadata.resourceVersion, as stored. */
async function revisionOf(name: string): Promise<string> {
  const stored = (await ops.job(NS, name)) as { metadata: { resourceVersion?: string } } | undefined;
  return stored?.metadata.resourceVersion ?? '';
}

async function submit(name: string): Promise<{ id: string; name: string }> {
  const spec = { engine: 'kubernetes', name, mode: 'ddp', nodes: 1, command: 'train', resources } as JobSpecInput;
  const created = await fx.client().createJob({ body: { spec } });
  await waitForState(fx.client(), created.id, 'Queued', 15_000);
  return { id: created.id, name: objectName(created.id) };
}

let cluster: RoleBoundPlatform | undefined;

beforeAll(async () => {
  if (!assets) return;
  cluster = await startRoleBoundPlatform({
    assets,
    crds: [...JOB_CRDS, ...KUEUE_CRDS],
    kubernetes,
    users: [{ name: NO_KUEUE_USER }],
    apiServerFlags: ['--watch-cache-sizes=pods#0'],
  });
  ({ envtest, proxy, fx, role } = cluster);
  ops = new EnvtestOperators(envtest.kubeConfig);
}, 60_000);

afterAll(() => cluster?.close());

describe.skipIf(!assets)('the engine’s informers on a real API server', () => {
  it('list each kind, then watch from the list’s resourceVersion, and follow real revisions', async () => {
    for (const collection of WATCHED) {
      const [list] = lists(collection);
      expect(list?.listResourceVersion, `${collection} was listed`).toMatch(/^\d+$/);
      expect(watches(collection)[0]?.watchFrom, `${collection} watched from its list`).toBe(list!.listResourceVersion);
    }

    const { id, name } = await submit('watch-revisions');
    const created = await revisionOf(name);
    await ops.admit(NS, name);
    const admitted = await revisionOf(name);
    expect(Number(admitted)).toBeGreaterThan(Number(created));
    await ops.startPods(NS, name, 1);
    await waitForState(fx.client(), id, 'Running', 10_000);
    // The engine saw both revisions of its TrainJob, as etcd numbered them.
    const seen = watches(TRAINJOBS).flatMap((w) => w.events.map((e) => `${e.type} ${e.resourceVersion}`));
    expect(seen).toEqual(expect.arrayContaining([`ADDED ${created}`, `MODIFIED ${admitted}`]));
  });

  it('a watch from a compacted revision gets 410 Gone; the informer lists again and misses nothing', async () => {
    const { id, name } = await submit('watch-compacted');
    await ops.admit(NS, name);
    await waitForState(fx.client(), id, 'Starting', 10_000);

    // The engine's pod watch is cut and held; meanwhile the job's pod starts and etcd's history is compacted.
    const heldSince = Date.now();
    const release = proxy.hold(PODS);
    await expect.poll(() => watches(PODS).some((w) => w.at >= heldSince && w.status === 0)).toBe(true);
    const held = watches(PODS).find((w) => w.at >= heldSince)!;
    await ops.startPods(NS, name, 1);
    const compacted = etcdRevision();
    expect(etcdctl('compact', String(compacted))).toContain(`compacted revision ${compacted}`);
    expect(Number(held.watchFrom)).toBeLessThan(compacted);
    release();

    await waitForState(fx.client(), id, 'Running', 15_000);
    expect(held.events).toEqual([{ type: 'ERROR', code: 410 }]);
    const relist = lists(PODS).find((l) => l.at >= heldSince);
    expect(Number(relist?.listResourceVersion)).toBeGreaterThanOrEqual(compacted);
    expect(watches(PODS).at(-1)?.watchFrom).toBe(relist!.listResourceVersion);
  });

  it('a restarted API server is watched again; a watch too old for its new watch cache gets 410 and lists again', async () => {
    const { id, name } = await submit('watch-restart');
    const restartedAt = Date.now();
    await envtest.restartApiServer();

    // Written after the restart: the engine sees it only once it watches again.
    await ops.admit(NS, name);
    await ops.startPods(NS, name, 1);
    await waitForState(fx.client(), id, 'Running', 30_000);
    const after = (r: Recorded) => r.at >= restartedAt;
    const gone = watches(TRAINJOBS)
      .filter(after)
      .find((w) => w.events.some((e) => e.code === 410));
    expect(gone, 'the TrainJob watch resumed from before the restart is too old').toBeDefined();
    const relist = lists(TRAINJOBS).find((l) => l.at >= gone!.at);
    expect(relist?.listResourceVersion).toMatch(/^\d+$/);
    for (const collection of WATCHED) {
      await expect.poll(() => watches(collection).some((w) => after(w) && w.status === 200)).toBe(true);
    }
  }, 60_000);

  it('a refused Workload watch is said as such, not as waiting for Kueue', async () => {
    // backend.yaml's role without its Kueue rule, for a second backend with its own namespace.
    const rules = (role.rules ?? []).filter((rule) => !rule.apiGroups?.includes('kueue.x-k8s.io'));
    await bindClusterRole(envtest.kubeConfig, { metadata: { name: 'no-kueue' }, rules }, NO_KUEUE_USER);
    await createNamespace(envtest.kubeConfig, 'limited-alice');
    const limited = await startPlatform(
      { engine: 'kubernetes', kubernetes: { ...kubernetes, namespace: 'limited-{user}' } },
      { kubeConfig: envtest.kubeConfigFor(NO_KUEUE_USER) },
    );
    try {
      const spec = { engine: 'kubernetes', name: 'no-kueue', mode: 'ddp', command: 'true', resources } as JobSpecInput;
      const { id } = await limited.client().createJob({ body: { spec } });
      const queued = await waitForJob(limited.client(), id, (j) => j.state === 'Queued' && !!j.waitReason, 15_000);
      expect(queued.waitReason?.message).toMatch(
        /Kueue's Workloads cannot be followed: .*forbidden.*the backend's role needs list and watch on workloads\.kueue\.x-k8s\.io/,
      );
    } finally {
      await limited.close();
    }
  });
});
