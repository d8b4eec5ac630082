import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import {
  Observed,
  SERVICE_NS as NS,
  serviceEngine,
  servicePod,
  versionLaunch,
} from '../../../../../testing/src/services/kubernetesServiceEngineFixture.js';

/*
 * A service replica's pod log followed into its log file, against the fake API server. This one
 * needs the fake: a real API server answers pods/log by asking the pod's kubelet, and envtest has
 * no kubelet (nor nodes), so there is no log to follow there. Everything else the service engine
 * does runs on a real kube-apiserver (kubernetesServiceEngine.test.ts, kubernetesServiceKServe.test.ts).
 */

describe('service replica logs on the Kubernetes engine', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  });
  afterAll(() => fake?.close());

  it("follows each replica's pod log into its log file", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-svc-logs-'));
    const engine = serviceEngine(fake.kubeConfig(), new Observed(), { dataDir });
    try {
      await engine.startVersion(versionLaunch('logged', 1));
      // The Deployment's pod, Ready and running, as the scheduler and the kubelet leave it.
      fake.apply({ apiVersion: 'v1', kind: 'Pod', ...servicePod('logged', 'a', { ready: true }) });
      fake.appendLog(NS, 'svc-logged-v1-6c7d-a', 'model loaded\nlistening on 8080\n');
      const file = engine.logFile('logged', 1, 0)!;
      expect(file).toBe(path.join(dataDir, 'services', 'logged', 'v1', 'pods', '0.log'));
      await expect.poll(() => readFile(file, 'utf8').catch(() => '')).toContain('listening on 8080');
      await engine.stopVersion('logged', 1, true);
    } finally {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
