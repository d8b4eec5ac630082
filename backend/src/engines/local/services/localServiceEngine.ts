import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ApiError, type ReplicaState, type ServiceSpec, type ServiceVersionSpec } from '@aiplat/api';
import type { ReadyReplica, ServiceEngine, ServiceLifecycle, VersionLaunch } from '../../../services/engine.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { createPortAllocator, type Supervisor } from '../supervisor/index.js';
import type { ServiceContainers } from '../containers/serviceContainers.js';
import { Replica } from './replica.js';
import { DEFAULT_BACKOFF, type Backoff } from './replicaRules.js';
import type { PipSettings } from './requirements.js';
import { rollingRestart } from './rollingRestart.js';
import { replicaNews, versionKey, type RunningVersion, type Slot } from './runningVersion.js';
import type { ServiceQueue } from './serviceQueue.js';
import { prepareEnvironment } from './versionEnvironment.js';
import { instanceNames, newestLog, versionFolder } from './versionFiles.js';
import { environmentEnv } from '../pythonEnvironment.js';

export interface LocalServiceEngineDeps {
  lifecycle: ServiceLifecycle;
  supervisor: Supervisor;
  /**
   * Where replicas wait for and hold capacity, on the queues jobs and dev machines use. Without
   * one, replicas start at once and the engine refuses accelerators (it has no devices to give).
   */
  queue?: ServiceQueue;
  /** Each version's logs and environment under `<dataDir>/services/<name>/v<N>/`. */
  dataDir: string;
  /** A folder under /work (relative, e.g. mount/models/x) as the owner may read it, or an ApiError. */
  resolveFolder(owner: string, folder: string, field: string): Promise<string>;
  baseEnv: Readonly<Record<string, string>>;
  pip: PipSettings;
  /** Replicas of versions that name an image run in containers, when configured. */
  containers?: ServiceContainers;
  readyTimeoutMs: number;
  stopGraceMs: number;
  /** The waits between restarts of a replica that exits; 1 s doubling to 30 s when left out. */
  backoff?: Backoff;
  log: Logger;
}

/**
 * Services on this machine: each replica a supervised process group on a loopback port (PORT)
 * with the model folder named by MODEL_DIR, placed through the queues jobs use; a version's
 * requirements go into its own venv first (`prepareEnvironment`). The replicas' health is
 * `Replica`'s; a rolling restart is `rollingRestart`'s.
 */
export class LocalServiceEngine implements ServiceEngine {
  private readonly versions = new Map<string, RunningVersion>();
  private readonly ports = createPortAllocator();
  private closed = false;

  constructor(private readonly deps: LocalServiceEngineDeps) {}

  validate(spec: ServiceSpec, version: ServiceVersionSpec): void {
    const { queue } = this.deps;
    if (queue) return queue.validate(spec.queue, spec.priority, version);
    if (version.resources.accelerator.type !== 'none' && version.resources.accelerator.count > 0) {
      throw new ApiError('validation_failed', 'this backend places services without accelerators; ask for none', {
        issues: [{ path: 'body.spec.version.resources.accelerator', message: 'no accelerators on this engine' }],
      });
    }
  }

  async checkFolders(owner: string, version: ServiceVersionSpec): Promise<void> {
    await this.deps.resolveFolder(owner, version.model, 'version.model');
    if (version.code) await this.deps.resolveFolder(owner, version.code, 'version.code');
  }

  /**
   * Resolves the version's folders (rejecting when the model or code folder is missing), then, in
   * the background, installs its requirements and queues its replicas; failures from then on are
   * reported as the version's.
   */
  async startVersion(launch: VersionLaunch): Promise<void> {
    if (this.closed) throw new Error('the local service engine is closed');
    const { service, version, spec } = launch;
    const model = await this.deps.resolveFolder(service.owner, spec.model, 'version.model');
    const cwd = spec.code ? await this.deps.resolveFolder(service.owner, spec.code, 'version.code') : model;
    await this.stopVersion(service.name, version, true);
    const folder = versionFolder(this.deps.dataDir, service.name, version);
    const logDir = path.join(folder, 'logs');
    await mkdir(logDir, { recursive: true });
    const env: Record<string, string> = {
      ...this.deps.baseEnv,
      ...environmentEnv(spec.environment, this.deps.baseEnv.PATH),
      ...spec.env,
      MODEL_DIR: model,
      AIPLAT_SERVICE: service.name,
      AIPLAT_SERVICE_VERSION: String(version),
    };
    const running: RunningVersion = {
      launch,
      folder,
      logDir,
      cwd,
      env,
      ...(this.deps.containers?.uses(spec)
        ? {
            container: {
              service: service.name,
              owner: service.owner,
              version,
              spec,
              folder,
              model,
              ...(spec.code ? { code: cwd } : {}),
            },
          }
        : {}),
      slots: [],
      prepared: false,
      stopped: false,
      restarting: false,
      abort: new AbortController(),
    };
    this.versions.set(versionKey(service.name, version), running);
    for (let index = 0; index < spec.replicas; index++) this.report(running, index, 'Pending');
    void this.prepare(running).catch((error: unknown) => {
      if (running.stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      for (let index = 0; index < running.launch.spec.replicas; index++) this.report(running, index, 'Failed', message);
      this.deps.lifecycle.observed(service.name, { versionFailed: { version, message } });
    });
  }

  async stopVersion(name: string, version: number, force: boolean): Promise<void> {
    const running = this.versions.get(versionKey(name, version));
    if (!running) return;
    this.versions.delete(versionKey(name, version));
    running.stopped = true;
    running.abort.abort();
    await Promise.all(running.slots.map((_slot, index) => this.endSlot(running, index, force)));
  }

  async scale(launch: VersionLaunch, replicas: number): Promise<void> {
    const running = this.versions.get(versionKey(launch.service.name, launch.version));
    if (!running) return;
    const before = running.launch.spec.replicas;
    running.launch = { ...launch, spec: { ...launch.spec, replicas } };
    const extra: number[] = [];
    for (let index = replicas; index < Math.max(before, running.slots.length); index++) extra.push(index);
    await Promise.all(extra.map((index) => this.endSlot(running, index, false)));
    running.slots.length = Math.min(running.slots.length, replicas);
    for (let index = before; index < replicas; index++) this.report(running, index, 'Pending');
    if (running.prepared) this.placeMissing(running);
  }

  /** Starts the rolling restart and returns: each index gets a new process, the old one stops once it is ready. */
  async restart(launch: VersionLaunch): Promise<void> {
    const running = this.versions.get(versionKey(launch.service.name, launch.version));
    if (!running || running.restarting) return;
    running.restarting = true;
    void rollingRestart(running, {
      lifecycle: this.deps.lifecycle,
      surgeReplica: (...args) => this.newReplica(...args, true),
      readyTimeoutMs: this.deps.readyTimeoutMs,
      log: this.deps.log,
    }).finally(() => (running.restarting = false));
    return Promise.resolve();
  }

  readyReplicas(name: string): readonly ReadyReplica[] {
    const ready: ReadyReplica[] = [];
    for (const running of this.versions.values()) {
      if (running.launch.service.name !== name || running.stopped) continue;
      const { version } = running.launch;
      for (const [index, slot] of running.slots.entries()) {
        if (!slot.replica?.ready) continue;
        ready.push({
          key: `${version}/${index}`,
          version,
          index,
          target: { host: '127.0.0.1', port: slot.replica.port },
        });
      }
    }
    return ready;
  }

  /** The log of the replica's current process: of the two slots a rolling restart alternates, the newer. */
  logFile(name: string, version: number, index: number): string | undefined {
    const current = this.versions.get(versionKey(name, version))?.slots[index]?.replica;
    if (current) return current.logFile;
    return newestLog(path.join(versionFolder(this.deps.dataDir, name, version), 'logs'), index);
  }

  /** Ends the replicas a previous backend left running of this service. */
  async release(service: ServiceRecord): Promise<void> {
    await this.deps.containers?.removeAll(service.name);
    const root = path.join(this.deps.dataDir, 'services', service.name);
    for (const folder of await readdir(root).catch(() => [] as string[])) {
      const logs = path.join(root, folder, 'logs');
      for (const file of await readdir(logs).catch(() => [] as string[])) {
        if (!file.endsWith('.state.json')) continue;
        const adopted = await this.deps.supervisor.adoptInstance(path.join(logs, file));
        if (adopted.kind !== 'running') continue;
        await adopted.handle.stop(0);
        adopted.handle.dispose();
      }
    }
  }

  /** Removes what a deleted service kept on this machine (logs, its versions' environments). */
  async forget(name: string): Promise<void> {
    await rm(path.join(this.deps.dataDir, 'services', name), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.versions.values()];
    await Promise.all(running.map((r) => this.stopVersion(r.launch.service.name, r.launch.version, true)));
  }

  /** The version's environment, then its replicas placed. */
  private async prepare(running: RunningVersion): Promise<void> {
    await prepareEnvironment(running, this.deps);
    if (running.stopped) return;
    running.prepared = true;
    this.placeMissing(running);
  }

  /** Queues each index the version wants and has no slot for yet. */
  private placeMissing(running: RunningVersion): void {
    const { service, version, spec } = running.launch;
    for (let index = running.slots.length; index < spec.replicas; index++) {
      const slot: Slot = { devicesEnv: {} };
      running.slots[index] = slot;
      const { queue } = this.deps;
      if (!queue) {
        void this.launchSlot(running, index, slot);
        continue;
      }
      queue.enqueue(
        { name: service.name, version, index, queue: service.queue, priority: service.priority, spec },
        (placement) => {
          slot.devicesEnv = queue.devicesEnv(placement);
          void this.launchSlot(running, index, slot);
        },
      );
    }
  }

  private async launchSlot(running: RunningVersion, index: number, slot: Slot): Promise<void> {
    if (running.stopped || running.slots[index] !== slot) {
      this.deps.queue?.release(running.launch.service.name, running.launch.version, index);
      return;
    }
    try {
      const replica = await this.newReplica(running, index, slot, instanceNames(index)[0], 0);
      if (running.stopped || running.slots[index] !== slot) return;
      slot.replica = replica;
      await replica.start();
    } catch (error) {
      if (running.stopped) return;
      const message = `replica ${index} could not start: ${(error as Error).message}`;
      this.report(running, index, 'Failed', message);
      this.deps.lifecycle.observed(running.launch.service.name, {
        versionFailed: { version: running.launch.version, message },
      });
    }
  }

  private async newReplica(
    running: RunningVersion,
    index: number,
    slot: Slot,
    instance: string,
    restarts: number,
    surge = false,
  ): Promise<Replica> {
    const [port] = await this.ports.allocate(1);
    const { service, version, spec } = running.launch;
    return new Replica(
      {
        service: service.name,
        version,
        index,
        spec,
        supervisor: this.deps.supervisor,
        logDir: running.logDir,
        instance,
        cwd: running.cwd,
        env: { ...running.env, ...slot.devicesEnv, AIPLAT_REPLICA: String(index) },
        ...(running.container
          ? {
              container: this.deps.containers!.replica(running.container, instance, {
                ...slot.devicesEnv,
                AIPLAT_REPLICA: String(index),
              }),
            }
          : {}),
        readyTimeoutMs: this.deps.readyTimeoutMs,
        stopGraceMs: this.deps.stopGraceMs,
        backoff: this.deps.backoff ?? DEFAULT_BACKOFF,
        surge,
        report: (observation) => {
          // A replica of a stopped version, or one replaced by a rolling restart, has no news to give.
          if (running.stopped && !observation.replica) return;
          this.deps.lifecycle.observed(service.name, observation);
        },
        log: this.deps.log,
      },
      port!,
      restarts,
    );
  }

  /** Stops the index's replica (or takes it out of the queue) and frees what it held. */
  private async endSlot(running: RunningVersion, index: number, force: boolean): Promise<void> {
    const slot = running.slots[index];
    const { service, version } = running.launch;
    if (slot?.replica) await slot.replica.stop(force);
    else this.report(running, index, 'Stopped');
    this.deps.queue?.release(service.name, version, index);
  }

  private report(running: RunningVersion, index: number, state: ReplicaState, message?: string): void {
    this.deps.lifecycle.observed(
      running.launch.service.name,
      replicaNews(running, index, state, message ? { message } : {}),
    );
  }
}
