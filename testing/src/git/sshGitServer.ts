import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A fresh unencrypted ed25519 key pair made by ssh-keygen in `dir`. */
export function makeSshKeyPair(dir: string, name: string): SshKeyPair {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

export interface SshGitServer {
  port: number;
  /** The user its clients log in as (this process's). */
  user: string;
  /** `ssh://user@127.0.0.1:PORT<absolute path>` */
  urlOf(repositoryPath: string): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = (server.address() as net.AddressInfo) ?? { port: 0 };
      server.close(() => resolve(port));
    });
  });
}

/**
 * OpenSSH's sshd on a free loopback port, with its own host key and config in `dir`, letting in
 * this process's user with `authorizedKey` only (no passwords): git clones over it with
 * `ssh://user@127.0.0.1:PORT/abs/path/repo.git`. Needs Debian's openssh-server (/usr/sbin/sshd).
 */
export async function startSshGitServer(dir: string, authorizedKey: string): Promise<SshGitServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server`);
  mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  writeFileSync(path.join(dir, 'authorized_keys'), `${authorizedKey}\n`, { mode: 0o600 });
  // sshd checks for its privilege separation folder even when it runs as a plain user.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!output.includes('Server listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const user = os.userInfo().username;
  return {
    port,
    user,
    urlOf: (repositoryPath) => `ssh://${user}@127.0.0.1:${port}${repositoryPath}`,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
