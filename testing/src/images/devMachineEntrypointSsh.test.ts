import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sshHostKey } from '../../../backend/src/engines/kubernetes/devmachines/devMachineSsh.js';

/*
 * The dev machine image's entrypoint with SSH enabled (images/devmachine/entrypoint.sh), run for
 * real with this machine's sshd: the keys as the Secret mounts them (the host key made by the
 * backend), OpenSSH's client let in with the owner's key and refused with another, sshd stopped
 * with the pod, and an image without sshd told what to install. The IDE is a stand-in that waits.
 */

const SCRIPT = fileURLToPath(new URL('../../../images/devmachine/entrypoint.sh', import.meta.url));
const hasSshd = existsSync('/usr/sbin/sshd');
let dir: string;
const groups: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-entrypoint-ssh-'));
  await mkdir(path.join(dir, 'work'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function start(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const child = spawn('bash', [SCRIPT], {
    cwd: path.join(dir, 'work'),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      AIPLAT_SNAPSHOT_AGENT: path.join(dir, 'no-snapshot-agent'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  groups.push(child.pid!);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  return { child, exited, output: () => output };
}

function keyPair(name: string): string {
  const file = path.join(dir, name);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return file;
}

describe.skipIf(!hasSshd)('the dev machine entrypoint with SSH', () => {
  const hostKey = sshHostKey('aiplat-devmachine-dm-entry1');
  let owner: string;
  let keys: string;
  let ide: string;

  beforeAll(async () => {
    owner = keyPair('owner');
    keys = path.join(dir, 'ssh');
    await mkdir(keys);
    // As the Secret's volume mounts them (mode 0400).
    await writeFile(path.join(keys, 'authorized_keys'), await readFile(`${owner}.pub`, 'utf8'), { mode: 0o400 });
    await writeFile(path.join(keys, 'ssh_host_ed25519_key'), hostKey.privateKey, { mode: 0o400 });
    ide = path.join(dir, 'waiting-ide');
    await writeFile(ide, '#!/bin/sh\nexec sleep 300\n');
    await chmod(ide, 0o755);
  });

  const startWithSsh = (port: number) =>
    start({
      AIPLAT_DEVMACHINE_ID: 'dm-entry1',
      AIPLAT_IDES: 'code-server',
      AIPLAT_CODE_SERVER: ide,
      AIPLAT_SSH_DIR: keys,
      AIPLAT_SSH_PORT: String(port),
      AIPLAT_SERVER: 'http://aiplat.aiplat-system.svc:8080',
    });

  it('runs sshd with the mounted keys only, and stops it with the pod', async () => {
    const stranger = keyPair('stranger');
    const port = await freePort();
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKey.publicKey}\n`);
    const ssh = (key: string, command: string) =>
      spawnSync(
        'ssh',
        [
          ...['-i', key, '-p', String(port), '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'],
          ...['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`],
          `${os.userInfo().username}@127.0.0.1`,
          command,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );

    const run = startWithSsh(port);
    try {
      await expect.poll(() => run.output(), { timeout: 20_000 }).toContain(`sshd listens on port ${port}`);
      await expect
        .poll(() => ssh(owner, 'echo "$AIPLAT_DEVMACHINE_ID $AIPLAT_SERVER"').stdout.trim(), { timeout: 20_000 })
        .toBe('dm-entry1 http://aiplat.aiplat-system.svc:8080');
      const refused = ssh(stranger, 'true');
      expect(refused.status).toBe(255);
      expect(refused.stderr).toContain('Permission denied');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited, run.output()).toBe(0);
    const closed = ssh(owner, 'true');
    expect(closed.status).toBe(255);
    expect(closed.stderr).toContain('Connection refused');
  }, 60_000);

  it('ends the pod when sshd ends, as when an IDE does', async () => {
    const run = startWithSsh(await freePort());
    await expect.poll(() => run.output(), { timeout: 20_000 }).toContain('sshd listens on port');
    // The line is printed once sshd is started in the background: it may not have exec'd yet.
    const sshdPid = () =>
      Number(
        spawnSync('pgrep', ['-g', String(run.child.pid), '-f', 'sshd -D -e'], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')[0],
      ) || 0;
    await expect.poll(sshdPid, { timeout: 10_000 }).toBeGreaterThan(0);
    const pid = sshdPid();
    expect(pid).toBeGreaterThan(0); // never 0: that would signal this process group
    process.kill(pid, 'SIGKILL');
    expect(await run.exited).not.toBe(0);
    // The process's exit can come before the last of its output is read.
    await expect.poll(() => run.output()).toContain('exited with status');
  }, 60_000);
});

describe('the dev machine entrypoint without sshd', () => {
  it('says to install openssh-server in the image, and starts nothing', async () => {
    const run = start({
      AIPLAT_DEVMACHINE_ID: 'dm-entry1',
      AIPLAT_IDES: 'code-server',
      AIPLAT_CODE_SERVER: '/bin/false',
      AIPLAT_SSH_DIR: path.join(dir, 'nothing'),
      AIPLAT_SSHD: path.join(dir, 'no-sshd'),
      AIPLAT_TERMINATION_LOG: path.join(dir, 'termination-log'),
    });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('SSH is enabled, but the image has no');
    expect(run.output()).toContain('install openssh-server in the image');
    // The platform reports the termination message at once (devMachinePodState.ts).
    expect(await readFile(path.join(dir, 'termination-log'), 'utf8')).toMatch(
      /^aiplat-devmachine: SSH is enabled, but the image has no .*install openssh-server in the image/,
    );
  });
});
