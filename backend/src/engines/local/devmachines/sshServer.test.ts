import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sshFingerprint } from '../../../devmachines/access/sshKeyService.js';
import type { InstanceHandle, LaunchRequest, Supervisor } from '../supervisor/index.js';
import {
  ensureHostKey,
  freePort,
  launchSshServer,
  prepareContainerSsh,
  SSHD_PATH,
  sshdConfig,
  sshServerFiles,
  sshServerMissing,
} from './sshServer.js';

const hasSshd = existsSync(SSHD_PATH);
const ED25519_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-sshd-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Records the launch instead of running it. */
function recordingSupervisor(): { supervisor: Supervisor; launched: LaunchRequest[] } {
  const launched: LaunchRequest[] = [];
  const supervisor: Supervisor = {
    launchInstance: (request) => {
      launched.push(request);
      return Promise.resolve({ pid: 4242, logFile: path.join(request.logDir, 'sshd.log') } as InstanceHandle);
    },
    adoptInstance: () => Promise.reject(new Error('not used')),
  };
  return { supervisor, launched };
}

describe('sshdConfig', () => {
  const files = sshServerFiles('/data/devmachines/dm-1');
  const config = sshdConfig({
    port: 40022,
    listenAddress: '127.0.0.1',
    user: 'alice',
    files,
    env: {
      AIPLAT_DEVMACHINE_ID: 'dm-1',
      AIPLAT_WORKING_DIR: '/work/home/alice/my project',
      HOME: '/elsewhere',
      QUOTED: 'say "hi"',
      MULTI: 'a\nb',
    },
  });
  const lines = config.trim().split('\n');

  it('lets in public keys of the one user only, on the port and address given, with its own files', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'Port 40022',
        'ListenAddress 127.0.0.1',
        'HostKey /data/devmachines/dm-1/ssh/host_ed25519_key',
        'AuthorizedKeysFile /data/devmachines/dm-1/ssh/authorized_keys',
        'PidFile /data/devmachines/dm-1/ssh/sshd.pid',
        'AllowUsers alice',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        'Subsystem sftp internal-sftp',
      ]),
    );
  });

  it("gives sessions the machine's environment, but not what sshd sets or cannot carry", () => {
    expect(lines.filter((line) => line.startsWith('SetEnv'))).toEqual([
      'SetEnv "AIPLAT_DEVMACHINE_ID=dm-1" "AIPLAT_WORKING_DIR=/work/home/alice/my project"',
    ]);
  });

  it('quotes paths with blanks', () => {
    const spaced = sshdConfig({
      port: 1,
      listenAddress: '::',
      user: 'a',
      files: sshServerFiles('/my data/x'),
      env: {},
    });
    expect(spaced).toContain('HostKey "/my data/x/ssh/host_ed25519_key"\n');
    expect(spaced).not.toContain('SetEnv');
  });

  it.skipIf(!hasSshd)('is a configuration sshd accepts (sshd -t)', async () => {
    const real = sshServerFiles(dir);
    await ensureHostKey(real, 'dm-1');
    const file = path.join(dir, 'sshd_config');
    await writeFile(
      file,
      sshdConfig({ port: 40022, listenAddress: '127.0.0.1', user: os.userInfo().username, files: real, env: {} }),
    );
    if (process.getuid?.() === 0) execFileSync('mkdir', ['-p', '/run/sshd']);
    expect(() => execFileSync(SSHD_PATH, ['-t', '-f', file], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('the host key', () => {
  it('is made once and kept: its fingerprint is what ssh-keygen -lf shows', async () => {
    const files = sshServerFiles(dir);
    const first = await ensureHostKey(files, 'dm-1');
    expect(first.type).toBe('ssh-ed25519');
    expect(statSync(files.hostKey).mode & 0o777).toBe(0o600);
    const again = await ensureHostKey(files, 'dm-1');
    expect(again).toEqual(first);
    const shown = execFileSync('ssh-keygen', ['-lf', `${files.hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(sshFingerprint(first.blob)).toBe(shown);
  });
});

describe('launchSshServer', () => {
  it.skipIf(!hasSshd)(
    'writes the keys (0600), checks the config and launches sshd -D under the supervisor',
    async () => {
      const { supervisor, launched } = recordingSupervisor();
      const { ssh } = await launchSshServer(
        supervisor,
        { host: 'dev.example.com', listenAddress: '127.0.0.1' },
        { id: 'dm-1', runtimeDir: dir, authorizedKeys: [ED25519_KEY], env: { PATH: '/usr/bin:/bin' }, cwd: dir },
      );
      const files = sshServerFiles(dir);
      expect(await readFile(files.authorizedKeys, 'utf8')).toBe(`${ED25519_KEY}\n`);
      expect(statSync(files.authorizedKeys).mode & 0o777).toBe(0o600);
      expect(launched).toHaveLength(1);
      expect(launched[0]).toMatchObject({ jobId: 'dm-1', instance: 'sshd', logDir: dir });
      expect(launched[0]!.command).toBe(`exec '${SSHD_PATH}' '-D' '-e' '-f' '${files.config}'`);
      const user = os.userInfo().username;
      expect(ssh).toMatchObject({
        host: 'dev.example.com',
        user,
        command: `ssh -p ${ssh.port} ${user}@dev.example.com`,
        hostKeyType: 'ssh-ed25519',
        hostKeyFingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
      });
      expect(await readFile(files.config, 'utf8')).toContain(`Port ${ssh.port}\n`);
    },
  );

  it.skipIf(!hasSshd)("fails with sshd's own words when it refuses the config", async () => {
    const { supervisor, launched } = recordingSupervisor();
    const start = { id: 'dm-1', runtimeDir: dir, authorizedKeys: [], env: {}, cwd: dir };
    const settings = { host: 'h', listenAddress: '127.0.0.1' };
    const files = sshServerFiles(dir);
    await mkdir(files.dir, { recursive: true });
    // A host key sshd cannot read fails its check.
    await writeFile(files.hostKey, 'not a key\n', { mode: 0o600 });
    await writeFile(`${files.hostKey}.pub`, `${ED25519_KEY}\n`);
    await expect(launchSshServer(supervisor, settings, start)).rejects.toThrow(
      /the SSH server's configuration \(.*sshd_config\) was refused: .*host_ed25519_key/,
    );
    expect(launched).toEqual([]);
  });

  it('names the Debian package when sshd is missing', async () => {
    const settings = { host: 'h', listenAddress: '127.0.0.1', sshdPath: path.join(dir, 'no-sshd') };
    expect(sshServerMissing(settings)).toMatch(/install the Debian package openssh-server/);
    const { supervisor } = recordingSupervisor();
    await expect(
      launchSshServer(supervisor, settings, { id: 'dm-1', runtimeDir: dir, authorizedKeys: [], env: {}, cwd: dir }),
    ).rejects.toThrow(/openssh-server/);
  });
});

describe('prepareContainerSsh', () => {
  it("puts the machine's keys in its folder and tells the container's entrypoint where they are", async () => {
    const settings = { host: 'dev.example.com', listenAddress: '127.0.0.1' };
    const { env, ssh } = await prepareContainerSsh(
      settings,
      { id: 'dm-1', runtimeDir: dir, authorizedKeys: [ED25519_KEY] },
      '/run/aiplat',
    );
    expect(env).toEqual({
      AIPLAT_SSH_DIR: '/run/aiplat/ssh',
      AIPLAT_SSH_HOST_KEY: '/run/aiplat/ssh/host_ed25519_key',
      AIPLAT_SSH_PORT: String(ssh.port),
      AIPLAT_SSH_LISTEN: '127.0.0.1',
    });
    expect(await readFile(sshServerFiles(dir).authorizedKeys, 'utf8')).toBe(`${ED25519_KEY}\n`);
    expect(ssh).toMatchObject({ user: 'root', command: `ssh -p ${ssh.port} root@dev.example.com` });
    const again = await prepareContainerSsh(
      settings,
      { id: 'dm-1', runtimeDir: dir, authorizedKeys: [] },
      '/run/aiplat',
    );
    expect(again.ssh.hostKeyFingerprint).toBe(ssh.hostKeyFingerprint);
    expect(await readFile(sshServerFiles(dir).authorizedKeys, 'utf8')).toBe('');
  });
});

describe('freePort', () => {
  it('finds a port to listen on', async () => {
    const port = await freePort('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
