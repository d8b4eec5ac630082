import { pino } from 'pino';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { envtestAssetsOrSkip, readCrds } from '../../../../../testing/src/kubernetes/envtest/index.js';
import {
  Observed,
  ServiceEnvtest,
  SERVICE_NS as NS,
  versionLaunch as launch,
} from '../../../../../testing/src/services/kubernetesServiceEngineFixture.js';

/*
 * Services through KServe on the Kubernetes engine against a real kube-apiserver (envtest) with the
 * real client: the InferenceService it creates, validated against KServe's CRD and stored by the
 * real server, the predictor's pods (envtest has no KServe controller, scheduler or kubelet: the
 * test creates them and writes their status through the status subresource), scaling and restarting
 * by merge patches, stopping. The server starts without KServe's CRD, so releasing on a cluster
 * without KServe is tested for real first; the CRD is installed (several seconds: it is large) for
 * the rest. The engine talks through a recording proxy, so its requests are known. Nothing here
 * needs the fake API server.
 */

const assets = envtestAssetsOrSkip('kubernetesServiceKServe.test.ts');

const INFERENCE_SERVICE = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService' };

let cluster: ServiceEnvtest;

beforeAll(async () => {
  if (!assets) return;
  cluster = await ServiceEnvtest.start(assets);
}, 60_000);
afterAll(() => cluster?.close());

/** The object as the API server holds it; undefined when there is none. */
const objectOf = (apiVersion: string, kind: string, name: string) =>
  cluster.admin.read({ apiVersion, kind, metadata: { name, namespace: NS } }) as Promise<
    { spec: Record<string, unknown> } | undefined
  >;

describe.skipIf(!assets)('services through KServe', () => {
  // First, while the API server has no KServe CRD.
  it('releases on a cluster without KServe', async () => {
    expect(await cluster.admin.serves(INFERENCE_SERVICE)).toBe(false);
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const engine = cluster.engineOn(new Observed(), { serving: 'kserve', log });
    const from = cluster.proxy.requests.length;
    await engine.release(launch('gone').service);
    const requests = cluster.proxy.requests.slice(from);
    expect(requests.some((r) => r.path.includes('inferenceservices'))).toBe(false);
    // Every other kind a version may have made was deleted by name (nothing was there).
    const deleted = requests.filter((r) => r.method === 'DELETE' && r.path.includes('/svc-gone-v1'));
    expect(deleted.map((r) => r.path.split('/').slice(-2)[0])).toEqual([
      'deployments',
      'networkpolicies',
      'services',
      'secrets',
      'configmaps',
    ]);
    expect(warnings).toEqual([]);
    await engine.close();
  });

  describe('once its CRD is installed', () => {
    beforeAll(async () => {
      // Created, then awaited in discovery (which lists a CRD's kind once it is Established, and by
      // which the engine decides): the CRD is 2 MB, so it is not read again and again meanwhile.
      const crd = readCrds().find((c) => c.metadata?.name === 'inferenceservices.serving.kserve.io')!;
      await cluster.envtest.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
      await vi.waitFor(async () => expect(await cluster.admin.serves(INFERENCE_SERVICE)).toBe(true), {
        timeout: 30_000,
        interval: 100,
      });
    }, 40_000);

    it('creates an InferenceService the CRD accepts, reaches its predictor Service and scales it', async () => {
      const seen = new Observed();
      const engine = cluster.engineOn(seen, { serving: 'kserve' });
      const version = launch('llm', 1);
      await engine.startVersion(version);
      const inference = async () =>
        (await objectOf(INFERENCE_SERVICE.apiVersion, 'InferenceService', 'svc-llm-v1'))!.spec.predictor as {
          minReplicas: number;
          maxReplicas: number;
          annotations: Record<string, string>;
        };
      expect(await inference()).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
      expect(await objectOf('apps/v1', 'Deployment', 'svc-llm-v1')).toBeUndefined();

      await cluster.putPod('llm', 'a', { ready: true }, 'kserve-container');
      await expect.poll(() => seen.states()).toEqual(['Ready']);
      expect(engine.readyReplicas('llm')).toEqual([
        { key: '1/0', version: 1, index: 0, target: { host: 'svc-llm-v1-predictor.aiplat-alice.svc', port: 80 } },
      ]);
      await cluster.putPod('llm', 'a', { ready: true, podIP: '10.1.9.9' }, 'kserve-container');
      await expect
        .poll(() => engine.readyReplicas('llm').map((r) => r.target))
        .toEqual([{ host: '10.1.9.9', port: 8080 }]);
      await engine.scale(version, 2);
      expect(await inference()).toMatchObject({ minReplicas: 2, maxReplicas: 2 });
      await engine.restart(version);
      expect((await inference()).annotations['kubectl.kubernetes.io/restartedAt']).toBe('2026-09-01T10:00:00.000Z');

      await engine.stopVersion('llm', 1, false);
      expect(await objectOf(INFERENCE_SERVICE.apiVersion, 'InferenceService', 'svc-llm-v1')).toBeUndefined();
      await engine.close();
    });
  });
});
