import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, RbacAuthorizationV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { DevMachineSpecSchema, ServiceSpecSchema, type JobMode, type JobSpec } from '@aiplat/api';
import type { JobLifecycle } from '../../../jobs/engine.js';
import { clusterMessage, KubeCluster, statusCode } from '../cluster.js';
import { KubernetesConfigSchema, manifestOptionsFor, type KubernetesConfig } from '../config.js';
import { dryRunJob } from '../dryRun.js';
import { JobObjects } from '../jobObjects.js';
import { TRAINJOB_API_VERSION } from '../manifests/ddp.js';
import { buildManifests } from '../manifests/index.js';
import { kueueSetup } from '../manifests/kueue.js';
import { devMachineManifests } from '../devmachines/devMachineManifests.js';
import { sshHostKey } from '../devmachines/devMachineSsh.js';
import { tensorboardManifests } from '../tensorboard/tensorboardManifests.js';
import { serviceManifests, serviceObjectName } from '../services/serviceManifests.js';
import {
  createNamespace,
  droppedFields,
  envtestAssetsOrSkip,
  wireForm,
  installCrds,
  startEnvtest,
  uniqueNamespace,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import { modeSpecs } from '../../../../../testing/src/kubernetes/manifestOptions.js';

/*
 * The engine's objects against a real kube-apiserver (v1.32, with etcd; testing/src/kubernetes/envtest/)
 * holding the upstream CRDs: what the JSON-schema tests accept must also pass the server's own
 * validation (structural schemas, CEL rules, core kinds' validation, admission), through the engine's
 * own client code. One server for the file, a namespace per test.
 */

const assets = envtestAssetsOrSkip('realApiServer.e2e.test.ts');

let envtest: Envtest;
let cluster: KubeCluster;

beforeAll(async () => {
  if (!assets) return;
  const started = Date.now();
  envtest = await startEnvtest({ assets });
  const ready = Date.now();
  const crds = await installCrds(envtest.kubeConfig);
  console.info(
    `envtest (${assets.source}): API server ready in ${ready - started} ms, ${crds.length} CRDs established in ${Date.now() - ready} ms`,
  );
  cluster = new KubeCluster(envtest.kubeConfig);
}, 60_000);

afterAll(async () => {
  await envtest?.stop();
});

/** One spec per mode, with every kind of pod the mode has (manifests/index.test.ts's too); ddp with hyperparameters. */
const MODE_SPECS = modeSpecs({ queue: 'gpu', priority: 3 });
const SPECS: Record<JobMode, JobSpec> = { ...MODE_SPECS, ddp: { ...MODE_SPECS.ddp, hyperparameters: { lr: 0.01 } } };

/** The engine's config with every object in `namespace`, and a queue with placement (node selector, tolerations). */
function configIn(namespace: string, fields: Record<string, unknown> = {}): KubernetesConfig {
  return KubernetesConfigSchema.parse({
    enabled: true,
    namespace,
    platformUrl: 'http://aiplat.aiplat-system.svc:8080',
    queues: {
      gpu: {
        localQueue: 'team-a100',
        nodeSelector: { 'node.kubernetes.io/instance-type': 'a100' },
        tolerations: [
          { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
          { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 60 },
        ],
      },
    },
    ...fields,
  });
}

/** A dry run must not touch a job's state: any use of the lifecycle fails the test. */
const untouchedLifecycle = new Proxy({} as JobLifecycle, {
  get: (_target, key) => {
    throw new Error(`a server dry run used lifecycle.${String(key)}`);
  },
});

/** The engine's JobObjects on the envtest cluster: its serverDryRun is what `POST /api/jobs/dry-run` asks the cluster. */
function jobObjects(config: KubernetesConfig): JobObjects {
  const unused = () => {
    throw new Error('a server dry run created or deleted something');
  };
  return new JobObjects({
    cluster,
    lifecycle: untouchedLifecycle,
    config,
    podsOf: unused,
    onNewRun: unused,
    schedule: unused,
  });
}

/**
 * Each object created with dryRun=All through the engine's KubeCluster (as the engines create
 * them): one line per refusal, and per field the server did not get (a Secret's stringData comes
 * back as data, with the same keys).
 */
async function dryRunProblems(objects: readonly object[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects as (KubernetesObject & { stringData?: Record<string, string> })[]) {
    const what = `${object.kind} ${object.metadata?.name}`;
    let answer: KubernetesObject & { data?: Record<string, string> };
    try {
      answer = await cluster.create(object, { dryRun: true });
    } catch (error) {
      problems.push(`${what}: refused: ${clusterMessage(error)}`);
      continue;
    }
    const { stringData, ...rest } = object;
    problems.push(...droppedFields(rest, wireForm(answer)).map((dropped) => `${what}: ${dropped}`));
    const keys = Object.keys(answer.data ?? {}).sort();
    if (stringData && keys.join() !== Object.keys(stringData).sort().join()) {
      problems.push(`${what}: stringData keys ${Object.keys(stringData).join()}, data keys ${keys.join()}`);
    }
  }
  return problems;
}

/** The server's 422 for `object`: its Status causes (field: message). */
async function rejection(
  create: Promise<unknown>,
): Promise<{ code: number | undefined; causes: string[]; message: string }> {
  const error = await create.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the API server accepted it').toBeInstanceOf(ApiException);
  const body = JSON.parse(String((error as ApiException<string>).body)) as {
    details?: { causes?: { field?: string; message?: string }[] };
  };
  return {
    code: statusCode(error),
    causes: (body.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`),
    message: clusterMessage(error),
  };
}

describe.skipIf(!assets)('the engine’s objects on a real kube-apiserver', () => {
  it.each(Object.keys(SPECS) as JobMode[])(
    '%s: the job’s ConfigMap and resource pass the engine’s server-side dry run, every field arriving',
    async (mode) => {
      const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace(`job-${mode}`));
      const config = configIn(namespace);
      const objects = jobObjects(config);
      // As the backend wires it (composition.ts): the job dry run asks the engine's JobObjects.
      const response = await dryRunJob('alice', SPECS[mode], config, (o) =>
        objects.serverDryRun(o as unknown as KubernetesObject[]),
      );
      expect(response.serverDryRun?.message).toBeUndefined();
      expect(response.serverDryRun?.ok).toBe(true);
      const [configMap, resource] = response.manifests as KubernetesObject[];
      const [configMapAnswer, answer] = response.serverDryRun?.objects ?? [];
      expect(answer).toMatchObject({ kind: resource?.kind, metadata: { namespace } });
      // The server prunes fields its CRD does not know, silently: every field sent must have arrived.
      expect(droppedFields(resource, wireForm(answer))).toEqual([]);
      expect(droppedFields(configMap, wireForm(configMapAnswer))).toEqual([]);
      // Nothing was stored.
      expect(await cluster.read(resource!)).toBeUndefined();
    },
  );

  it('the Kueue setup (flavor, priority classes, ClusterQueues per policy, LocalQueues) passes a server-side dry run', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('kueue'));
    const config = configIn(namespace, {
      queues: {
        default: {},
        strict: { policy: 0 },
        urgent: { policy: 2, localQueue: 'urgent-lq', clusterQueue: 'urgent-cq' },
        npu: { resourceNames: { ascendNpu: 'huawei.com/Ascend310P' } },
      },
    });
    const objects = kueueSetup(config, { namespaces: [namespace] });
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set(['ResourceFlavor', 'WorkloadPriorityClass', 'ClusterQueue', 'LocalQueue']),
    );
    expect(await dryRunProblems(objects)).toEqual([]);
  });

  it('refuses an invalid TrainJob with 422 naming the field: a wrong type, a CEL rule, an immutable field', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('invalid'));
    // The smallest valid TrainJob, so this test is about the server's validation only.
    const valid = {
      apiVersion: TRAINJOB_API_VERSION,
      kind: 'TrainJob',
      metadata: { name: 'job-invalid', namespace },
      spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { numNodes: 2, image: 'pytorch:2.3' } },
    };
    const withSpec = (patch: Record<string, unknown>) => ({ ...valid, spec: { ...valid.spec, ...patch } });

    const wrongType = await rejection(
      cluster.create(withSpec({ trainer: { ...valid.spec.trainer, numNodes: 'two' } }), { dryRun: true }),
    );
    expect(wrongType.code).toBe(422);
    expect(wrongType.causes.join('\n')).toMatch(/spec\.trainer\.numNodes: Invalid value: "string": .*integer/);

    // A CEL rule (x-kubernetes-validations), which the JSON-schema tests do not check.
    const cel = await rejection(cluster.create(withSpec({ managedBy: 'someone/else' }), { dryRun: true }));
    expect(cel.code).toBe(422);
    expect(cel.causes.join('\n')).toMatch(
      /spec\.managedBy: .*ManagedBy must be trainer\.kubeflow\.org\/trainjob-controller/,
    );

    // The engine's own dry run reports the refusal as a sentence naming the object and the field.
    const refused = await jobObjects(configIn(namespace)).serverDryRun([withSpec({ managedBy: 'someone/else' })]);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^TrainJob job-invalid: .*spec\.managedBy/);

    // A transition rule (self == oldSelf) needs a stored object: runtimeRef cannot change.
    const created = await cluster.create(valid);
    const changed = { ...created, spec: { ...valid.spec, runtimeRef: { name: 'deepspeed-distributed' } } };
    const immutable = await rejection(cluster.objects.replace(changed));
    expect(immutable.code).toBe(422);
    expect(immutable.causes.join('\n')).toMatch(/spec\.runtimeRef: .*field is immutable/);
  });

  it('a dev machine (SSH by NodePort and LoadBalancer, lifecycle scripts, repositories) passes a server-side dry run', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('devmachine'));
    const config = configIn(namespace);
    const id = 'dm-1a2b3c4d5e';
    const spec = DevMachineSpecSchema.parse({
      name: 'box',
      image: 'registry.example.com/aiplat/devmachine:1',
      resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 1 } },
      env: { HF_HOME: '/work/cache/hf' },
      workingDir: 'home/project',
      queue: 'gpu',
      ssh: { enabled: true },
    });
    const secrets = {
      ideToken: 'ide-secret-0123456789',
      platformServer: 'http://aiplat.aiplat-system.svc:8080',
      platformToken: 'alice-platform-token',
      lifecycle: { onCreate: 'pip install -r requirements.txt\n', onStart: 'echo started\n' },
      repositories: [
        { url: 'https://git.example.com/team/models.git', branch: 'dev', folder: 'models' },
        {
          url: 'https://git.example.com/team/private.git',
          folder: 'private',
          credential: { kind: 'token' as const, username: 'alice', token: 'glpat-secret' },
        },
      ],
      ssh: {
        authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'],
        hostKey: sshHostKey(`aiplat-devmachine-${id}`),
      },
    };
    const base = manifestOptionsFor(config, { user: 'alice', jobId: id, queue: 'gpu' });
    const problems: string[] = [];
    for (const sshServiceType of ['NodePort', 'LoadBalancer'] as const) {
      const objects = devMachineManifests({ id, owner: 'alice', spec }, secrets, {
        base,
        backendNamespace: config.backendNamespace,
        sshServiceType,
        lifecycleTimeoutSeconds: 120,
      });
      expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Service', 'NetworkPolicy', 'StatefulSet', 'Service']);
      problems.push(...(await dryRunProblems(objects)));
    }
    expect(problems).toEqual([]);
  });

  it("a TensorBoard, as Kubeflow's Tensorboard and as a Deployment, passes a server-side dry run", async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('tensorboard'));
    const config = configIn(namespace);
    const input = {
      id: 'tb-1a2b3c4d5e',
      user: 'alice',
      path: 'home/summaries/job-20261205-0001',
      namespace,
      claims: manifestOptionsFor(config, { user: 'alice', jobId: 'tb-1a2b3c4d5e', queue: 'gpu' }).claims,
      image: config.tensorboardImage,
      backendNamespace: config.backendNamespace,
    };
    const problems = [
      ...(await dryRunProblems(tensorboardManifests(input, true))),
      ...(await dryRunProblems(tensorboardManifests(input, false))),
    ];
    expect(problems).toEqual([]);
  });

  it('a service version, as a Deployment and as a KServe InferenceService, passes a server-side dry run', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('service'));
    const config = configIn(namespace);
    const service = ServiceSpecSchema.parse({
      name: 'gpt2-chat',
      queue: 'gpu',
      version: {
        model: 'mount/models/tiny-gpt2',
        code: 'home/serving',
        image: 'registry.example.com/serve:1',
        requirements: 'fastapi==0.115.0\n',
        env: { LOG_LEVEL: 'debug' },
        command: 'exec uvicorn app:app --port $PORT',
        port: 9000,
        resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } },
        replicas: 2,
        probes: {
          startup: { type: 'exec', command: 'test -f /tmp/loaded', periodSeconds: 5, failureThreshold: 60 },
          readiness: { type: 'http', path: '/healthz', initialDelaySeconds: 3, timeoutSeconds: 2 },
          liveness: { type: 'tcp', periodSeconds: 20 },
        },
      },
    });
    // A private index: its credentials go into the version's Secret.
    const pip = {
      indexUrl: 'https://__token__:s3cr3t-index-token@pypi.corp.example/simple',
      extraIndexUrls: [],
      findLinks: [],
      trustedHosts: [],
      noIndex: false,
    };
    const base = manifestOptionsFor(config, {
      user: 'alice',
      jobId: serviceObjectName(service.name, 1),
      queue: service.queue,
    });
    const problems: string[] = [];
    for (const serving of ['deployment', 'kserve'] as const) {
      const objects = serviceManifests(
        { name: service.name, owner: 'alice', queue: service.queue, priority: service.priority },
        1,
        service.version,
        { base, serving, pip, backendNamespace: config.backendNamespace },
      );
      expect(objects.map((o) => o.kind)).toContain(serving === 'kserve' ? 'InferenceService' : 'Deployment');
      problems.push(...(await dryRunProblems(objects)));
    }
    expect(problems).toEqual([]);
  });

  it('an update with a stale resourceVersion gets the real 409 Conflict through the client', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('conflict'));
    const options = manifestOptionsFor(configIn(namespace), { user: 'alice', jobId: 'job-conflict', queue: 'gpu' });
    const [configMap] = buildManifests(SPECS.mpi, options) as unknown as [KubernetesObject];
    await cluster.create(configMap);
    type ConfigMap = KubernetesObject & { data?: Record<string, string> };
    const first = (await cluster.read<ConfigMap>(configMap))!;
    expect(first.metadata?.resourceVersion).toMatch(/^\d+$/);
    const updated = await cluster.objects.replace({ ...first, data: { ...first.data, extra: '1' } });
    expect(updated.metadata?.resourceVersion).not.toBe(first.metadata?.resourceVersion);

    const stale = await cluster.objects.replace({ ...first, data: { ...first.data, extra: '2' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(statusCode(stale)).toBe(409);
    expect(clusterMessage(stale)).toMatch(
      /the object has been modified; please apply your changes to the latest version/,
    );
    expect((await cluster.read<ConfigMap>(configMap))?.data?.extra).toBe('1');
  });

  it('the plain engine user is refused (403) until a Role grants it, then allowed', async () => {
    const namespace = await createNamespace(envtest.kubeConfig, uniqueNamespace('rbac'));
    const engine = new KubeCluster(envtest.kubeConfigFor('engine'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap' };
    const denied = await engine.list(ref, { namespace }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(statusCode(denied)).toBe(403);
    expect(clusterMessage(denied)).toMatch(/User "aiplat-engine" cannot list resource "configmaps"/);

    await grantConfigMapReads(envtest.kubeConfig, namespace, 'aiplat-engine');
    // The authorizer sees new Roles and bindings through its own informers: a moment later.
    const listing = () =>
      engine.list(ref, { namespace }).then(
        (list) => `allowed, ${list.items.length} items`,
        (error: unknown) => `refused: ${statusCode(error)}`,
      );
    await expect.poll(listing, { timeout: 15_000, interval: 100 }).toBe('allowed, 0 items');
  });
});

async function grantConfigMapReads(kubeConfig: KubeConfig, namespace: string, user: string): Promise<void> {
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'read-configmaps' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'read-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}
