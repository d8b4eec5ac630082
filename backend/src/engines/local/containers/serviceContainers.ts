import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseMemory, type ServiceVersionSpec } from '@aiplat/api';
import {
  MODEL_MOUNT,
  pipEnv,
  START_COMMAND,
  START_DIR,
  startFiles,
  type PipSettings,
} from '../../../services/replicaContainer.js';
import { shellQuote } from '../../../shell/shellQuote.js';
import { containerDevices } from './acceleratorDevices.js';
import type { ContainerInstanceSpec } from './containerInstance.js';
import type { ContainerRuntime, EnsureImageOptions } from './containerRuntime.js';
import { containerWorkPath, workMounts } from './workMounts.js';

// The built runner, also when the backend runs from source (tests): dist/ mirrors src/.
const RUNNER = fileURLToPath(
  new URL('../../../../dist/engines/local/containers/containerInstance.js', import.meta.url),
);

export const SERVICE_LABEL = 'aiplat.service';

export interface ServiceContainersDeps {
  /** `containers.services`: versions that name an image run their replicas in containers. */
  enabled: boolean;
  /** The runtime and its API socket, or why there is none. */
  runtime(): Promise<{ runtime: ContainerRuntime; socketPath: string } | { reason: string }>;
  pullOptions(image: string): EnsureImageOptions;
  workRoot: string;
  pip: PipSettings;
  stopGraceMs: number;
}

/** One version's replicas in containers: what they all share. */
export interface ContainerVersion {
  service: string;
  owner: string;
  version: number;
  spec: ServiceVersionSpec;
  /** The version's folder on this machine (its start files and the replicas' container specs go there). */
  folder: string;
  /** The model and code folders on this machine. */
  model: string;
  code?: string;
}

/** How a replica's process runs its container, probes inside it and clears what a kill left. */
export interface ReplicaContainer {
  /** The shell command the supervisor runs for the replica on `port`, with the replica's variables. */
  launch(port: number): Promise<string>;
  /** An exec probe, run in the replica's container: true when it exits 0, else why not. */
  exec(command: string, timeoutMs: number): Promise<true | string>;
  /** Removes the replica's container, if a killed process left it. */
  clear(): Promise<void>;
}

/**
 * Service replicas in containers, by configuration: a version that names an image runs each
 * replica as `node containerInstance.js <spec>` under the supervisor (the same logs, exits, probes
 * and restarts as a process), which runs the image with the start script Kubernetes pods run too:
 * the requirements into a venv of the image's Python, then the version's command. The model is
 * read-only at /data/model, the owner's /work as on Kubernetes, the host's network (the replica
 * listens on its PORT on loopback, where the gateway reaches it).
 */
export class ServiceContainers {
  constructor(private readonly deps: ServiceContainersDeps) {}

  /** Whether the version's replicas run in containers. */
  uses(spec: ServiceVersionSpec): boolean {
    return this.deps.enabled && Boolean(spec.image);
  }

  /** Writes the version's start files; rejects when there is no runtime to run them. */
  async prepare(version: ContainerVersion): Promise<void> {
    const found = await this.deps.runtime();
    if ('reason' in found) throw new Error(`version ${version.version} names an image, but ${found.reason}`);
    const dir = startDir(version.folder);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(startFiles(version.spec))) {
      await writeFile(path.join(dir, name), text, { mode: 0o644 });
    }
  }

  /** The container of one replica process; `instance` names its files and its container. */
  replica(version: ContainerVersion, instance: string, env: Readonly<Record<string, string>>): ReplicaContainer {
    const name = containerName(version, instance);
    const runtime = async () => {
      const found = await this.deps.runtime();
      if ('reason' in found) throw new Error(found.reason);
      return found;
    };
    return {
      launch: async (port) => {
        const { socketPath } = await runtime();
        const specFile = await this.writeSpec(version, instance, name, socketPath, { ...env, PORT: String(port) });
        return `exec ${[process.execPath, RUNNER, specFile].map(shellQuote).join(' ')}`;
      },
      exec: async (command, timeoutMs) => {
        const found = await runtime().catch((error: Error) => error.message);
        if (typeof found === 'string') return found;
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          const code = await found.runtime.exec(name, ['/bin/sh', '-c', command], {
            stdout: discard(),
            stderr: discard(),
            signal,
          });
          return code === 0 ? true : `${command} exited with code ${code}`;
        } catch (error) {
          if (signal.aborted) return `${command} did not finish within ${timeoutMs} ms`;
          return `${command}: ${(error as Error).message}`;
        }
      },
      clear: async () => {
        const found = await this.deps.runtime();
        if (!('reason' in found)) await found.runtime.remove(name, { force: true }).catch(() => undefined);
      },
    };
  }

  /** Removes every container of the service (those a previous backend's killed replicas left). */
  async removeAll(service: string): Promise<void> {
    const found = await this.deps.runtime();
    if ('reason' in found) return;
    const left = await found.runtime.list({ label: `${SERVICE_LABEL}=${service}` }).catch(() => []);
    await Promise.all(left.map((c) => found.runtime.remove(c.id, { force: true }).catch(() => undefined)));
  }

  private async writeSpec(
    version: ContainerVersion,
    instance: string,
    name: string,
    socketPath: string,
    replicaEnv: Record<string, string>,
  ): Promise<string> {
    const { spec, owner, folder } = version;
    const { workRoot } = this.deps;
    const memory = parseMemory(spec.resources.memory);
    const cpus = spec.resources.cpu;
    const pip = pipEnv(this.deps.pip);
    const placed = containerDevices(replicaEnv);
    const env: Record<string, string> = {
      ...spec.env,
      ...placed.env,
      MODEL_DIR: MODEL_MOUNT,
      AIPLAT_SERVICE: version.service,
      AIPLAT_SERVICE_VERSION: String(version.version),
      ...Object.fromEntries([...pip.plain, ...pip.secret].map((e) => [e.name, e.value])),
    };
    const containerSpec: ContainerInstanceSpec = {
      socketPath,
      container: {
        name,
        image: spec.image!,
        command: START_COMMAND,
        env,
        workingDir: version.code ? containerWorkPath(workRoot, version.code) : MODEL_MOUNT,
        mounts: [
          ...workMounts(workRoot, owner),
          { source: version.model, target: MODEL_MOUNT, readOnly: true },
          { source: startDir(folder), target: START_DIR, readOnly: true },
        ],
        labels: { [SERVICE_LABEL]: version.service, 'aiplat.service-version': String(version.version) },
        resources: {
          ...(cpus > 0 ? { cpus } : {}),
          ...(memory ? { memoryBytes: memory } : {}),
          ...(placed.devices.length ? { devices: placed.devices } : {}),
        },
        init: true,
        network: 'host',
      },
      pull: this.deps.pullOptions(spec.image!),
      stopGraceSeconds: Math.max(0, Math.floor(this.deps.stopGraceMs / 1000) - 1),
    };
    // Readable by this backend only: it holds the replica's environment (pip's index password too).
    const dir = path.join(folder, 'containers');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const specFile = path.join(dir, `${instance}.json`);
    await writeFile(specFile, JSON.stringify(containerSpec), { mode: 0o600 });
    await chmod(specFile, 0o600);
    return specFile;
  }
}

function startDir(folder: string): string {
  return path.join(folder, 'start');
}

/** `aiplat-svc-<service>-v<N>-<instance>`: one per replica process, so a kill's leftover is found again. */
function containerName(version: ContainerVersion, instance: string): string {
  return `aiplat-svc-${version.service}-v${version.version}-${instance}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
