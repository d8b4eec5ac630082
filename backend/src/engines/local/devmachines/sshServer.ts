import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sshCommand, type DevMachineSsh } from '@aiplat/api';
import { sshFingerprint } from '../../../devmachines/access/sshKeyService.js';
import { shellQuote } from '../../../shell/shellQuote.js';
import type { DevMachineLifecycle } from '../../../devmachines/engine.js';
import type { ExitStatus, InstanceHandle, Supervisor } from '../supervisor/index.js';
import { logTail } from '../supervisor/logTail.js';

/*
 * One local dev machine's SSH server: Debian's OpenSSH sshd, run as the backend's own OS user (the
 * user its IDEs run as) under the same supervisor as the IDEs, on a free port, with a host key of
 * the machine's own (made at its first start and kept, so its fingerprint stays the same) and only
 * the keys of this start.
 */

const run = promisify(execFile);

export const SSHD_PATH = '/usr/sbin/sshd';
/** The supervisor's instance name: its log and state files are `sshd.*` in the machine's folder. */
export const SSH_SERVER_INSTANCE = 'sshd';

export interface SshServerSettings {
  /** The host shown in `ssh -p PORT user@host`. */
  host: string;
  /** The address sshd listens on. */
  listenAddress: string;
  sshdPath?: string;
}

/** The files of one machine's sshd, in `<runtimeDir>/ssh/`. */
export interface SshServerFiles {
  dir: string;
  hostKey: string;
  authorizedKeys: string;
  config: string;
  pidFile: string;
}

export function sshServerFiles(runtimeDir: string): SshServerFiles {
  const dir = path.join(runtimeDir, 'ssh');
  return {
    dir,
    hostKey: path.join(dir, 'host_ed25519_key'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
    config: path.join(dir, 'sshd_config'),
    pidFile: path.join(dir, 'sshd.pid'),
  };
}

/** Set by sshd itself for each session: what the machine's environment must not replace. */
const SESSION_VARIABLES = new Set(['HOME', 'USER', 'LOGNAME', 'SHELL', 'MAIL', 'PWD', 'SSH_AUTH_SOCK']);

export interface SshdConfigInput {
  port: number;
  listenAddress: string;
  /** The OS user who may log in: the backend's own. */
  user: string;
  files: SshServerFiles;
  /** Given to every session (sshd starts sessions with a fresh environment). */
  env: Record<string, string>;
}

/** An sshd_config argument: quoted when it has blanks (sshd splits arguments like a shell, without expansion). */
function configWord(value: string): string {
  return /[\s#]/.test(value) ? `"${value}"` : value;
}

/** Values sshd_config cannot carry (quotes, backslashes, control characters) are left out of `SetEnv`. */
const SETTABLE = /^[^"\\\p{Cc}]*$/u;

/** Public keys only, for this one user, nothing that asks for a password; sftp for scp and VS Code Remote-SSH. */
export function sshdConfig(input: SshdConfigInput): string {
  for (const file of Object.values(input.files)) {
    if (/["\p{Cc}]/u.test(file)) throw new Error(`the data dir path ${file} cannot be used in sshd_config`);
  }
  const env = Object.entries(input.env)
    .filter(([name, value]) => !SESSION_VARIABLES.has(name) && /^[A-Za-z_]\w*$/.test(name) && SETTABLE.test(value))
    .map(([name, value]) => `"${name}=${value}"`);
  return [
    `Port ${input.port}`,
    `ListenAddress ${input.listenAddress}`,
    `HostKey ${configWord(input.files.hostKey)}`,
    `AuthorizedKeysFile ${configWord(input.files.authorizedKeys)}`,
    `PidFile ${configWord(input.files.pidFile)}`,
    `AllowUsers ${input.user}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'HostbasedAuthentication no',
    'PermitEmptyPasswords no',
    // Only matters when the backend runs as root (as in CI): a key, never a password.
    'PermitRootLogin prohibit-password',
    // The backend's user runs sshd: no PAM session to open, and the files live in its data dir.
    'UsePAM no',
    'StrictModes no',
    'PermitUserEnvironment no',
    'X11Forwarding no',
    'PrintMotd no',
    'ClientAliveInterval 60',
    'Subsystem sftp internal-sftp',
    ...(env.length ? [`SetEnv ${env.join(' ')}`] : []),
    '',
  ].join('\n');
}

/** A TCP port nothing listens on at `host` now (the kernel's pick for port 0). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The host key: made once (ed25519), then kept so ssh clients that know the machine keep trusting it. */
export async function ensureHostKey(files: SshServerFiles, id: string): Promise<{ type: string; blob: string }> {
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(files.hostKey)) {
    const args = ['-q', '-t', 'ed25519', '-N', '', '-C', `aiplat-devmachine-${id}`, '-f', files.hostKey];
    await run('ssh-keygen', args).catch((error: unknown) => {
      const said = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new Error(`could not make the SSH host key with ssh-keygen (Debian package openssh-client): ${said}`);
    });
  }
  const [type = '', blob = ''] = (await readFile(`${files.hostKey}.pub`, 'utf8')).trim().split(/\s+/);
  return { type, blob };
}

/** Why this machine cannot run an SSH server, or undefined when it can. */
export function sshServerMissing(settings: SshServerSettings): string | undefined {
  const sshd = settings.sshdPath ?? SSHD_PATH;
  if (existsSync(sshd)) return undefined;
  return `SSH is enabled, but this machine has no OpenSSH server (${sshd}): install the Debian package openssh-server (apt-get install openssh-server), or turn SSH off for this dev machine`;
}

export interface SshServerStart {
  id: string;
  runtimeDir: string;
  authorizedKeys: readonly string[];
  /** The machine's environment, given to every session. */
  env: Record<string, string>;
  cwd: string;
}

/**
 * Writes this start's keys and config, checks the config with `sshd -t` (a wrong one fails the
 * start with sshd's own words) and launches `sshd -D -e` under the supervisor.
 */
export async function launchSshServer(
  supervisor: Supervisor,
  settings: SshServerSettings,
  start: SshServerStart,
): Promise<{ handle: InstanceHandle; ssh: DevMachineSsh }> {
  const missing = sshServerMissing(settings);
  if (missing) throw new Error(missing);
  const sshd = settings.sshdPath ?? SSHD_PATH;
  const { files, hostKey, port } = await prepareSshFiles(settings, start);
  const user = os.userInfo().username;
  const config = sshdConfig({ port, listenAddress: settings.listenAddress, user, files, env: start.env });
  await writeFile(files.config, config, { mode: 0o600 });
  // Run as root, sshd wants its privilege separation folder (Debian's service unit makes it).
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  try {
    await run(sshd, ['-t', '-f', files.config]);
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`the SSH server's configuration (${files.config}) was refused: ${said}`);
  }
  const handle = await supervisor.launchInstance({
    jobId: start.id,
    instance: SSH_SERVER_INSTANCE,
    command: `exec ${[sshd, '-D', '-e', '-f', files.config].map(shellQuote).join(' ')}`,
    cwd: start.cwd,
    env: { PATH: start.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    logDir: start.runtimeDir,
  });
  return { handle, ssh: sshAddress(settings, user, port, hostKey) };
}

/** What every start of a machine's sshd needs: its kept host key, this start's keys, and a free port. */
async function prepareSshFiles(
  settings: SshServerSettings,
  start: Pick<SshServerStart, 'id' | 'runtimeDir' | 'authorizedKeys'>,
): Promise<{ files: SshServerFiles; hostKey: { type: string; blob: string }; port: number }> {
  const files = sshServerFiles(start.runtimeDir);
  const hostKey = await ensureHostKey(files, start.id);
  await writeFile(files.authorizedKeys, start.authorizedKeys.map((key) => `${key}\n`).join(''), { mode: 0o600 });
  return { files, hostKey, port: await freePort(settings.listenAddress) };
}

/** How users reach it: the command to paste and the host key to expect. */
function sshAddress(
  settings: SshServerSettings,
  user: string,
  port: number,
  hostKey: { type: string; blob: string },
): DevMachineSsh {
  return {
    host: settings.host,
    port,
    user,
    command: sshCommand(user, settings.host, port),
    hostKeyFingerprint: sshFingerprint(hostKey.blob),
    hostKeyType: hostKey.type,
  };
}

/**
 * A dev machine in a container (host network) runs the image's own sshd, started by the entrypoint
 * it shares with the Kubernetes pods: the same host key and keys as a machine of processes, in its
 * folder the container mounts at `containerDir`, and the environment that tells the entrypoint so.
 */
export async function prepareContainerSsh(
  settings: SshServerSettings,
  start: Pick<SshServerStart, 'id' | 'runtimeDir' | 'authorizedKeys'>,
  containerDir: string,
): Promise<{ env: Record<string, string>; ssh: DevMachineSsh }> {
  const { files, hostKey, port } = await prepareSshFiles(settings, start);
  const inContainer = (file: string) => path.posix.join(containerDir, path.relative(start.runtimeDir, file));
  // The container's user: root, unless its image says otherwise (then its own user's sshd lets only it in).
  const user = 'root';
  return {
    env: {
      AIPLAT_SSH_DIR: inContainer(files.dir),
      AIPLAT_SSH_HOST_KEY: inContainer(files.hostKey),
      AIPLAT_SSH_PORT: String(port),
      AIPLAT_SSH_LISTEN: settings.listenAddress,
    },
    ssh: sshAddress(settings, user, port, hostKey),
  };
}

/**
 * Stops sshd and the connections it serves: each connection's sshd is a session of its own, which
 * stopping the listener's process group does not reach.
 */
export async function stopSshServer(handle: InstanceHandle, graceMs: number): Promise<void> {
  let connections: number[] = [];
  try {
    const listed = await readFile(`/proc/${handle.pid}/task/${handle.pid}/children`, 'utf8');
    connections = listed.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Already gone, or a kernel without the children list: the listener still stops.
  }
  await handle.stop(graceMs);
  for (const pid of connections) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // That connection had ended.
    }
  }
}

export function sshStartedMessage(ssh: DevMachineSsh, pid?: number): string {
  return `SSH server started${pid ? ` (pid ${pid})` : ''}: ${ssh.command} (host key ${ssh.hostKeyFingerprint}).`;
}

/** What starting a machine's sshd needs of the engine. */
export interface MachineSshDeps {
  supervisor: Supervisor;
  ssh: SshServerSettings;
  lifecycle: DevMachineLifecycle;
}

/** Launches the machine's sshd, reports its address (and an `ssh-started` event), and watches for its end. */
export async function startMachineSsh(
  deps: MachineSshDeps,
  start: SshServerStart,
  onExit: (exit: ExitStatus) => Promise<void>,
): Promise<InstanceHandle> {
  const { handle, ssh } = await launchSshServer(deps.supervisor, deps.ssh, start);
  handle.onExit((exit) => void onExit(exit));
  deps.lifecycle.observed(start.id, {
    ssh,
    event: { type: 'ssh-started', message: sshStartedMessage(ssh, handle.pid) },
  });
  return handle;
}

/** Why the machine failed when its sshd ended on its own: its status and the end of its log. */
export async function sshdExitMessage(handle: InstanceHandle, exit: ExitStatus): Promise<string> {
  const status = exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
  const tail = await logTail(handle.logFile);
  return `the SSH server exited with ${status}${tail ? `: ${tail}` : ''}`;
}
