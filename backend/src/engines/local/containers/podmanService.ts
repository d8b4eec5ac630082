import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The longest path a Unix socket can have on Linux (sun_path holds 108 bytes with the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;
const STDERR_TAIL_BYTES = 4096;
const PING_INTERVAL_MS = 50;
const STOP_GRACE_MS = 5_000;

export interface PodmanService {
  socketPath: string;
  pid: number;
  /** Stops the service (SIGTERM, then SIGKILL); containers it started keep running. Safe twice. */
  close(): Promise<void>;
}

export interface PodmanServiceOptions {
  /** The podman binary (a path, or a name on PATH). */
  podman: string;
  /** Where the API listens; its folder also keeps the service's pid file. */
  socketPath: string;
  startTimeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** Answers once the API at `socketPath` answers its ping. */
export function pingSocket(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * `podman system service --time=0` on a socket of our own, as a child this backend owns: it lives
 * as long as the backend (close() stops it). A service left behind by a backend that was killed is
 * stopped first (its pid file names it), so restarts never pile services up.
 */
export async function startPodmanService(options: PodmanServiceOptions): Promise<PodmanService> {
  const { socketPath } = options;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES)
    throw new Error(
      `the Podman socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes: use a shorter dataDir or set containers.socketPath`,
    );
  const dir = path.dirname(socketPath);
  const pidFile = path.join(dir, 'podman-service.pid');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await stopLeftover(pidFile, socketPath);
  await rm(socketPath, { force: true });
  const child = spawn(options.podman, ['system', 'service', '--time=0', `unix://${socketPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: options.env ?? process.env,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  const spawned = await Promise.race([
    once(child, 'spawn').then(() => undefined),
    once(child, 'error').then(([error]) => error as Error),
  ]);
  if (spawned) throw new Error(`cannot run ${options.podman}: ${spawned.message}`);
  await writeFile(pidFile, `${child.pid}\n`);
  const deadline = Date.now() + options.startTimeoutMs;
  while (!(await pingSocket(socketPath))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const how =
        child.exitCode !== null || child.signalCode !== null
          ? `exited (${child.exitCode ?? child.signalCode})`
          : `did not answer on ${socketPath} within ${options.startTimeoutMs} ms`;
      await stop(child);
      await rm(pidFile, { force: true });
      const tail = stderr.trim();
      throw new Error(
        `podman system service ${how}${tail ? `; its stderr ends with:\n${tail}` : ' and wrote nothing'}`,
      );
    }
    await sleep(PING_INTERVAL_MS);
  }
  let closing: Promise<void> | undefined;
  return {
    socketPath,
    pid: child.pid!,
    close: () =>
      (closing ??= (async () => {
        await stop(child);
        await rm(pidFile, { force: true });
        await rm(socketPath, { force: true });
      })()),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops the service a pid file names, if that process still is our service on this socket. */
async function stopLeftover(pidFile: string, socketPath: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const isOurService = async () =>
    (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').includes(`unix://${socketPath}`);
  if (await isOurService()) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (Date.now() < deadline && (await isOurService())) await sleep(PING_INTERVAL_MS);
    if (await isOurService()) process.kill(pid, 'SIGKILL');
  }
  await rm(pidFile, { force: true });
}
