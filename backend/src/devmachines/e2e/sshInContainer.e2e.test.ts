import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { podmanMissing, startPodman, type PodmanHarness } from '../../../../testing/src/images/podman.js';
import { ensureNoSshdImage, ensureSshdImage } from '../../../../testing/src/images/sshTestImage.js';

/*
 * SSH into a dev machine in a container (real Podman, host network): the image's own sshd, started
 * by the entrypoint the Kubernetes pods run, with the machine's host key and the owner's keys from
 * its folder (mounted in the container), on a free port of this machine. The image is Debian's
 * sshd with a stand-in JupyterLab (testing/src/images/sshTestImage.ts).
 */

const run = promisify(execFile);
const skip = podmanMissing();
let podman: PodmanHarness;
let fx: PlatformFixture;
let image: string;
let keys: string;

function keyPair(name: string): string {
  const file = path.join(keys, name);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return file;
}

beforeAll(async () => {
  if (skip) return;
  [podman, image] = await Promise.all([startPodman(), ensureSshdImage()]);
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: false },
    devMachines: {
      startDefault: false,
      readyTimeoutMs: 30_000,
      stopGraceMs: 2_000,
      sshHost: '127.0.0.1',
      sshListenAddress: '127.0.0.1',
    },
  });
  await mkdir(path.join(fx.workRoot, 'home', 'alice', 'project'), { recursive: true });
  keys = await mkdtemp(path.join(os.tmpdir(), 'aiplat-ssh-container-'));
}, 300_000);
afterAll(async () => {
  const ids = fx ? (await fx.client().listDevMachines()).devMachines.map((m) => m.id) : [];
  await fx?.close();
  for (const id of ids) await run('podman', ['rm', '-f', '--ignore', `aiplat-dm-${id}`]).catch(() => {});
  await podman?.close();
  if (keys) await rm(keys, { recursive: true, force: true });
}, 120_000);

describe.skipIf(skip)('SSH into a dev machine in a container', () => {
  it('reaches the image’s sshd with the owner’s key and the machine’s host key, and ends with the container', async () => {
    const client = fx.client();
    const owner = keyPair('owner');
    const stranger = keyPair('stranger');
    await client.addSshKey({ body: { name: 'laptop', publicKey: await readFile(`${owner}.pub`, 'utf8') } });
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'boxed-ssh',
          image,
          ides: ['jupyterlab'],
          resources: { cpu: 1, memory: '1Gi' },
          workingDir: 'home/project',
          ssh: { enabled: true },
        },
      },
    });
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed'], 120_000);
    expect(running.failure).toBeUndefined();
    const shown = running.ssh!;
    expect(shown).toMatchObject({ host: '127.0.0.1', user: 'root', command: `ssh -p ${shown.port} root@127.0.0.1` });
    const hostKey = path.join(fx.dir, 'data', 'devmachines', created.id, 'ssh', 'host_ed25519_key.pub');
    const fingerprint = spawnSync('ssh-keygen', ['-lf', hostKey], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(shown.hostKeyFingerprint).toBe(fingerprint);
    const knownHosts = path.join(keys, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${shown.port} ${await readFile(hostKey, 'utf8')}`);
    const ssh = (key: string, command: string) =>
      spawnSync(
        'ssh',
        [
          ...[
            '-i',
            key,
            '-p',
            String(shown.port),
            '-F',
            '/dev/null',
            '-o',
            'BatchMode=yes',
            '-o',
            'IdentitiesOnly=yes',
          ],
          ...['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`],
          'root@127.0.0.1',
          command,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );

    // Inside the container: its stand-in JupyterLab is there, this machine's is not.
    const inside = ssh(owner, 'echo $AIPLAT_DEVMACHINE_ID; id -un; test -x /opt/fake/jupyter && echo in-container');
    expect(inside.stderr).not.toContain('Permission denied');
    expect(inside.stdout.trim().split('\n')).toEqual([created.id, 'root', 'in-container']);
    const refused = ssh(stranger, 'true');
    expect(refused.status).toBe(255);
    expect(refused.stderr).toContain('Permission denied');

    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    const stopped = await waitForDevMachine(client, created.id, ['Stopped'], 60_000);
    expect(stopped.ssh).toBeUndefined();
    const closed = ssh(owner, 'true');
    expect(closed.status).toBe(255);
    expect(closed.stderr).toContain('Connection refused');
  }, 240_000);

  it('fails the start saying to install openssh-server when the image has no sshd', async () => {
    const client = fx.client();
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'no-sshd',
          image: await ensureNoSshdImage(),
          ides: ['jupyterlab'],
          resources: { cpu: 1, memory: '1Gi' },
          workingDir: 'home/project',
          ssh: { enabled: true },
        },
      },
    });
    const failed = await waitForDevMachine(client, created.id, ['Running', 'Failed'], 120_000);
    expect(failed.state).toBe('Failed');
    expect(failed.failure?.message).toContain(
      'SSH is enabled, but the image has no /usr/sbin/sshd: install openssh-server in the image',
    );
  }, 180_000);
});
