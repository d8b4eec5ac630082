import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachineSpecInput } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { putDevMachinePod } from '../../../../../testing/src/kubernetes/devMachinePods.js';
import { runAsIs } from '../../../../../testing/src/kubernetes/fakeApiServer/podExec.js';
import { waitForDevMachine } from '../../../../../testing/src/devMachines.js';
import { readLayerTar } from '../../../../../testing/src/images/layerTar.js';
import { startRegistry, type RegistryServer } from '../../../../../testing/src/images/registryServer.js';
import { makeLayer, pushBaseImage } from '../../../../../testing/src/images/testImages.js';
import { buildBaseTree, changeTree, scenarioMountInfo } from '../../../../../testing/src/images/snapshotScenario.js';
import { FakeApiServer, type ExecRunner } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { parseAgentLine, type LayerDone } from '../../../images/snapshot/agentProtocol.js';
import { SNAPSHOT_AGENT_BUNDLE } from '../../../images/snapshot/agentBundle.js';
import { getImageManifest } from '../../../images/registry/manifests.js';
import { readSmallBlob } from '../../../images/registry/blobs.js';
import { RegistryClient } from '../../../images/registry/registryClient.js';
import { SNAPSHOT_AGENT, SNAPSHOT_BASELINE, type SnapshotTarget } from '../../../images/snapshotTarget.js';
import { KubernetesConfigSchema } from '../config.js';

/*
 * Dev machines on the Kubernetes engine against the in-process fake API server
 * (testing/src/kubernetes/fakeApiServer/, the pod put by testing/src/kubernetes/devMachinePods.ts),
 * driven by the real client, for only what a real API server cannot give without a kubelet or a
 * metrics server: metrics.k8s.io (the pod's CPU and memory for the idle policy) and pod exec
 * (nvidia-smi for the accelerators' use; the snapshot agent for save as image, whose container is
 * a folder here). Everything else runs on a real kube-apiserver (envtest) with only backend.yaml's
 * role: the objects, Running once the pod is Ready, SSH, stop, start, force stop and delete in
 * realWorkloads.e2e.test.ts; Kueue's wait, the Secret's tokens, the IDE endpoints at the Service, a
 * lifecycle config and its failure, an image that cannot be pulled and what is refused in
 * realDevMachines.e2e.test.ts.
 */

const NS = 'aiplat-alice';
const IMAGE = 'registry.example.com/aiplat/devmachine:1';
let fake: FakeApiServer;
let fx: PlatformFixture;
/** The platform's registry (Debian's docker-registry on loopback), where dev machines are saved. */
let registry: RegistryServer;

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS], podMetrics: true });
  registry = await startRegistry({ accessLog: true });
  fx = await startPlatform(
    {
      engine: 'local',
      images: { registry: { url: registry.url, insecure: false }, presets: [] },
      kubernetes: KubernetesConfigSchema.parse({
        enabled: true,
        devMachineImage: IMAGE,
        platformUrl: 'http://aiplat.aiplat-system.svc:8080',
      }),
      devMachines: { startDefault: false, kubernetesPollMs: 50 },
    },
    { kubeConfig: fake.kubeConfig() },
  );
});
afterAll(async () => {
  await fx?.close();
  await fake?.close();
  await registry?.stop();
});

/**
 * A dev machine's container as the fake API server runs exec in it: its root is a folder here, and
 * the snapshot agent in it is the real bundle run by this Node with --root and a mountinfo for that
 * folder (the baseline path the platform names is taken inside it). Anything else runs as asked.
 */
function agentInContainer(root: string, mountInfo: string): ExecRunner {
  return ({ command }) => {
    if (command[0] !== SNAPSHOT_AGENT) return { file: command[0]!, args: command.slice(1) };
    const args = command.slice(1).map((arg, i, all) => (all[i - 1] === '--baseline' ? path.join(root, arg) : arg));
    return { file: process.execPath, args: [SNAPSHOT_AGENT_BUNDLE, ...args, '--root', root, '--mountinfo', mountInfo] };
  };
}

/** A folder with a base tree (snapshotScenario.ts) to be a container's root, and its mountinfo. */
async function containerRoot(): Promise<{ root: string; mountInfo: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'aiplat-k8s-container-'));
  const mountInfo = `${root}.mountinfo`;
  await writeFile(mountInfo, scenarioMountInfo(root));
  await buildBaseTree(root);
  return {
    root,
    mountInfo,
    remove: async () => {
      await rm(root, { recursive: true, force: true });
      await rm(mountInfo, { force: true });
    },
  };
}

const spec = (name: string, extra: Partial<DevMachineSpecInput> = {}): DevMachineSpecInput => ({
  name,
  engine: 'kubernetes',
  resources: { cpu: 2, memory: '8Gi' },
  ...extra,
});

describe('dev machines on the Kubernetes engine', () => {
  it('shows why it is not idle from the pod’s metrics (metrics.k8s.io, the fake’s) and its IDEs', async () => {
    const client = fx.client();
    const created = await client.createDevMachine({
      body: {
        spec: spec('idle-k8s', {
          ides: ['jupyterlab'],
          idlePolicy: { forMinutes: 30, thresholds: { cpuPercent: 10, memoryPercent: 40 } },
        }),
      },
    });
    putDevMachinePod(fake, NS, created.id, { ready: true });
    await waitForDevMachine(client, created.id, ['Running'], 10_000);
    fake.setPodMetrics(NS, `${created.id}-0`, [{ name: 'ide', usage: { cpu: '250m', memory: '2Gi' } }]);
    const idle = await client.devMachineIdle({ params: { id: created.id } });
    const shown = Object.fromEntries(idle.signals.map((s) => [s.name, `${s.value} ${s.idle ? 'idle' : 'busy'}`]));
    // A quarter of a core over a threshold of 10%; 2 GiB of the machine's 8 GiB under 40%.
    expect(shown).toMatchObject({ cpu: '25% busy', memory: '25% idle' });
    // The IDE is asked at its Service, which this test's machine cannot resolve: no activity seen.
    expect(shown.kernels).toBe('0 busy, 0 connected idle');
    expect(idle.idle).toBe(false);
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped'], 10_000);
  });

  it('reads its GPUs’ use with nvidia-smi in its pod (through exec), for an accelerator threshold', async () => {
    const client = fx.client();
    // The pod's nvidia-smi, as it prints the query (two GPUs, 30% and 50% busy).
    const gpus = '0, NVIDIA A100, GPU-1, 40960, 30, 1024\n1, NVIDIA A100, GPU-2, 40960, 50, 2048\n';
    fake.execRunner = (request) =>
      request.command[0] === 'nvidia-smi' ? { file: 'printf', args: ['%b', gpus] } : runAsIs(request);
    const created = await client.createDevMachine({
      body: {
        spec: spec('gpu-k8s', {
          ides: ['jupyterlab'],
          resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 2 } },
          idlePolicy: { forMinutes: 30, thresholds: { acceleratorPercent: 20 } },
        }),
      },
    });
    putDevMachinePod(fake, NS, created.id, { ready: true });
    await waitForDevMachine(client, created.id, ['Running'], 10_000);
    const idle = await client.devMachineIdle({ params: { id: created.id } });
    expect(idle.signals.find((s) => s.name === 'accelerator')).toEqual({
      name: 'accelerator',
      value: '40%',
      counts: true,
      idle: false,
    });
    const asked = fake.execs.filter((exec) => exec.pod === `${created.id}-0`).map((exec) => exec.command);
    expect(asked[0]?.slice(0, 2)).toEqual(['nvidia-smi', expect.stringMatching(/^--query-gpu=/)]);
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped'], 10_000);
  });

  it('saves as an image through the pod exec API: the snapshot agent runs in the pod’s container and its layer streams back', async () => {
    // Fake: the container (agentInContainer). The rest of the way (the engine, the exec request, the
    // WebSocket and its channels, the Status) is what runs against a cluster.
    const { root, mountInfo, remove } = await containerRoot();
    fake.execRunner = agentInContainer(root, mountInfo);
    try {
      const client = fx.client();
      const { id } = await client.createDevMachine({ body: { spec: spec('k8s-save') } });
      putDevMachinePod(fake, NS, id, { gated: true });
      await expect
        .poll(async () => (await client.getDevMachine({ params: { id } })).waitReason?.message)
        .toBe('waiting for Kueue to admit it in queue default');
      expect(fx.platform.devMachines.snapshotTarget(id)).toBe(
        'the dev machine is not running: start it to save it as an image',
      );

      putDevMachinePod(fake, NS, id, { ready: true });
      expect((await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000)).state).toBe('Running');
      const target = fx.platform.devMachines.snapshotTarget(id) as SnapshotTarget;
      expect(typeof target).toBe('object');
      expect(target.baseRef).toBe(IMAGE);

      // The entrypoint records the baseline at the container's first start; here through exec too.
      const run = async (argv: string[]) => {
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        stdout.on('data', (chunk: Buffer) => out.push(chunk));
        stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const code = await target.exec(argv, { stdout, stderr });
        return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
      };
      const baseline = await run([SNAPSHOT_AGENT, 'baseline', '--baseline', SNAPSHOT_BASELINE]);
      expect(baseline.code, baseline.stderr).toBe(0);
      await changeTree(root);

      const layer = await run([SNAPSHOT_AGENT, 'layer', '--baseline', SNAPSHOT_BASELINE]);
      expect(layer.code, layer.stderr).toBe(0);
      expect(fake.execs.at(-1)).toMatchObject({
        namespace: NS,
        pod: `${id}-0`,
        container: 'ide',
        command: [SNAPSHOT_AGENT, 'layer', '--baseline', SNAPSHOT_BASELINE],
      });
      const lines = layer.stderr.trim().split('\n').map(parseAgentLine);
      const done = lines.flatMap((line) => ('done' in line ? [line.done] : []))[0] as LayerDone;
      expect(done).toBeDefined();
      expect(`sha256:${createHash('sha256').update(layer.stdout).digest('hex')}`).toBe(done.digest);
      expect(layer.stdout.length).toBe(done.size);
      const names = readLayerTar(layer.stdout).map((entry) => entry.name);
      expect(names).toEqual(expect.arrayContaining(['new/added.txt', 'data/.wh.deleteme', 'etc/config']));
      expect(names).not.toContain('usr/lib/stays');

      await client.stopDevMachine({ params: { id }, body: {} });
      await waitForDevMachine(client, id, ['Stopped'], 10_000);
      expect(fx.platform.devMachines.snapshotTarget(id)).toBe(
        'the dev machine is not running: start it to save it as an image',
      );
    } finally {
      await remove();
    }
  });

  it('saves a Kubernetes dev machine as an image through the API: preview, then one layer on its image in the registry', async () => {
    const { root, mountInfo, remove } = await containerRoot();
    fake.execRunner = agentInContainer(root, mountInfo);
    try {
      const registryClient = new RegistryClient({ url: registry.url });
      const baseLayer = await makeLayer({ 'etc/os-release': 'ID=test\n' });
      await pushBaseImage(registryClient, 'aiplat/devmachine', 'k8s', { family: 'oci', layers: [baseLayer] });
      const image = `${registry.host}/aiplat/devmachine:k8s`;
      const client = fx.client();
      const { id } = await client.createDevMachine({ body: { spec: spec('k8s-env', { image }) } });
      putDevMachinePod(fake, NS, id, { ready: true });
      expect((await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000)).state).toBe('Running');
      // What the image's entrypoint does at the container's first start (entrypoint.sh).
      const target = fx.platform.devMachines.snapshotTarget(id) as SnapshotTarget;
      const baseline = await target.exec([SNAPSHOT_AGENT, 'baseline', '--baseline', SNAPSHOT_BASELINE], {
        stdout: new PassThrough().resume(),
        stderr: new PassThrough().resume(),
      });
      expect(baseline).toBe(0);
      await changeTree(root);

      const preview = await client.previewImageSave({ params: { id }, body: {} });
      expect(preview.deleted).toBeGreaterThanOrEqual(1);
      expect(preview.added).toBeGreaterThanOrEqual(1);

      const started = await client.saveImage({
        params: { id },
        body: { repository: 'k8s-env', tag: 'v1', comment: 'saved on Kubernetes' },
      });
      expect(started.ref).toBe(`${registry.host}/alice/k8s-env:v1`);
      await expect
        .poll(async () => (await client.listImageSaves()).saves.find((save) => save.id === started.id)?.state, {
          timeout: 30_000,
        })
        .toBe('Succeeded');
      const saved = await getImageManifest(registryClient, 'alice/k8s-env', 'v1');
      expect(saved.manifest.layers.map((layer) => layer.digest)).toEqual([baseLayer.digest, expect.any(String)]);
      const layer = saved.manifest.layers[1]!;
      const bytes = await readSmallBlob(registryClient, 'alice/k8s-env', layer.digest);
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer.digest);
      const names = readLayerTar(bytes).map((entry) => entry.name);
      expect(names).toEqual(expect.arrayContaining(['new/added.txt', 'data/.wh.deleteme']));
      expect(fake.execs.filter((exec) => exec.pod === `${id}-0`).map((exec) => exec.command[1])).toEqual([
        'baseline',
        'preview',
        'layer',
      ]);
    } finally {
      await remove();
    }
  });
});
