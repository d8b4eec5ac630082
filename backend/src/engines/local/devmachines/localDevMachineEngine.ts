import type { DevMachineIde, DevMachineSpec } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type {
  DevMachineEngine,
  DevMachineStartOptions,
  EngineIdleSample,
  IdeEndpoint,
} from '../../../devmachines/engine.js';
import { ideActivity } from '../../../devmachines/idle/ideActivity.js';
import type { SnapshotTarget } from '../../../images/snapshotTarget.js';
import { acceleratorPercent, ProcessTreeSampler, type HeldAccelerators } from './idleSampler.js';
import { missingTool } from './ideTools.js';
import { lifecycleLogFile } from './lifecycleLog.js';
import { ProcessDevMachines } from './processDevMachines.js';
import type { LocalDevMachineEngineDeps } from './localDevMachineDeps.js';
import * as sshServer from './sshServer.js';

export type { LocalDevMachineEngineDeps };

/**
 * The local engine's dev machines: queued for this machine's capacity with the jobs, then run as
 * process groups (ProcessDevMachines) or, when the spec names an image, in a container
 * (ContainerDevMachines).
 */
export class LocalDevMachineEngine implements DevMachineEngine {
  private readonly processes: ProcessDevMachines;
  private readonly samplers = new Map<string, ProcessTreeSampler>();
  private readonly accelerators = new Map<string, HeldAccelerators>();
  private closed = false;

  constructor(private readonly deps: LocalDevMachineEngineDeps) {
    this.processes = new ProcessDevMachines(deps, (id) => {
      this.forget(id);
      this.deps.queue.release(id);
    });
  }

  validate(spec: DevMachineSpec): void {
    this.deps.queue.validate(spec);
  }

  /** Queues the dev machine; its IDEs are launched once the queue gives it its resources. */
  async start(machine: DevMachineRecord, options: DevMachineStartOptions = { scripts: {} }): Promise<void> {
    if (this.processes.has(machine.id) || this.deps.containers?.has(machine.id)) {
      throw new Error(`${machine.spec.name} is already running`);
    }
    const inContainer = machine.spec.image !== undefined;
    if (inContainer && !this.deps.containers) {
      throw new Error(`${machine.spec.name} names an image, but this local engine runs no containers`);
    }
    // A container's IDEs come with its image; processes use this machine's.
    for (const ide of inContainer ? [] : machine.spec.ides) {
      const missing = missingTool(this.deps.tools, ide);
      if (missing) throw new Error(missing);
    }
    const noSshd = options.ssh && !inContainer ? sshServer.sshServerMissing(this.deps.ssh) : undefined;
    if (noSshd) throw new Error(noSshd);
    this.deps.queue.enqueue(machine, (placement) => {
      // Placed as the backend closes: launch nothing it would leave behind.
      if (this.closed) {
        this.deps.queue.release(machine.id);
        return;
      }
      const devicesEnv = this.deps.queue.devicesEnv(placement);
      const held = this.deps.queue.accelerators(placement);
      if (held) this.accelerators.set(machine.id, held);
      const launched = inContainer
        ? this.deps.containers!.launch(machine, devicesEnv, options, cpuCount(machine.spec)).catch((error: unknown) => {
            this.deps.queue.release(machine.id);
            throw error;
          })
        : this.processes.launch(machine, devicesEnv, options);
      launched.catch((error: unknown) => {
        this.deps.lifecycle.observed(machine.id, {
          state: 'Failed',
          failure: { message: `could not start: ${error instanceof Error ? error.message : String(error)}` },
        });
      });
    });
    return Promise.resolve();
  }

  async stop(machine: DevMachineRecord, force: boolean): Promise<void> {
    if (this.deps.containers?.has(machine.id)) {
      this.forget(machine.id);
      this.deps.containers.stop(machine.id, force).catch((error: unknown) => {
        this.deps.log.warn({ id: machine.id, err: error }, 'could not stop a dev machine container');
        this.deps.lifecycle.observed(machine.id, {
          state: 'Failed',
          failure: { message: `could not stop its container: ${(error as Error).message}` },
        });
      });
      return;
    }
    if (this.processes.stop(machine.id, force)) return;
    this.deps.queue.cancel(machine.id);
    this.deps.lifecycle.observed(machine.id, { state: 'Stopped' });
  }

  async sampleIdle(id: string): Promise<EngineIdleSample | undefined> {
    const lab = this.endpoint(id, 'jupyterlab');
    const code = this.endpoint(id, 'code-server');
    const ownPids = this.processes.rootPids(id);
    if (!ownPids && !this.deps.containers?.has(id)) return undefined;
    // The processes of the IDEs (and all they started), or of the container (a host pid under rootful Podman).
    const roots =
      ownPids ?? [await this.deps.containers?.rootPid(id)].filter((pid): pid is number => pid !== undefined);
    let sampler = this.samplers.get(id);
    if (!sampler) this.samplers.set(id, (sampler = new ProcessTreeSampler()));
    const processes = sampler.sample(roots);
    const accelerator = await acceleratorPercent(
      this.deps.acceleratorSamplers ?? [],
      this.accelerators.get(id),
      sampler.pids,
    );
    return {
      processes,
      ...(accelerator !== undefined ? { acceleratorPercent: accelerator } : {}),
      ...(await ideActivity(lab, code)),
    };
  }

  /** What was kept of a run for its idle policy. */
  private forget(id: string): void {
    this.samplers.delete(id);
    this.accelerators.delete(id);
  }

  logFile(id: string): string {
    return lifecycleLogFile(this.deps.dataDir, id);
  }

  async release(machine: DevMachineRecord): Promise<void> {
    if (machine.spec.image !== undefined) await this.deps.containers?.release(machine);
    else await this.processes.release(machine);
  }

  /** A deleted dev machine's container goes with it. */
  async discard(machine: DevMachineRecord): Promise<void> {
    if (machine.spec.image !== undefined) await this.deps.containers?.discard(machine);
  }

  snapshotTarget(id: string): SnapshotTarget | string {
    if (this.deps.containers?.has(id)) return this.deps.containers.snapshotTarget(id);
    if (this.processes.has(id)) {
      return 'this dev machine runs as processes on this machine (it names no image): only a dev machine in a container can be saved as an image';
    }
    return 'the dev machine is not running: start it to save it as an image';
  }

  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined {
    return this.deps.containers?.endpoint(id, ide) ?? this.processes.endpoint(id, ide);
  }

  /** Stops every dev machine (the backend is shutting down). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.processes.close(), this.deps.containers?.close()]);
  }
}

/** CPUs a container may use: the spec's request (fractions allowed), else no limit. */
function cpuCount(spec: DevMachineSpec): number | undefined {
  const cpu = spec.resources.cpu;
  return typeof cpu === 'number' && cpu > 0 ? cpu : undefined;
}
