import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEV_MACHINE_IDE_PATHS, type DevMachineIde, type DevMachineSsh } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { DevMachineLifecycle, DevMachineStartOptions, IdeEndpoint } from '../../../devmachines/engine.js';
import type { SnapshotTarget } from '../../../images/snapshotTarget.js';
import { ideAnswers } from './ideAnswers.js';
import type { ContainerRuntime, EnsureImageOptions } from '../containers/containerRuntime.js';
import { containerDevices } from '../containers/acceleratorDevices.js';
import { isGone, logTail, startAgain, stoppedAnyway } from './containerControl.js';
import { hostWorkPath } from '../containers/workMounts.js';
import { shellQuote } from '../../../shell/shellQuote.js';
import type { LifecycleScripts } from '../../../devmachines/lifecycle/lifecycleConfigService.js';
import { containerScriptLauncher } from './lifecycleScript.js';
import { runStartScripts } from './startScripts.js';
import { prepareContainerSsh, sshStartedMessage, type SshServerSettings } from './sshServer.js';
import { cloneRepositories } from './gitClone.js';
import {
  containerName,
  containerWorkingDir,
  DEV_MACHINE_LABEL,
  DEVICES_LABEL,
  devMachineContainerSpec,
  IDE_SOCKETS,
  IMAGE_LABEL,
  LIFECYCLE_GATE,
  START_ENV,
} from './devMachineContainer.js';

export interface ContainerDevMachinesDeps {
  lifecycle: DevMachineLifecycle;
  /** Where the sshd of a machine with SSH enabled listens (host network), and the host it shows. */
  ssh: SshServerSettings;
  /** The runtime, or undefined when this machine has none. */
  runtime(): Promise<ContainerRuntime | undefined>;
  /** Why there is no runtime, for the start that needs one. */
  noRuntimeReason(): Promise<string>;
  /** Credentials and TLS for pulling an image (the platform's registry login). */
  pullOptions(image: string): EnsureImageOptions;
  dataDir: string;
  /** Absolute: the /work root on this machine (`home/<user>`, `cache`, `mount` under it). */
  workRoot: string;
  platformEnv(owner: string): Record<string, string>;
  stopGraceMs: number;
  readyTimeoutMs: number;
  lifecycleTimeoutMs: number;
  cloneTimeoutMs?: number;
  /** The file a machine's lifecycle script output goes to. */
  logFile(id: string): string;
  /** The run is over: its resources go back to the queues. */
  ended(id: string): void;
  log: Logger;
}

interface ContainerRun {
  containerId: string;
  image: string;
  token: string;
  runtimeDir: string;
  ides: readonly DevMachineIde[];
  ready: boolean;
  stopping: boolean;
  /** Ends a lifecycle script still running when the machine is stopped. */
  scriptsAbort: AbortController;
  /** Shown once Running: the image's sshd was started by the entrypoint before the IDEs. */
  ssh?: DevMachineSsh;
  watch?: NodeJS.Timeout;
}

/**
 * Dev machines in containers (a spec that names an image, where the local engine has Podman or
 * Docker): one container per machine from its image, /work mounted as on Kubernetes (the owner's
 * home and the cache read-write, mount read-only), the IDEs on Unix sockets in a folder only this
 * backend reaches. The container is kept when the machine stops, so what its owner installed is
 * there at the next start (and can be saved as an image); deleting the machine removes it.
 */
export class ContainerDevMachines {
  private readonly runs = new Map<string, ContainerRun>();

  constructor(private readonly deps: ContainerDevMachinesDeps) {}

  async launch(
    machine: DevMachineRecord,
    devicesEnv: Record<string, string>,
    options: Pick<DevMachineStartOptions, 'scripts' | 'repositories' | 'ssh'>,
    cpus?: number,
  ): Promise<void> {
    const { scripts } = options;
    const runtime = await this.deps.runtime();
    if (!runtime) throw new Error(`${machine.spec.name} names an image, but ${await this.deps.noRuntimeReason()}`);
    const image = machine.spec.image!;
    const runtimeDir = path.join(this.deps.dataDir, 'devmachines', machine.id);
    await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
    // Cloned here, as the backend's user, into the folder the container mounts as its working dir.
    await cloneRepositories({
      machine,
      repositories: options.repositories ?? [],
      workingDir: hostWorkPath(this.deps.workRoot, containerWorkingDir(machine)),
      runtimeDir,
      logFile: this.deps.logFile(machine.id),
      lifecycle: this.deps.lifecycle,
      timeoutMs: this.deps.cloneTimeoutMs,
    });
    for (const ide of machine.spec.ides) await rm(path.join(runtimeDir, `${ide}.sock`), { force: true });
    const gated = scripts.onCreate !== undefined || scripts.onStart !== undefined;
    for (const file of [LIFECYCLE_GATE, `${LIFECYCLE_GATE}.ready`])
      await rm(path.join(runtimeDir, file), { force: true });
    // What may differ from one start to the next (the IDEs' secret, the devices the queue gave, the
    // owner's platform token) is read by start.sh from this file, not fixed in the container.
    const token = randomBytes(24).toString('base64url');
    const placed = containerDevices(devicesEnv);
    const start = { id: machine.id, runtimeDir, authorizedKeys: options.ssh?.authorizedKeys ?? [] };
    const ssh = options.ssh ? await prepareContainerSsh(this.deps.ssh, start, IDE_SOCKETS) : undefined;
    const startEnv = {
      ...placed.env,
      ...ssh?.env,
      ...this.deps.platformEnv(machine.owner),
      AIPLAT_IDE_TOKEN: token,
      ...(gated ? { AIPLAT_LIFECYCLE_GATE: `${IDE_SOCKETS}/${LIFECYCLE_GATE}` } : {}),
    };
    await writeFile(
      path.join(runtimeDir, START_ENV),
      Object.entries(startEnv)
        .map(([key, value]) => `export ${key}=${shellQuote(value)}\n`)
        .join(''),
      { mode: 0o600 },
    );
    const name = containerName(machine.id);
    const kept = (await runtime.list({ label: `${DEV_MACHINE_LABEL}=${machine.id}` }))[0];
    let containerId: string;
    const devices = placed.devices.join(',');
    if (kept && kept.labels[IMAGE_LABEL] === image && (kept.labels[DEVICES_LABEL] ?? '') === devices) {
      // Started again as it was left: what its owner installed is still there.
      await startAgain(runtime, kept.id);
      containerId = kept.id;
    } else {
      if (kept) {
        await runtime.remove(kept.id, { force: true });
        if (kept.labels[IMAGE_LABEL] === image) {
          const message = `This start was given other devices (${devices || 'none'}) than the container was made with (${kept.labels[DEVICES_LABEL] || 'none'}), which a container cannot change: a new container is made from ${image}, and changes outside /work are not kept. Save the machine as an image to keep them.`;
          this.deps.lifecycle.observed(machine.id, { event: { type: 'starting', message } });
        }
      }
      this.deps.lifecycle.observed(machine.id, { event: { type: 'ide-started', message: `Pulling ${image}.` } });
      await runtime.ensureImage(image, this.deps.pullOptions(image));
      containerId = await runtime.run(
        devMachineContainerSpec(machine, this.deps.workRoot, {
          name,
          image,
          runtimeDir,
          cpus,
          devices: placed.devices,
        }),
      );
    }
    const run: ContainerRun = {
      containerId,
      image,
      token,
      runtimeDir,
      ides: machine.spec.ides,
      ready: false,
      stopping: false,
      scriptsAbort: new AbortController(),
      ...(ssh ? { ssh: ssh.ssh } : {}),
    };
    this.runs.set(machine.id, run);
    this.deps.lifecycle.observed(machine.id, {
      runtime: { container: name },
      event: { type: 'ide-started', message: `Container ${name} started from ${image}.` },
    });
    run.watch = setInterval(() => void this.check(machine.id, run, runtime), 1_000);
    void (gated ? this.runScripts(machine, run, runtime, scripts, startEnv) : this.waitUntilReady(machine, run));
  }

  /**
   * The start's lifecycle scripts, as root in the container (once start.sh has taken the snapshot
   * baseline), then the IDEs; a script that fails or times out stops the container and fails the start.
   */
  private async runScripts(
    machine: DevMachineRecord,
    run: ContainerRun,
    runtime: ContainerRuntime,
    scripts: LifecycleScripts,
    startEnv: Record<string, string>,
  ): Promise<void> {
    const gate = path.join(run.runtimeDir, LIFECYCLE_GATE);
    const deadline = Date.now() + this.deps.readyTimeoutMs;
    while (!existsSync(`${gate}.ready`)) {
      if (run.stopping || this.runs.get(machine.id) !== run) return;
      if (Date.now() > deadline) {
        return this.failStart(machine, run, runtime, 'the container did not get ready for its lifecycle scripts');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const launcher = containerScriptLauncher(runtime, run.containerId, {
      hostDir: run.runtimeDir,
      containerDir: IDE_SOCKETS,
      env: startEnv,
      workingDir: containerWorkingDir(machine),
    });
    const failure = await runStartScripts({
      machine,
      scripts,
      logFile: this.deps.logFile(machine.id),
      launcher,
      runsAs: 'root in the container',
      timeoutMs: this.deps.lifecycleTimeoutMs,
      lifecycle: this.deps.lifecycle,
      signal: run.scriptsAbort.signal,
    });
    if (run.stopping || this.runs.get(machine.id) !== run) return;
    if (failure !== undefined) {
      return this.failStart(machine, run, runtime, `${failure}; start it in safe mode to skip the scripts once`);
    }
    await writeFile(gate, '');
    await this.waitUntilReady(machine, run);
  }

  private async failStart(machine: DevMachineRecord, run: ContainerRun, runtime: ContainerRuntime, message: string) {
    run.stopping = true;
    clearInterval(run.watch);
    this.runs.delete(machine.id);
    this.deps.ended(machine.id);
    this.deps.lifecycle.observed(machine.id, { state: 'Failed', failure: { message } });
    await runtime.stop(run.containerId, 0).catch((error: unknown) => {
      if (!isGone(error)) this.deps.log.warn({ id: machine.id, err: error }, 'could not stop a dev machine container');
    });
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  /** The host pid of a running container's first process (the root of its process tree), for idle policies. */
  async rootPid(id: string): Promise<number | undefined> {
    const run = this.runs.get(id);
    const runtime = await this.deps.runtime();
    if (!run || !runtime) return undefined;
    return (await runtime.inspect(run.containerId).catch(() => undefined))?.pid;
  }

  async stop(id: string, force: boolean): Promise<void> {
    const run = this.runs.get(id);
    const runtime = await this.deps.runtime();
    if (!run || !runtime) return;
    run.stopping = true;
    run.ready = false;
    run.scriptsAbort.abort(new Error('stopped'));
    try {
      await runtime.stop(run.containerId, force ? 0 : Math.ceil(this.deps.stopGraceMs / 1000));
    } catch (error) {
      if (!isGone(error) && !(await stoppedAnyway(runtime, run.containerId, error))) throw error;
    }
    await this.check(id, run, runtime);
  }

  /** After a backend restart: a container left running is stopped (kept, with its changes). */
  async release(machine: DevMachineRecord): Promise<void> {
    const runtime = await this.deps.runtime();
    if (!runtime) return;
    for (const container of await runtime.list({ label: `${DEV_MACHINE_LABEL}=${machine.id}` })) {
      await runtime.stop(container.id, 0);
    }
  }

  /** The machine is deleted: its container goes, with its changes. */
  async discard(machine: DevMachineRecord): Promise<void> {
    const runtime = await this.deps.runtime();
    if (!runtime) return;
    for (const container of await runtime.list({ label: `${DEV_MACHINE_LABEL}=${machine.id}` })) {
      await runtime.remove(container.id, { force: true });
    }
  }

  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined {
    const run = this.runs.get(id);
    if (!run?.ready) return undefined;
    return ideEndpoint(id, ide, run);
  }

  snapshotTarget(id: string): SnapshotTarget | string {
    const run = this.runs.get(id);
    if (!run?.ready) return 'the dev machine is not running: start it to save it as an image';
    return {
      baseRef: run.image,
      exec: async (argv, io) => {
        const runtime = await this.deps.runtime();
        if (!runtime) throw new Error('the container runtime is gone');
        return runtime.exec(run.containerId, argv, { user: '0', ...io });
      },
    };
  }

  async close(): Promise<void> {
    const ids = [...this.runs.keys()];
    await Promise.all(ids.map((id) => this.stop(id, false)));
  }

  /** The container was removed outside the platform (e.g. `podman rm -f`): nothing is left to stop. */
  private gone(id: string, run: ContainerRun): void {
    if (this.runs.get(id) !== run) return;
    clearInterval(run.watch);
    this.runs.delete(id);
    this.deps.ended(id);
    const message = `Container ${containerName(id)} was removed outside the platform.`;
    this.deps.lifecycle.observed(
      id,
      run.stopping
        ? { state: 'Stopped', event: { type: 'stopped', message } }
        : { state: 'Failed', failure: { message } },
    );
  }

  /** Notices a container that ended (on its own, or stopped) and says how. */
  private async check(id: string, run: ContainerRun, runtime: ContainerRuntime) {
    if (this.runs.get(id) !== run) return;
    let state;
    try {
      state = await runtime.inspect(run.containerId);
    } catch (error) {
      if (isGone(error)) return this.gone(id, run);
      this.deps.log.warn({ id: id, err: error }, 'could not inspect a dev machine container');
      return;
    }
    if (state.running || this.runs.get(id) !== run) return;
    clearInterval(run.watch);
    this.runs.delete(id);
    this.deps.ended(id);
    if (run.stopping) {
      this.deps.lifecycle.observed(id, {
        state: 'Stopped',
        event: { type: 'stopped', message: `Container ${containerName(id)} stopped (kept with its changes).` },
      });
      return;
    }
    const tail = await logTail(runtime, run.containerId);
    const reason = state.oomKilled
      ? 'was killed for using more memory than it may'
      : `exited with code ${state.exitCode ?? '?'}`;
    this.deps.lifecycle.observed(id, {
      state: 'Failed',
      failure: {
        message: `the container ${reason}${tail ? `: ${tail}` : ''}`,
        ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
      },
    });
  }

  private async waitUntilReady(machine: DevMachineRecord, run: ContainerRun): Promise<void> {
    const deadline = Date.now() + this.deps.readyTimeoutMs;
    for (const ide of run.ides) {
      const endpoint = ideEndpoint(machine.id, ide, run);
      const readyPath = ide === 'jupyterlab' ? `${endpoint.prefix}api/status` : '/healthz';
      while (!(await ideAnswers(path.join(run.runtimeDir, `${ide}.sock`), readyPath, endpoint.headers))) {
        if (run.stopping || this.runs.get(machine.id) !== run) return;
        if (Date.now() > deadline) {
          run.stopping = true;
          this.deps.lifecycle.observed(machine.id, {
            state: 'Failed',
            failure: { message: `${ide} did not answer within ${Math.round(this.deps.readyTimeoutMs / 1000)} s`, ide },
          });
          const runtime = await this.deps.runtime();
          await runtime?.stop(run.containerId, 0);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    if (run.stopping || this.runs.get(machine.id) !== run) return;
    run.ready = true;
    if (run.ssh) {
      const event = { type: 'ssh-started' as const, message: sshStartedMessage(run.ssh) };
      this.deps.lifecycle.observed(machine.id, { ssh: run.ssh, event });
    }
    this.deps.lifecycle.observed(machine.id, {
      state: 'Running',
      event: { type: 'running', message: `${machine.spec.name} is running (container ${containerName(machine.id)}).` },
    });
  }
}

function ideEndpoint(id: string, ide: DevMachineIde, run: ContainerRun): IdeEndpoint {
  return {
    target: { socketPath: path.join(run.runtimeDir, `${ide}.sock`) },
    prefix: `/devmachines/${id}/${DEV_MACHINE_IDE_PATHS[ide]}/`,
    keepsPrefix: ide === 'jupyterlab',
    headers: ide === 'jupyterlab' ? { authorization: `token ${run.token}` } : {},
  };
}
