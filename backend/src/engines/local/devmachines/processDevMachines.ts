import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DEV_MACHINE_IDES, type DevMachineIde } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { DevMachineStartOptions, IdeEndpoint } from '../../../devmachines/engine.js';
import { instancePaths, type ExitStatus, type InstanceHandle } from '../supervisor/index.js';
import { logTail } from '../supervisor/logTail.js';
import { environmentEnv } from '../pythonEnvironment.js';
import { ideLaunch, IDE_NAMES, type IdeLaunch } from './ideLaunch.js';
import { ideAnswers } from './ideAnswers.js';
import { CodeServerSetup } from './vscodeExtension.js';
import { LIFECYCLE_TIMEOUT_MS, processLauncher } from './lifecycleScript.js';
import { runStartScripts } from './startScripts.js';
import { cloneRepositories } from './gitClone.js';
import { lifecycleLogFile } from './lifecycleLog.js';
import * as sshServer from './sshServer.js';
import type { LocalDevMachineEngineDeps } from './localDevMachineDeps.js';

interface RunningIde {
  launch: IdeLaunch;
  handle: InstanceHandle;
  ready: boolean;
}

interface Run {
  ides: Map<DevMachineIde, RunningIde>;
  /** Settles once every IDE of the run has been launched (or the launch failed). */
  launched: Promise<void>;
  stopping: boolean;
  failed: boolean;
  /** Ends a lifecycle script still running when the machine is stopped. */
  scripts: AbortController;
  sshd?: InstanceHandle;
}

/**
 * Dev machines as process groups on this machine: each IDE under the job supervisor's log shim,
 * listening on a Unix socket only this backend reaches, after the clones and the lifecycle scripts,
 * and an SSH server when asked for. Running once every IDE answers; an IDE (or sshd) that exits on
 * its own fails the dev machine (with its exit status and the end of its log) and stops the rest.
 */
export class ProcessDevMachines {
  private readonly runs = new Map<string, Run>();
  private readonly codeServer: CodeServerSetup;

  constructor(
    private readonly deps: LocalDevMachineEngineDeps,
    /** The run is over: its resources go back to the queues. */
    private readonly onEnded: (id: string) => void,
  ) {
    this.codeServer = new CodeServerSetup(deps);
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  async launch(
    machine: DevMachineRecord,
    devicesEnv: Record<string, string>,
    options: DevMachineStartOptions,
  ): Promise<void> {
    let launched = () => {};
    const run: Run = {
      ides: new Map(),
      launched: new Promise<void>((resolve) => (launched = resolve)),
      stopping: false,
      failed: false,
      scripts: new AbortController(),
    };
    this.runs.set(machine.id, run);
    try {
      const runtimeDir = path.join(this.deps.dataDir, 'devmachines', machine.id);
      await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
      const workingDir = await this.deps.resolveWorkingDir(machine.owner, machine.spec.workingDir);
      const token = randomBytes(24).toString('base64url');
      const platformEnv = this.deps.platformEnv?.(machine.owner) ?? {};
      const machineEnv = {
        AIPLAT_DEVMACHINE_ID: machine.id,
        ...this.deps.baseEnv,
        ...environmentEnv(machine.spec.environment, this.deps.baseEnv.PATH),
        ...machine.spec.env,
        ...devicesEnv,
        ...platformEnv,
      };
      // Before the scripts, so an on-create script can use the code; a failed clone does not fail the start.
      await cloneRepositories({
        machine,
        repositories: options.repositories ?? [],
        workingDir,
        runtimeDir,
        logFile: this.logFile(machine.id),
        lifecycle: this.deps.lifecycle,
        timeoutMs: this.deps.cloneTimeoutMs,
        signal: run.scripts.signal,
      });
      const scriptFailure = await runStartScripts({
        machine,
        scripts: options.scripts,
        logFile: this.logFile(machine.id),
        launcher: processLauncher(workingDir, machineEnv),
        runsAs: "the backend's user",
        timeoutMs: this.deps.lifecycleTimeoutMs ?? LIFECYCLE_TIMEOUT_MS,
        lifecycle: this.deps.lifecycle,
        signal: run.scripts.signal,
      });
      if (scriptFailure !== undefined && !run.stopping) {
        // The IDEs do not start: the machine fails with the script's reason.
        run.failed = true;
        launched();
        this.ended(machine.id);
        this.deps.lifecycle.observed(machine.id, {
          state: 'Failed',
          failure: { message: `${scriptFailure}; start it in safe mode to skip the scripts once` },
        });
        return;
      }
      if (machine.spec.ides.includes('code-server')) await this.codeServer.prepare(machine.id, runtimeDir, platformEnv);
      for (const ide of machine.spec.ides) {
        // Stopped (or the backend closing) while launching: launch nothing more.
        if (run.stopping || run.failed) break;
        const launch = ideLaunch({
          id: machine.id,
          ide,
          runtimeDir,
          workRoot: this.deps.workRoot,
          workingDir,
          token,
          extensionsDir: path.join(this.deps.dataDir, 'devmachines', 'code-server-extensions'),
          tools: this.deps.tools,
        });
        await rm(launch.socketPath, { force: true });
        const handle = await this.deps.supervisor.launchInstance({
          jobId: machine.id,
          instance: ide,
          command: launch.command,
          cwd: workingDir,
          env: { ...machineEnv, ...launch.env },
          logDir: runtimeDir,
        });
        run.ides.set(ide, { launch, handle, ready: false });
        handle.onExit((exit) => void this.exited(machine, ide, exit));
        this.deps.lifecycle.observed(machine.id, {
          event: { type: 'ide-started', ide, message: `${IDE_NAMES[ide]} started (pid ${handle.pid}).` },
        });
      }
      if (options.ssh && !run.stopping && !run.failed) {
        const start = { id: machine.id, runtimeDir, cwd: workingDir, authorizedKeys: options.ssh.authorizedKeys };
        const env = { ...machineEnv, AIPLAT_WORKING_DIR: workingDir };
        run.sshd = await sshServer.startMachineSsh(this.deps, { ...start, env }, (exit) =>
          this.sshdExited(machine, run, exit),
        );
      }
    } catch (error) {
      launched();
      await this.stopRun(run, 0);
      this.ended(machine.id);
      throw error;
    }
    launched();
    if (run.ides.size === 0) {
      // Stopped before any IDE was launched.
      this.ended(machine.id);
      this.deps.lifecycle.observed(machine.id, { state: 'Stopped' });
    }
    // An IDE that died while the next one was launched has failed the dev machine: end the rest.
    else if (run.failed) await this.stopRun(run, 0);
    else if (!run.stopping) void this.waitUntilReady(machine, run);
  }

  /** Begins stopping; false when the machine runs no processes here. */
  stop(id: string, force: boolean): boolean {
    const run = this.runs.get(id);
    if (!run) return false;
    run.stopping = true;
    run.scripts.abort(new Error('stopped'));
    void this.stopRun(run, force ? 0 : this.deps.stopGraceMs);
    return true;
  }

  /** The pids of a running machine's IDEs: the roots of its process tree. */
  rootPids(id: string): number[] | undefined {
    const run = this.runs.get(id);
    return run && [...run.ides.values()].map((running) => running.handle.pid);
  }

  /** Ends what a previous backend left running of this dev machine (after a restart). */
  async release(machine: DevMachineRecord): Promise<void> {
    const runtimeDir = path.join(this.deps.dataDir, 'devmachines', machine.id);
    for (const instance of [...DEV_MACHINE_IDES, sshServer.SSH_SERVER_INSTANCE]) {
      const { stateFile } = instancePaths(runtimeDir, instance);
      if (!existsSync(stateFile)) continue;
      const adopted = await this.deps.supervisor.adoptInstance(stateFile);
      if (adopted.kind === 'running') {
        await adopted.handle.stop(0);
        adopted.handle.dispose();
      }
    }
  }

  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined {
    const running = this.runs.get(id)?.ides.get(ide);
    if (!running?.ready) return undefined;
    const { launch } = running;
    return {
      target: { socketPath: launch.socketPath },
      prefix: launch.prefix,
      keepsPrefix: launch.keepsPrefix,
      headers: launch.headers,
    };
  }

  /** Stops every dev machine (the backend is shutting down). */
  async close(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) {
      run.stopping = true;
      run.scripts.abort(new Error('the platform is shutting down'));
    }
    await Promise.all(runs.map((run) => this.stopRun(run, this.deps.stopGraceMs)));
  }

  private logFile(id: string): string {
    return lifecycleLogFile(this.deps.dataDir, id);
  }

  private async waitUntilReady(machine: DevMachineRecord, run: Run): Promise<void> {
    const deadline = Date.now() + (this.deps.readyTimeoutMs ?? 120_000);
    for (const [ide, running] of run.ides) {
      while (!running.ready) {
        if (run.stopping || run.failed) return;
        if (await ideAnswers(running.launch.socketPath, running.launch.readyPath, running.launch.headers)) {
          running.ready = true;
        } else if (Date.now() > deadline) {
          await this.fail(
            machine,
            run,
            ide,
            `${IDE_NAMES[ide]} did not answer within ${Math.round((this.deps.readyTimeoutMs ?? 120_000) / 1000)} s`,
          );
          return;
        } else await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    if (run.stopping || run.failed) return;
    this.deps.lifecycle.observed(machine.id, {
      state: 'Running',
      event: { type: 'running', message: `${machine.spec.name} is running.` },
    });
  }

  private async exited(machine: DevMachineRecord, ide: DevMachineIde, exit: ExitStatus): Promise<void> {
    const run = this.runs.get(machine.id);
    if (!run) return;
    const running = run.ides.get(ide);
    if (running) running.ready = false;
    const status = exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
    if (!run.stopping && !run.failed) {
      const tail = running ? await logTail(running.handle.logFile) : '';
      await this.fail(machine, run, ide, `${IDE_NAMES[ide]} exited with ${status}${tail ? `: ${tail}` : ''}`, exit);
      return;
    }
    this.deps.lifecycle.observed(machine.id, {
      event: { type: 'ide-exited', ide, message: `${IDE_NAMES[ide]} ended (${status}).` },
    });
    if ([...run.ides.values()].every((other) => other.handle.exitStatus)) {
      this.ended(machine.id);
      if (!run.failed) this.deps.lifecycle.observed(machine.id, { state: 'Stopped' });
    }
  }

  private async fail(
    machine: DevMachineRecord,
    run: Run,
    ide: DevMachineIde | undefined,
    message: string,
    exit?: ExitStatus,
  ): Promise<void> {
    run.failed = true;
    this.deps.log.warn({ id: machine.id, ide }, message);
    this.deps.lifecycle.observed(machine.id, {
      state: 'Failed',
      failure: {
        message,
        ...(ide ? { ide } : {}),
        ...(exit?.code !== undefined && exit.code !== null ? { exitCode: exit.code } : {}),
        ...(exit?.signal ? { signal: exit.signal } : {}),
      },
    });
    await this.stopRun(run, 0);
    this.ended(machine.id);
  }

  /** sshd ending on its own fails the machine, as an IDE's end does: the address it shows would be wrong. */
  private async sshdExited(machine: DevMachineRecord, run: Run, exit: ExitStatus): Promise<void> {
    if (run.stopping || run.failed || this.runs.get(machine.id) !== run) return;
    await this.fail(machine, run, undefined, await sshServer.sshdExitMessage(run.sshd!, exit), exit);
  }

  /** The run is over: its resources go back to the queues. */
  private ended(id: string): void {
    this.runs.delete(id);
    this.onEnded(id);
  }

  /** Stops every IDE of the run, those still being launched included. */
  private async stopRun(run: Run, graceMs: number): Promise<void> {
    await run.launched;
    // sshd first: once Stopped is reported, nobody can log in.
    if (run.sshd) await sshServer.stopSshServer(run.sshd, graceMs);
    await Promise.all([...run.ides.values()].map((running) => running.handle.stop(graceMs)));
  }
}
