import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { makeBareRepository } from '../../../../testing/src/git/bareRepository.js';
import { startGitHttpServer, type GitHttpServer } from '../../../../testing/src/git/gitHttpServer.js';
import {
  ensureBusyboxImage,
  podmanMissing,
  startPodman,
  type PodmanHarness,
} from '../../../../testing/src/images/podman.js';

/*
 * A dev machine in a container (real Podman) clones its repositories on this machine, before the
 * container is made, into the folder the container mounts as its working dir. The busybox image has
 * no IDEs, so the machine fails once the container runs; the clone is done by then.
 */

const run = promisify(execFile);
const skip = podmanMissing();
let podman: PodmanHarness;
let fx: PlatformFixture;
let http: GitHttpServer;
let image: string;

beforeAll(async () => {
  if (skip) return;
  podman = await startPodman();
  image = await ensureBusyboxImage();
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: false },
    devMachines: { startDefault: false, readyTimeoutMs: 5_000, stopGraceMs: 1_000 },
  });
  await mkdir(path.join(fx.dir, 'repos'));
  makeBareRepository(path.join(fx.dir, 'repos'), 'models');
  http = await startGitHttpServer(path.join(fx.dir, 'repos'));
  await mkdir(path.join(fx.workRoot, 'home', 'alice', 'project'), { recursive: true });
}, 120_000);
afterAll(async () => {
  const ids = fx ? (await fx.client().listDevMachines()).devMachines.map((m) => m.id) : [];
  await http?.close();
  await fx?.close();
  for (const id of ids) await run('podman', ['rm', '-f', '--ignore', `aiplat-dm-${id}`]).catch(() => {});
  await podman?.close();
}, 120_000);

describe.skipIf(skip)('git repositories of a dev machine in a container', () => {
  it('are cloned on this machine into the folder the container mounts', async () => {
    const client = fx.client();
    const url = `${http.url}/models.git`;
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'boxed',
          image,
          ides: ['jupyterlab'],
          resources: { cpu: 1, memory: '1Gi' },
          workingDir: 'home/project',
          repositories: [{ url, branch: 'feature' }],
        },
      },
    });
    await expect
      .poll(async () => (await client.getDevMachine({ params: { id: created.id } })).repositories, {
        timeout: 60_000,
        interval: 250,
      })
      .toEqual([expect.objectContaining({ url, path: 'home/project/models', state: 'cloned' })]);
    const host = path.join(fx.workRoot, 'home', 'alice', 'project', 'models');
    expect(await readFile(path.join(host, 'feature.txt'), 'utf8')).toBe('feature\n');
    await waitForDevMachine(client, created.id, ['Running', 'Failed'], 60_000);
    // The container sees that folder at its working dir: /work/home/alice is mounted from the owner's home.
    const { stdout } = await run('podman', [
      'inspect',
      '-f',
      '{{range .Mounts}}{{.Source}}={{.Destination}};{{end}}{{.Config.WorkingDir}}',
      `aiplat-dm-${created.id}`,
    ]);
    expect(stdout).toContain(`${path.join(fx.workRoot, 'home', 'alice')}=/work/home/alice;`);
    expect(stdout.trim().endsWith('/work/home/alice/project')).toBe(true);
  }, 120_000);
});
