import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLifecycleScript, type DevMachine, type EventMessage, type ImageSave } from '@aiplat/api';
import { runningDevMachine, waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { homeFolder, programOutput, waitForJob } from '../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { buildDevMachineImage } from '../../../../testing/src/images/devMachineImage.js';
import { podmanMissing, startPodman, type PodmanHarness } from '../../../../testing/src/images/podman.js';
import { startRegistry, type RegistryServer } from '../../../../testing/src/images/registryServer.js';
import { treeState, type PathState } from '../../../../testing/src/images/treeState.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';

/*
 * "Save environment as image" end to end, with real parts: a dev machine in a Podman container
 * from the image images/devmachine-local/build.sh makes (pushed to Debian's docker-registry), its
 * owner's changes saved through the API as one layer on that image, and the result checked
 * independently: skopeo reads the pushed image, umoci unpacks base + layer, and the tree must be
 * the container's own; a new dev machine from the saved image sees the changes.
 */

const run = promisify(execFile);
const skip = podmanMissing();
let podman: PodmanHarness;
let registry: RegistryServer;
let fx: PlatformFixture;
let baseRef: string;
let dir: string;

const sh = (machine: DevMachine, script: string) =>
  run('podman', ['exec', `aiplat-dm-${machine.id}`, 'sh', '-c', script], { maxBuffer: 16 << 20 });

beforeAll(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-save-image-'));
  [podman, registry] = await Promise.all([startPodman(), startRegistry({ accessLog: true })]);
  baseRef = `${registry.host}/aiplat/devmachine:${randomBytes(4).toString('hex')}`;
  await buildDevMachineImage(baseRef);
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: true, services: true },
    images: { registry: { url: registry.url, insecure: false }, presets: [] },
  });
  await Promise.all(['home/alice', 'cache', 'mount'].map((p) => mkdir(path.join(fx.workRoot, p), { recursive: true })));
}, 480_000);

afterAll(async () => {
  // Only this file's containers: other test files may run theirs on the same Podman meanwhile.
  const ids = fx
    ? (
        await fx
          .client()
          .listDevMachines()
          .catch(() => ({ devMachines: [] }))
      ).devMachines.map((m) => m.id)
    : [];
  await fx?.close();
  for (const id of ids) await run('podman', ['rm', '-f', '--ignore', `aiplat-dm-${id}`]).catch(() => {});
  await podman?.close();
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** GET of an IDE's ready path over its socket, as the platform's proxy reaches it. */
function ideStatus(machine: DevMachine, ide: 'jupyterlab' | 'code-server'): Promise<number> {
  const endpoint = fx.platform.devMachines.endpoint(machine.id, ide);
  if (!endpoint || !('socketPath' in endpoint.target)) return Promise.resolve(0);
  const { socketPath } = endpoint.target;
  const readyPath = ide === 'jupyterlab' ? `${endpoint.prefix}api/status` : '/healthz';
  return new Promise((resolve) => {
    http
      .get({ socketPath, path: readyPath, headers: endpoint.headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', () => resolve(0));
  });
}

async function untilSaved(id: string): Promise<ImageSave> {
  let save: ImageSave | undefined;
  for (let i = 0; i < 1200; i++) {
    save = (await fx.client().listImageSaves()).saves.find((s) => s.id === id);
    if (save && ['Succeeded', 'Failed', 'Cancelled'].includes(save.state)) return save;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`save ${id} did not end: ${JSON.stringify(save)}`);
}

// Paths the runtime fills at each start or mounts (the platform's scripts too), and /etc/mtab it
// links before the first start: never part of an image.
const NOT_IN_IMAGES = [
  ...['proc', 'sys', 'dev', 'run', 'tmp', 'work', 'opt/aiplat/host'],
  ...['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab'],
];

/** `podman export` keeps whole seconds of mtimes; the layer keeps nanoseconds. */
function toSeconds(tree: Record<string, PathState>): Record<string, PathState> {
  return Object.fromEntries(
    Object.entries(tree).map(([p, state]) => [
      p,
      state.mtimeMs === undefined ? state : { ...state, mtimeMs: Math.floor(state.mtimeMs / 1000) * 1000 },
    ]),
  );
}

describe.skipIf(skip)('save a dev machine as an image', () => {
  let machine: DevMachine;

  it('runs a dev machine that names an image in a container, both IDEs reached on their sockets', async () => {
    machine = await runningDevMachine(fx.client(), {
      name: 'env',
      image: baseRef,
      ides: ['jupyterlab', 'code-server'],
      resources: { cpu: 1, memory: '2Gi' },
    });
    expect(await ideStatus(machine, 'jupyterlab')).toBe(200);
    expect(await ideStatus(machine, 'code-server')).toBe(200);
    const { stdout } = await sh(
      machine,
      'cat /proc/1/cgroup >/dev/null; ls /work/home; test -f /var/lib/aiplat/snapshot-baseline.ndjson.gz && echo baseline',
    );
    expect(stdout.split('\n')).toEqual(['alice', 'baseline', '']);
    expect((await fx.client().info()).containerRuntime.kind).toBe('podman');
    // Its idle signals: the container's processes measured from /proc (its first process is a host pid).
    const idle = await fx.client().devMachineIdle({ params: { id: machine.id } });
    const memory = idle.signals.find((signal) => signal.name === 'memory')!;
    expect(Number(memory.value.replace('%', ''))).toBeGreaterThan(0);
  }, 200_000);

  it('previews, then saves exactly what changed as one layer mounted onto the base (skopeo, umoci)', async () => {
    await sh(
      machine,
      [
        'mkdir -p /opt/tools/bin && printf "#!/bin/sh\\necho tool\\n" > /opt/tools/bin/tool && chmod 755 /opt/tools/bin/tool',
        'echo "changed" >> /etc/debian_version',
        'chmod 600 /etc/issue',
        'rm /etc/issue.net',
        'rm -r /usr/share/doc/bash',
        'rm -rf /usr/share/doc/procps && mkdir /usr/share/doc/procps && echo new > /usr/share/doc/procps/NEW',
        'ln -s /opt/tools/bin/tool /usr/local/bin/tool && ln /opt/tools/bin/tool /opt/tools/bin/tool-again',
        'mkdir -p /root/.cache/pip && head -c 100000 /dev/urandom > /root/.cache/pip/wheel.bin',
      ].join(' && '),
    );
    const preview = await fx.client().previewImageSave({ params: { id: machine.id }, body: {} });
    expect(preview.deleted).toBeGreaterThanOrEqual(2);
    expect(preview.replaced).toBe(1);
    expect(preview.skipped.map((s) => s.path)).toContain('/root/.cache');
    expect(preview.excludes.map((e) => e.pattern)).toContain('~/.cache');

    const events = fx.events('alice');
    const seen: ImageSave[] = [];
    events.subscribe('image-saves', (event: EventMessage) => seen.push(event.data as ImageSave));
    const started = await fx.client().saveImage({
      params: { id: machine.id },
      body: { repository: 'torch-env', tag: 'v1', comment: 'tools installed' },
    });
    expect(started.ref).toBe(`${registry.host}/alice/torch-env:v1`);
    const saved = await untilSaved(started.id);
    expect(saved.state, saved.error).toBe('Succeeded');
    expect(seen.some((s) => s.state === 'Pushing' && s.progress.bytes > 0)).toBe(true);
    // The bars fill towards what the scan found, and end there.
    expect(seen.some((s) => s.state === 'Pushing' && s.progress.totalBytes! > s.progress.bytes)).toBe(true);
    expect(saved.progress).toMatchObject({ totalBytes: saved.progress.bytes, totalFiles: saved.progress.files });

    const inspect = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${saved.ref}`])).stdout,
    ) as { Layers: string[] };
    const base = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${baseRef}`])).stdout) as {
      Layers: string[];
    };
    expect(inspect.Layers.slice(0, -1)).toEqual(base.Layers);
    expect(inspect.Layers).toHaveLength(base.Layers.length + 1);
    // The base layers were mounted from the base's repository, never sent again (the registry's access log).
    const requests = registry
      .output()
      .split('\n')
      .filter((line) => line.includes('/v2/alice/torch-env/'));
    for (const layer of base.Layers) {
      const mounted = requests.filter(
        (line) =>
          /"POST [^ ]*blobs\/uploads\/\?[^ ]* HTTP\/1.1" 201 /.test(line) &&
          line.includes(`mount=${encodeURIComponent(layer)}`),
      );
      expect(mounted, requests.join('\n')).toHaveLength(1);
      expect(requests.filter((line) => line.includes('"PUT ') && line.includes(`digest=${layer}`))).toEqual([]);
    }
    const config = JSON.parse(
      (await run('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${saved.ref}`])).stdout,
    ) as { history: { comment?: string; author?: string; created_by?: string }[]; config: { Env?: string[] } };
    expect(config.history.at(-1)).toMatchObject({ comment: 'tools installed', author: 'alice' });
    expect(config.history.at(-1)?.created_by).toContain(machine.id);
    expect(config.config.Env).toContain('AIPLAT_SNAPSHOT_AGENT=/opt/aiplat/bin/aiplat-snapshot');

    // Independently: base + layer unpacked by umoci is the container's tree.
    const layout = path.join(dir, 'layout');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${saved.ref}`, `oci:${layout}:v1`]);
    await run('umoci', ['unpack', '--image', `${layout}:v1`, path.join(dir, 'bundle')]);
    const exported = path.join(dir, 'exported');
    await mkdir(exported);
    await run('sh', ['-c', `podman export aiplat-dm-${machine.id} | tar -C ${exported} -xpf - --numeric-owner`]);
    // Left out of the layer: the default excludes (caches, the IDEs' logs and runtime files), the baseline.
    const skipped = [
      ...NOT_IN_IMAGES,
      ...['root/.cache', 'root/.local/share/code-server/logs', 'root/.local/share/code-server/heartbeat'],
      ...['root/.local/share/jupyter/runtime', 'var/lib/aiplat/snapshot-baseline.ndjson.gz'],
    ];
    const options = { digests: true, skip: skipped, directoryTimes: false } as const;
    const [unpacked, container] = await Promise.all([
      treeState(path.join(dir, 'bundle', 'rootfs'), options),
      treeState(exported, options),
    ]);
    expect(unpacked['opt/tools/bin/tool']).toMatchObject({
      mode: 0o755,
      hardLinks: ['opt/tools/bin/tool', 'opt/tools/bin/tool-again'],
    });
    expect(unpacked['usr/local/bin/tool']).toMatchObject({ type: 'symlink', linkTarget: '/opt/tools/bin/tool' });
    expect(unpacked['etc/issue.net']).toBeUndefined();
    expect(unpacked['usr/share/doc/bash']).toBeUndefined();
    expect(Object.keys(unpacked).filter((p) => p.startsWith('usr/share/doc/procps/'))).toEqual([
      'usr/share/doc/procps/NEW',
    ]);
    expect(toSeconds(unpacked)).toEqual(toSeconds(container));
  }, 300_000);

  it('a new dev machine from the saved image has the changes, and the image is in the catalog', async () => {
    const { images } = await fx.client().listImages();
    const image = images.find((i) => i.source === 'saved');
    expect(image).toMatchObject({ ref: `${registry.host}/alice/torch-env:v1`, description: 'tools installed' });
    expect(image?.savedFrom).toMatchObject({ devMachineId: machine.id, baseRef });
    const details = await fx.client().getImage({ params: { id: image!.id } });
    expect(details.history?.at(-1)).toMatchObject({ comment: 'tools installed' });
    const second = await runningDevMachine(fx.client(), {
      name: 'from-saved',
      image: image!.ref,
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '2Gi' },
    });
    const { stdout } = await sh(
      second,
      '/usr/local/bin/tool; cat /usr/share/doc/procps/NEW; test -e /etc/issue.net || echo gone',
    );
    expect(stdout).toBe('tool\nnew\ngone\n');
    // Its container removed behind the platform's back: the machine fails and says so (its watch
    // may see the container gone, or first see it killed), rather than waiting on it forever.
    await run('podman', ['rm', '-f', `aiplat-dm-${second.id}`]);
    const failed = await waitForDevMachine(fx.client(), second.id, ['Failed'], 30_000);
    expect(failed.failure?.message).toMatch(/removed outside the platform|the container exited with code/);
  }, 200_000);

  it('a job from the saved image runs in a container with the changes and /work (containers.jobs)', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'job-in-image');
    const created = await fx.client().createJob({
      body: {
        spec: {
          name: 'from-image',
          mode: 'ddp',
          nodes: 1,
          image: `${registry.host}/alice/torch-env:v1`,
          command: 'tool; cat /usr/share/doc/procps/NEW; echo "$AIPLAT_JOB_ID" > out.txt; echo $PWD',
          workingDir,
          resources: { cpu: 0.5, memory: '256Mi' },
        },
      },
    });
    const job = await waitForJob(fx.client(), created.id, undefined, 120_000);
    const logs = await programOutput(fx.client(), job.id);
    expect(job.state, JSON.stringify({ job, logs })).toBe('Succeeded');
    const folder = path.join(fx.workRoot, 'home', 'alice', 'job-in-image');
    expect(logs[0]).toEqual(['tool', 'new', folder]);
    expect((await readFile(path.join(folder, 'out.txt'), 'utf8')).trim()).toBe(job.id);
    // The instance's container is gone with it.
    const { stdout } = await run('podman', ['ps', '-aq', '--filter', `label=aiplat.job=${job.id}`]);
    expect(stdout.trim()).toBe('');
  }, 200_000);

  it('a service from the saved image serves with the changes, each replica in a container (containers.services)', async () => {
    await fx.client().deployService({
      body: {
        spec: {
          name: 'from-image',
          version: {
            model: 'mount/models/tiny-gpt2',
            image: `${registry.host}/alice/torch-env:v1`,
            command:
              'mkdir -p /tmp/www && { tool; cat /usr/share/doc/procps/NEW; } > /tmp/www/changes.txt && exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory /tmp/www',
            resources: { cpu: 0.5, memory: '256Mi' },
            probes: { readiness: { type: 'http', path: '/changes.txt', periodSeconds: 1 } },
          },
        },
      },
    });
    const running = await waitForService(
      fx.client(),
      'from-image',
      (s) => s.state === 'Running' || s.state === 'Failed',
      120_000,
    );
    expect(running.state, JSON.stringify(running)).toBe('Running');
    const answer = await fetch(`${fx.baseUrl}/services/from-image/changes.txt`, {
      headers: { authorization: 'Bearer alice-token-0123456789abcdef' },
    });
    expect(await answer.text()).toBe('tool\nnew\n');
    await fx.client().stopService({ params: { name: 'from-image' }, body: {} });
    await waitForService(fx.client(), 'from-image', (s) => s.state === 'Stopped');
    const { stdout } = await run('podman', ['ps', '-aq', '--filter', 'label=aiplat.service=from-image']);
    expect(stdout.trim()).toBe('');
  }, 200_000);

  it('cancelled mid-upload: Cancelled, and nothing of it in the registry', async () => {
    await sh(machine, 'head -c 300000000 /dev/urandom > /opt/big.bin');
    const events = fx.events('alice');
    const pushing = new Promise<ImageSave>((resolve) =>
      events.subscribe('image-saves', (event: EventMessage) => {
        const save = event.data as ImageSave;
        if (save.state === 'Pushing' && save.progress.bytes > 0) resolve(save);
      }),
    );
    const started = await fx.client().saveImage({
      params: { id: machine.id },
      body: { repository: 'cancelled', tag: 'v1' },
    });
    await pushing;
    await fx.client().cancelImageSave({ params: { id: started.id } });
    const ended = await untilSaved(started.id);
    expect(ended.state).toBe('Cancelled');
    const inspect = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${started.ref}`]).catch(
      (error: { stderr?: string }) => error.stderr ?? 'failed',
    );
    expect(typeof inspect === 'string' ? inspect : 'the image exists').toMatch(/manifest unknown|not found/i);
    // The upload session was deleted: no layer data left under the repository's uploads.
    const { stdout } = await run('sh', [
      '-c',
      `find ${registry.storageDir} -path '*repositories/alice/cancelled/_uploads/*' -name data -size +0 | wc -l`,
    ]);
    expect(stdout.trim()).toBe('0');
    await sh(machine, 'rm /opt/big.bin');
  }, 200_000);

  it('keeps a stopped container with its changes, and removes it with the dev machine', async () => {
    await fx.client().stopDevMachine({ params: { id: machine.id }, body: {} });
    await waitForDevMachine(fx.client(), machine.id, ['Stopped'], 60_000);
    expect(
      await fx
        .client()
        .saveImage({ params: { id: machine.id }, body: { repository: 'x', tag: 'v1' } })
        .catch((e: Error) => e.message),
    ).toMatch(/is Stopped: start it to save it as an image/);
    await fx.client().startDevMachine({ params: { id: machine.id }, body: {} });
    const again = await waitForDevMachine(fx.client(), machine.id, ['Running', 'Failed'], 120_000);
    expect(again.state, JSON.stringify(again.failure)).toBe('Running');
    expect((await sh(again, 'cat /usr/share/doc/procps/NEW')).stdout).toBe('new\n');
    await fx.client().stopDevMachine({ params: { id: machine.id }, body: {} });
    await waitForDevMachine(fx.client(), machine.id, ['Stopped'], 60_000);
    await fx.client().deleteDevMachine({ params: { id: machine.id } });
    for (let i = 0; i < 100; i++) {
      const { stdout } = await run('podman', ['ps', '-aq', '--filter', `label=aiplat.devmachine=${machine.id}`]);
      if (stdout.trim() === '') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the deleted dev machine’s container is still there');
  }, 300_000);

  it('runs a lifecycle config as root in the container before the IDEs; a failing script stops it', async () => {
    const client = fx.client();
    const onStart = (text: string) => encodeLifecycleScript(text);
    const config = await client.createLifecycleConfig({
      body: {
        spec: {
          name: 'in-container',
          onCreate: encodeLifecycleScript('id -u > /opt/on-create-uid\n'),
          onStart: onStart(
            'echo "start as $(id -un) in $(pwd)"\n[ -S /run/aiplat/jupyterlab.sock ] && echo "IDE already up"\ntrue\n',
          ),
        },
      },
    });
    const spec = { image: baseRef, ides: ['jupyterlab' as const], resources: { cpu: 1, memory: '2Gi' } };
    const scripted = await runningDevMachine(client, { name: 'scripted', lifecycleConfig: 'in-container', ...spec });
    expect((await sh(scripted, 'cat /opt/on-create-uid')).stdout).toBe('0\n');
    const log = await client.devMachineLogs({ params: { id: scripted.id }, query: { stream: ['stdout'] } });
    expect(log.lines.map((line) => line.text)).toEqual([`start as root in /work/home/alice`]);

    await client.updateLifecycleConfig({
      params: { id: config.id },
      body: { spec: { ...config.spec, onStart: onStart('echo broken\nexit 4\n') } },
    });
    await client.stopDevMachine({ params: { id: scripted.id }, body: {} });
    await waitForDevMachine(client, scripted.id, ['Stopped'], 60_000);
    await client.startDevMachine({ params: { id: scripted.id }, body: {} });
    const failed = await waitForDevMachine(client, scripted.id, ['Running', 'Failed'], 120_000);
    expect(failed.failure?.message).toBe(
      'the on-start script exited with code 4; its last lines: broken; start it in safe mode to skip the scripts once',
    );
    const running = async () =>
      (await run('podman', ['inspect', '-f', '{{.State.Running}}', `aiplat-dm-${scripted.id}`])).stdout.trim();
    await expect.poll(running, { timeout: 20_000 }).toBe('false');
    // The on-create script ran once: at the first start only.
    await client.startDevMachine({ params: { id: scripted.id }, body: { safeMode: true } });
    expect((await waitForDevMachine(client, scripted.id, ['Running', 'Failed'], 120_000)).state).toBe('Running');
    const events = (await client.devMachineEvents({ params: { id: scripted.id } })).events.map((e) => e.type);
    expect(events.filter((type) => type === 'script-started')).toHaveLength(3);
    expect(events.at(-3)).toBe('scripts-skipped');
    await client.stopDevMachine({ params: { id: scripted.id }, body: { force: true } });
    await waitForDevMachine(client, scripted.id, ['Stopped'], 60_000);
  }, 300_000);
});
