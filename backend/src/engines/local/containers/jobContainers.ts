import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instanceGroups, parseMemory } from '@aiplat/api';
import type { JobFiles } from '../../../jobs/engine.js';
import type { InstanceRecord, JobRecord } from '../../../jobs/jobStore.js';
import { shellQuote } from '../../../shell/shellQuote.js';
import { containerDevices } from './acceleratorDevices.js';
import type { ContainerInstanceSpec } from './containerInstance.js';
import type { EnsureImageOptions } from './containerRuntime.js';

// The built runner, also when the backend runs from source (tests): dist/ mirrors src/.
const RUNNER = fileURLToPath(
  new URL('../../../../dist/engines/local/containers/containerInstance.js', import.meta.url),
);

export interface JobContainersDeps {
  /** `containers.jobs`: jobs that name an image run in containers. */
  enabled: boolean;
  /** The runtime's API socket, or why there is none. */
  socket(): Promise<{ socketPath: string } | { reason: string }>;
  pullOptions(image: string): EnsureImageOptions;
  workRoot: string;
  files: JobFiles;
  stopGraceMs: number;
}

/**
 * Job instances in containers, by configuration: an instance of a job that names an image runs
 * `node containerInstance.js <spec>` under the supervisor instead of its command, which runs the
 * command in a container from the image. /work is mounted at the same paths as on this machine
 * (so the platform's variables and the working folder hold inside), the job's own folder read-only,
 * with the spec's CPU and memory as limits and the host's network (the ranks of a DDP job reach
 * each other on loopback as processes do).
 */
export class JobContainers {
  constructor(private readonly deps: JobContainersDeps) {}

  /** The shell command that runs the instance in a container, or undefined when it runs as a process. */
  async command(
    job: JobRecord,
    record: InstanceRecord,
    command: string,
    cwd: string,
    env: Readonly<Record<string, string>>,
  ): Promise<string | undefined> {
    if (!this.deps.enabled || !job.spec.image) return undefined;
    const socket = await this.deps.socket();
    if ('reason' in socket) throw new Error(`${job.spec.name} names an image, but ${socket.reason}`);
    const { workRoot, files } = this.deps;
    // Instances are numbered across the spec's groups (a PS-worker job's servers, then workers).
    const groups = instanceGroups(job.spec).flatMap((group) => Array.from({ length: group.replicas }, () => group));
    const resources = groups[record.index]?.resources;
    const memory = resources ? parseMemory(resources.memory) : undefined;
    const cpus = resources?.cpu;
    const placed = containerDevices(env);
    const spec: ContainerInstanceSpec = {
      socketPath: socket.socketPath,
      container: {
        name: `aiplat-job-${job.id}-${record.index}-${job.attempt}`,
        image: job.spec.image,
        command: ['/bin/sh', '-c', command],
        env: placed.env,
        workingDir: cwd,
        mounts: [
          {
            source: path.join(workRoot, 'home', job.user),
            target: path.join(workRoot, 'home', job.user),
            readOnly: false,
          },
          { source: path.join(workRoot, 'cache'), target: path.join(workRoot, 'cache'), readOnly: false },
          { source: path.join(workRoot, 'mount'), target: path.join(workRoot, 'mount'), readOnly: true },
          { source: files.jobDir(job.id), target: files.jobDir(job.id), readOnly: true },
        ],
        labels: { 'aiplat.job': job.id, 'aiplat.instance': String(record.index) },
        resources: {
          ...(typeof cpus === 'number' && cpus > 0 ? { cpus } : {}),
          ...(memory ? { memoryBytes: memory } : {}),
          ...(placed.devices.length ? { devices: placed.devices } : {}),
        },
        init: true,
        network: 'host',
      },
      pull: this.deps.pullOptions(job.spec.image),
      stopGraceSeconds: Math.max(0, Math.floor(this.deps.stopGraceMs / 1000) - 1),
    };
    // Beside the logs, readable by this backend only: it holds the instance's environment.
    const dir = path.join(files.jobDir(job.id), 'containers');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const specFile = path.join(dir, `${record.name}.json`);
    await writeFile(specFile, JSON.stringify(spec), { mode: 0o600 });
    await chmod(specFile, 0o600);
    return `exec ${[process.execPath, RUNNER, specFile].map(shellQuote).join(' ')}`;
  }
}
