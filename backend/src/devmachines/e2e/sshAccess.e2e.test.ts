import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, DevMachineSpecInput } from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';

/*
 * SSH into a local dev machine, for real: keys added through the API, Debian's sshd started with the
 * machine as the backend's user on a port of its own, and OpenSSH's own client logging in with a
 * generated key (checking the host key the API shows), while a key never added is refused and
 * nothing listens once the machine stops.
 */

let fx: PlatformFixture;
let client: ApiClient;
let keys: string;

/** A fresh key pair from ssh-keygen; returns the private key's path (the public one is `<path>.pub`). */
function generateKey(name: string, ...args: string[]): string {
  const file = path.join(keys, name);
  const made = spawnSync('ssh-keygen', ['-q', '-N', '', '-C', name, '-f', file, ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed: ${made.stderr}`);
  return file;
}

const publicKey = async (file: string) => (await readFile(`${file}.pub`, 'utf8')).trim();
const fingerprintOf = (file: string) =>
  spawnSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).stdout.split(' ')[1];

/** The real ssh client, trusting only the host key in `knownHosts`; never asks anything. */
function ssh(key: string, port: number, knownHosts: string, command: string) {
  return spawnSync(
    'ssh',
    [
      '-i',
      key,
      '-p',
      String(port),
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'ConnectTimeout=10',
      '-F',
      '/dev/null',
      `${os.userInfo().username}@127.0.0.1`,
      command,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

/** An ssh session left open: its output so far, and its exit code once it ends (within 15 s of the test asking). */
function sshSession(key: string, port: number, knownHosts: string, command: string) {
  const args = [
    '-i',
    key,
    '-p',
    String(port),
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
  ];
  const child = spawn('ssh', [
    ...args,
    '-o',
    'BatchMode=yes',
    '-F',
    '/dev/null',
    `${os.userInfo().username}@127.0.0.1`,
    command,
  ]);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<number | null>((resolve, reject) => {
    child.on('exit', (code) => resolve(code));
    setTimeout(() => {
      child.kill();
      reject(new Error('the ssh session outlived its dev machine'));
    }, 60_000).unref();
  });
  return { output: () => output, ended };
}

const machine = (name: string, extra: Partial<DevMachineSpecInput> = {}): DevMachineSpecInput => ({
  name,
  resources: { cpu: 1, memory: '1Gi' },
  ides: ['jupyterlab'],
  workingDir: 'home/project',
  ...extra,
});

beforeAll(async () => {
  if (!existsSync('/usr/sbin/sshd')) throw new Error('needs /usr/sbin/sshd: bash scripts/ensure-system-deps.sh');
  fx = await startPlatform({
    devMachines: {
      startDefault: false,
      readyTimeoutMs: 90_000,
      stopGraceMs: 2_000,
      sshHost: '127.0.0.1',
      sshListenAddress: '127.0.0.1',
    },
  });
  await mkdir(path.join(fx.workRoot, 'home', 'alice', 'project'), { recursive: true });
  client = fx.client();
  keys = await mkdtemp(path.join(os.tmpdir(), 'aiplat-ssh-keys-'));
}, 60_000);
afterAll(async () => {
  await fx?.close();
  if (keys) await rm(keys, { recursive: true, force: true });
}, 60_000);

describe('SSH keys', () => {
  it('are checked, kept once per user, and another user’s are not found', async () => {
    const key = generateKey('laptop', '-t', 'ed25519');
    const added = await client.addSshKey({ body: { name: 'laptop', publicKey: await publicKey(key) } });
    expect(added).toMatchObject({ name: 'laptop', type: 'ssh-ed25519', bits: 256, owner: 'alice' });
    expect(added.fingerprint).toBe(fingerprintOf(`${key}.pub`));
    expect((await client.listSshKeys()).sshKeys.map((k) => k.id)).toEqual([added.id]);

    const refused = async (publicKeyText: string) => {
      const error = await rejection(client.addSshKey({ body: { name: 'bad', publicKey: publicKeyText } }));
      expect(error.status).toBe(400);
      return error.message;
    };
    const weak = generateKey('weak', '-t', 'rsa', '-b', '1024');
    expect(await refused(await publicKey(weak))).toContain('the RSA key has 1024 bits; at least 2048 are needed');
    expect(await refused(await readFile(key, 'utf8'))).toContain('this is a private key');
    expect(await refused('hello world')).toContain('unsupported key type "hello"');
    expect(await refused('ssh-ed25519 not-base64!')).toContain('does not decode to an SSH public key');
    const dsa = spawnSync('ssh-keygen', ['-q', '-N', '', '-t', 'dsa', '-f', path.join(keys, 'dsa')]);
    const dsaKey = dsa.status === 0 ? await publicKey(path.join(keys, 'dsa')) : 'ssh-dss AAAAB3NzaC1kc3MAAACBAP8=';
    expect(await refused(dsaKey)).toContain('unsupported key type "ssh-dss"');

    const again = await rejection(client.addSshKey({ body: { name: 'again', publicKey: await publicKey(key) } }));
    expect(again.status).toBe(409);
    expect(again.message).toContain('this key is already added, as laptop');
    const strong = generateKey('strong', '-t', 'rsa', '-b', '2048');
    const sameName = await rejection(
      client.addSshKey({ body: { name: 'laptop', publicKey: await publicKey(strong) } }),
    );
    expect(sameName.status).toBe(409);

    const bob = fx.client('bob');
    expect((await bob.listSshKeys()).sshKeys).toEqual([]);
    expect((await rejection(bob.deleteSshKey({ params: { id: added.id } }))).status).toBe(404);
    const other = await client.addSshKey({ body: { name: 'desktop', publicKey: await publicKey(strong) } });
    expect(other).toMatchObject({ type: 'ssh-rsa', bits: 2048 });
    expect(await client.deleteSshKey({ params: { id: other.id } })).toEqual({ deleted: other.id });
    expect((await rejection(client.deleteSshKey({ params: { id: other.id } }))).status).toBe(404);
  });
});

describe('SSH into a local dev machine', () => {
  it('lets the owner’s key in with the host key the API shows, refuses any other, and ends with the machine', async () => {
    const key = path.join(keys, 'laptop');
    if (!existsSync(key)) throw new Error('the keys test runs first');
    const stranger = generateKey('stranger', '-t', 'ed25519');
    const created = await client.createDevMachine({ body: { spec: machine('reachable', { ssh: { enabled: true } }) } });
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(running.failure).toBeUndefined();
    const shown = running.ssh!;
    const user = os.userInfo().username;
    expect(shown).toMatchObject({ host: '127.0.0.1', user, command: `ssh -p ${shown.port} ${user}@127.0.0.1` });
    const events = (await client.devMachineEvents({ params: { id: created.id } })).events;
    expect(events.find((event) => event.type === 'ssh-started')?.message).toContain(shown.command);

    // The host key the client is told to trust is the machine's: the API shows its fingerprint.
    const hostKey = path.join(fx.dir, 'data', 'devmachines', created.id, 'ssh', 'host_ed25519_key.pub');
    expect(shown.hostKeyFingerprint).toBe(fingerprintOf(hostKey));
    expect(shown.hostKeyType).toBe('ssh-ed25519');
    const knownHosts = path.join(keys, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${shown.port} ${await readFile(hostKey, 'utf8')}`);

    const inside = ssh(key, shown.port, knownHosts, 'echo $AIPLAT_DEVMACHINE_ID; pwd; echo $AIPLAT_WORKING_DIR');
    expect(inside.stderr).not.toContain('Permission denied');
    expect(inside.status).toBe(0);
    expect(inside.stdout.trim().split('\n')).toEqual([
      created.id,
      os.userInfo().homedir,
      path.join(fx.workRoot, 'home', 'alice', 'project'),
    ]);

    const refused = ssh(stranger, shown.port, knownHosts, 'true');
    expect(refused.status).toBe(255);
    expect(refused.stderr).toContain('Permission denied');

    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    const stopped = await waitForDevMachine(client, created.id, ['Stopped']);
    expect(stopped.ssh).toBeUndefined();
    const closed = ssh(key, shown.port, knownHosts, 'true');
    expect(closed.status).toBe(255);
    expect(closed.stderr).toContain('Connection refused');

    // Started again, it keeps its host key (clients that know it keep trusting it).
    await client.startDevMachine({ params: { id: created.id }, body: {} });
    const again = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(again.ssh?.hostKeyFingerprint).toBe(shown.hostKeyFingerprint);
    await writeFile(knownHosts, `[127.0.0.1]:${again.ssh!.port} ${await readFile(hostKey, 'utf8')}`);
    // A session still open when the machine stops ends with it.
    const session = sshSession(key, again.ssh!.port, knownHosts, 'echo connected; sleep 120');
    await expect.poll(() => session.output(), { timeout: 20_000 }).toContain('connected');
    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Stopped']);
    expect(await session.ended).not.toBe(0);

    // sshd ending on its own fails the machine, saying so.
    await client.startDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Running']);
    const pidFile = path.join(path.dirname(hostKey), 'sshd.pid');
    process.kill(Number(await readFile(pidFile, 'utf8')), 'SIGKILL');
    const failed = await waitForDevMachine(client, created.id, ['Failed']);
    expect(failed.failure?.message).toContain('the SSH server exited with signal SIGKILL');
    expect(failed.ssh).toBeUndefined();
  }, 240_000);

  it('also lets in the keys the dev machine lists of its own', async () => {
    const colleague = generateKey('colleague', '-t', 'ecdsa', '-b', '256');
    const created = await client.createDevMachine({
      body: { spec: machine('shared', { ssh: { enabled: true, publicKeys: [await publicKey(colleague)] } }) },
    });
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    const { port } = running.ssh!;
    const hostKey = path.join(fx.dir, 'data', 'devmachines', created.id, 'ssh', 'host_ed25519_key.pub');
    const knownHosts = path.join(keys, 'known_hosts_shared');
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${await readFile(hostKey, 'utf8')}`);
    expect(ssh(colleague, port, knownHosts, 'echo $AIPLAT_DEVMACHINE_ID').stdout.trim()).toBe(created.id);
    // The owner's own keys open it too.
    expect(ssh(path.join(keys, 'laptop'), port, knownHosts, 'true').status).toBe(0);
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped']);
  }, 120_000);
});
