import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, ServiceSpecInput } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import {
  ensureBusyboxImage,
  podmanMissing,
  removeLabelled,
  startPodman,
  type PodmanHarness,
} from '../../../../testing/src/images/podman.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';

/*
 * Service replicas in containers (`containers.services`), for real: a version that names an image
 * runs each replica in a Podman container from it, with the model read-only at /data/model, the
 * owner's /work as on Kubernetes and the host's network; the gateway reaches it on its PORT, exec
 * probes run inside the container, and no container outlives its replica.
 */

const run = promisify(execFile);
const skip = podmanMissing();
const OWNER = { authorization: 'Bearer alice-token-0123456789abcdef' };
let podman: PodmanHarness;
let fx: PlatformFixture;
let image: string;

beforeAll(async () => {
  if (skip) return;
  podman = await startPodman();
  image = await ensureBusyboxImage();
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: true },
    services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000 },
  });
}, 120_000);

afterAll(async () => {
  await fx?.close();
  // Only this file's services: other test files may run theirs on the same Podman meanwhile.
  if (!skip)
    for (const name of ['boxed', 'probed']) await removeLabelled(`aiplat.service=${name}`).catch(() => undefined);
  await podman?.close();
}, 60_000);

const waitFor = (name: string, ok: (s: Service) => boolean, timeoutMs = 40_000) =>
  waitForService(fx.client(), name, ok, timeoutMs);

async function containersOf(name: string): Promise<{ Id: string; Names: string[]; State: string }[]> {
  const { stdout } = await run('podman', [
    'ps',
    '--all',
    '--format',
    'json',
    '--filter',
    `label=aiplat.service=${name}`,
  ]);
  return JSON.parse(stdout || '[]') as { Id: string; Names: string[]; State: string }[];
}

const spec = (name: string, version: Partial<ServiceSpecInput['version']> = {}): ServiceSpecInput => ({
  name,
  version: {
    model: 'mount/models/tiny-gpt2',
    image,
    // busybox's httpd: serves the model folder, logs each request (-v) to the replica's log.
    command: 'exec httpd -f -v -p "$PORT" -h "$MODEL_DIR"',
    env: { GREETING: 'hello' },
    resources: { cpu: 0.5, memory: '128Mi' },
    probes: { readiness: { type: 'http', path: '/config.json', periodSeconds: 1 } },
    ...version,
  },
});

describe.skipIf(skip)('service replicas in containers', () => {
  it('runs each replica in a container from the image, the model read-only at /data/model, reached through the gateway', async () => {
    await fx.client().deployService({ body: { spec: spec('boxed', { replicas: 2 }) } });
    const running = await waitFor('boxed', (s) => s.state === 'Running');
    expect(running.replicas.map((r) => r.state)).toEqual(['Ready', 'Ready']);

    const answer = await fetch(`${fx.baseUrl}/services/boxed/config.json`, { headers: OWNER });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { model_type: string }).model_type).toBe('gpt2');

    const containers = await containersOf('boxed');
    expect(containers.map((c) => c.State)).toEqual(['running', 'running']);
    const { stdout } = await run('podman', ['inspect', containers[0]!.Id]);
    const [inspected] = JSON.parse(stdout) as {
      Mounts: { Destination: string; RW: boolean; Source: string }[];
      Config: { Env: string[] };
    }[];
    expect(inspected!.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Destination: '/data/model', RW: false }),
        expect.objectContaining({ Destination: '/work/home/alice', RW: true }),
        expect.objectContaining({ Destination: '/work/mount', RW: false }),
      ]),
    );
    expect(inspected!.Config.Env).toEqual(
      expect.arrayContaining(['MODEL_DIR=/data/model', 'GREETING=hello', 'AIPLAT_SERVICE=boxed']),
    );
    // Read-only inside, as on Kubernetes.
    const touched = await run('podman', ['exec', containers[0]!.Id, 'touch', '/data/model/x']).then(
      () => 'written',
      (error: { stderr?: string }) => error.stderr ?? 'refused',
    );
    expect(touched).toMatch(/Read-only file system/);

    // The container's output is the replica's log.
    const logs = await fx.client().serviceLogs({ params: { name: 'boxed' }, query: { search: 'response:200' } });
    expect(logs.lines.map((line) => line.stream)).toContain('stderr');
  }, 90_000);

  it('runs exec probes inside the container and restarts the replica in a new one when liveness fails', async () => {
    const home = path.join(fx.workRoot, 'home', 'alice');
    // The path exists only inside the container (/work is the host's fx.workRoot): a probe run
    // on this machine would fail from the start. `podman exec` can take over a second on a busy
    // machine, and a probe that times out fails (as in Kubernetes): the timeout is generous.
    const probe = { type: 'exec', periodSeconds: 1, timeoutSeconds: 10 } as const;
    await fx.client().deployService({
      body: {
        spec: spec('probed', {
          probes: {
            readiness: { ...probe, command: 'test -d /work/home/alice' },
            liveness: { ...probe, command: 'test ! -f /work/home/alice/unwell' },
          },
        }),
      },
    });
    await waitFor('probed', (s) => s.state === 'Running');
    const [first] = await containersOf('probed');
    // Counted after `first` was listed: a restart before this one is not the one this test causes.
    const restarts = (await fx.client().getService({ params: { name: 'probed' } })).replicas[0]?.restarts ?? 0;
    await writeFile(path.join(home, 'unwell'), '');
    await waitFor('probed', (s) => (s.replicas[0]?.restarts ?? 0) > restarts);
    await rm(path.join(home, 'unwell'));
    const ready = await waitFor('probed', (s) => s.state === 'Running' && s.replicas[0]?.state === 'Ready');
    expect(ready.replicas[0]!.restarts).toBeGreaterThan(restarts);
    const events = (await fx.client().serviceEvents({ params: { name: 'probed' } })).events.map((e) => e.type);
    expect(events).toContain('liveness-failed');
    const now = await containersOf('probed');
    expect(now).toHaveLength(1);
    expect(now[0]!.Id).not.toBe(first!.Id);
  }, 90_000);

  it('leaves no container behind when the service stops, gently or forced', async () => {
    await fx.client().stopService({ params: { name: 'boxed' }, body: {} });
    await waitFor('boxed', (s) => s.state === 'Stopped');
    expect(await containersOf('boxed')).toEqual([]);
    await fx.client().stopService({ params: { name: 'probed' }, body: { force: true } });
    await waitFor('probed', (s) => s.state === 'Stopped');
    expect(await containersOf('probed')).toEqual([]);
  }, 60_000);
});
