import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import type { ContainerRuntimeInfo } from '@aiplat/api';
import type { ContainerRuntime } from './containerRuntime.js';
import { DockerApiRuntime } from './dockerApiRuntime.js';
import { pingSocket, startPodmanService } from './podmanService.js';

export type ContainerRuntimeSetting = 'auto' | 'podman' | 'docker' | 'none';

/** Sockets a system-wide Podman service or Docker daemon listen on. */
export const WELL_KNOWN_SOCKETS: readonly string[] = ['/run/podman/podman.sock', '/var/run/docker.sock'];

const AS_PROCESSES = 'dev machines run as processes';
export const TURNED_OFF_REASON = `containers are turned off (containers.runtime: none) — ${AS_PROCESSES}`;
export const NO_RUNTIME_REASON = `no container runtime: install podman and runc (see the operator guide) — ${AS_PROCESSES}`;

export interface DetectOptions {
  runtime: ContainerRuntimeSetting;
  /** A runtime's API socket to use (and nothing else). */
  socketPath?: string;
  /** Our own Podman service listens on `<dataDir>/podman/podman.sock`. */
  dataDir: string;
  /** Where `podman` is looked up (PATH). */
  env?: NodeJS.ProcessEnv;
  wellKnownSockets?: readonly string[];
  /** How long our own Podman service may take to answer. */
  startTimeoutMs?: number;
}

export interface DetectedRuntime {
  kind: 'podman' | 'docker' | 'none';
  version?: string;
  socketPath?: string;
  /** With `none`: what is missing and what to do. */
  reason?: string;
  runtime?: ContainerRuntime;
  /** What was tried and failed before the runtime found (worth a warning in the log). */
  notes: string[];
  /** Stops the Podman service started for this backend, if one was. */
  close(): Promise<void>;
}

/** What /api/info shows of a detected runtime. */
export function runtimeInfo(detected: DetectedRuntime): ContainerRuntimeInfo {
  return {
    kind: detected.kind,
    ...(detected.version ? { version: detected.version } : {}),
    ...(detected.reason ? { reason: detected.reason } : {}),
  };
}

const noClose = async () => {};

function none(reason: string, notes: string[] = []): DetectedRuntime {
  return { kind: 'none', reason, notes, close: noClose };
}

/**
 * Finds the container runtime of the local engine: the configured socket; else, where `podman`
 * is installed, a Podman API service of our own (stopped by close()); else a system-wide Podman
 * or Docker socket. Never throws: a runtime that is not there is `none` with the reason.
 */
export async function detectContainerRuntime(options: DetectOptions): Promise<DetectedRuntime> {
  const wanted = options.runtime;
  if (wanted === 'none') return none(TURNED_OFF_REASON);
  if (options.socketPath) {
    const found = await connect(options.socketPath);
    if (typeof found === 'string')
      return none(`the container runtime at ${options.socketPath} (containers.socketPath) ${found} — ${AS_PROCESSES}`);
    if (wanted !== 'auto' && found.kind !== wanted)
      return none(`containers.runtime is ${wanted} but ${options.socketPath} is ${found.kind} — ${AS_PROCESSES}`);
    return { ...found, notes: [] };
  }
  const notes: string[] = [];
  const podman = wanted === 'docker' ? undefined : await findOnPath('podman', options.env ?? process.env);
  if (podman) {
    const socketPath = path.join(options.dataDir, 'podman', 'podman.sock');
    try {
      const service = await startPodmanService({
        podman,
        socketPath,
        startTimeoutMs: options.startTimeoutMs ?? 15_000,
        ...(options.env ? { env: options.env } : {}),
      });
      const found = await connect(socketPath);
      if (typeof found !== 'string') return { ...found, notes, close: service.close };
      await service.close();
      notes.push(`the Podman service on ${socketPath} ${found}`);
    } catch (error) {
      notes.push((error as Error).message);
    }
  }
  for (const socketPath of options.wellKnownSockets ?? WELL_KNOWN_SOCKETS) {
    const found = await connect(socketPath);
    if (typeof found === 'string') continue;
    if (wanted === 'auto' || found.kind === wanted) return { ...found, notes };
  }
  if (notes.length > 0) return none(`${notes.join('; ')} — ${AS_PROCESSES}`, notes);
  if (wanted === 'docker')
    return none(`no Docker: nothing answers on ${WELL_KNOWN_SOCKETS[1]} (set containers.socketPath) — ${AS_PROCESSES}`);
  return none(NO_RUNTIME_REASON);
}

/** The runtime answering on `socketPath`, or why there is none. */
async function connect(socketPath: string): Promise<Omit<DetectedRuntime, 'notes'> | string> {
  if (!(await pingSocket(socketPath))) return 'does not answer';
  const docker = new Docker({ socketPath });
  let version: Docker.DockerVersion;
  try {
    version = await docker.version();
  } catch (error) {
    return `answers but not its version: ${(error as Error).message}`;
  }
  const podman = version.Components?.find((component) => component.Name === 'Podman Engine');
  const kind = podman ? 'podman' : 'docker';
  const number = podman?.Version ?? version.Version;
  return {
    kind,
    version: number,
    socketPath,
    runtime: new DockerApiRuntime(docker, kind, number, socketPath),
    close: noClose,
  };
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}
