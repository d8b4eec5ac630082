import { appendFileSync, existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ApiError, type ServiceSpec, type ServiceVersionSpec } from '@aiplat/api';
import type { ReadyReplica, ServiceEngine, ServiceLifecycle, VersionLaunch } from '../../../services/engine.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { encodeLogLine } from '../../../logs/logFormat.js';
import { nextLogSeq } from '../../../logs/logReader.js';
import { createPortAllocator, instancePaths, type Supervisor } from '../supervisor/index.js';
import { Replica } from './replica.js';
import { installRequirements, type PipSettings } from './requirements.js';

export interface LocalServiceEngineDeps {
  lifecycle: ServiceLifecycle;
  supervisor: Supervisor;
  /** Each version's logs and environment under `<dataDir>/services/<name>/v<N>/`. */
  dataDir: string;
  /** A folder under /work (relative, e.g. mount/models/x) as the owner may read it, or an ApiError. */
  resolveFolder(owner: string, folder: string, field: string): Promise<string>;
  baseEnv: Readonly<Record<string, string>>;
  pip: PipSettings;
  readyTimeoutMs: number;
  stopGraceMs: number;
  log: Logger;
}

interface RunningVersion {
  replicas: Replica[];
  launch: VersionLaunch;
  cwd: string;
  env: Record<string, string>;
  logDir: string;
}

/**
 * Services on this machine: each replica a supervised process group on a loopback port (PORT),
 * the model folder named by MODEL_DIR, a version's requirements in its own venv.
 */
export class LocalServiceEngine implements ServiceEngine {
  private readonly versions = new Map<string, RunningVersion>();
  private readonly ports = createPortAllocator();

  constructor(private readonly deps: LocalServiceEngineDeps) {}

  validate(_spec: ServiceSpec, version: ServiceVersionSpec): void {
    if (version.resources.accelerator.type !== 'none' && version.resources.accelerator.count > 0) {
      // The local engine runs replicas without device placement yet; say so rather than pretend.
      throw new ApiError(
        'validation_failed',
        'the local engine runs services on CPU only; use engine: kubernetes for accelerators',
        {
          issues: [
            {
              path: 'body.spec.version.resources.accelerator',
              message: 'accelerators need the Kubernetes engine for services',
            },
          ],
        },
      );
    }
  }

  async checkFolders(owner: string, version: ServiceVersionSpec): Promise<void> {
    await this.deps.resolveFolder(owner, version.model, 'version.model');
    if (version.code) await this.deps.resolveFolder(owner, version.code, 'version.code');
  }

  async startVersion(launch: VersionLaunch): Promise<void> {
    const { service, version, spec } = launch;
    const model = await this.deps.resolveFolder(service.owner, spec.model, 'version.model');
    const cwd = spec.code ? await this.deps.resolveFolder(service.owner, spec.code, 'version.code') : model;
    const folder = path.join(this.deps.dataDir, 'services', service.name, `v${version}`);
    const logDir = path.join(folder, 'logs');
    await mkdir(logDir, { recursive: true });
    const env: Record<string, string> = {
      ...this.deps.baseEnv,
      ...spec.env,
      MODEL_DIR: model,
      AIPLAT_SERVICE: service.name,
      AIPLAT_SERVICE_VERSION: String(version),
    };
    const running: RunningVersion = { replicas: [], launch, cwd, env, logDir };
    this.versions.set(key(service.name, version), running);
    if (spec.requirements?.trim()) {
      for (let index = 0; index < spec.replicas; index++) this.report(service.name, version, index, 'Installing');
      this.deps.lifecycle.observed(service.name, {
        event: { type: 'installing', message: `Installing the requirements of version ${version}.`, version },
      });
      const platformLog = instancePaths(logDir, 'replica-0').logFile;
      let seq = nextLogSeq(platformLog);
      try {
        const { bin } = await installRequirements({
          folder,
          python: spec.environment ? path.join(spec.environment, 'bin', 'python') : 'python3',
          requirements: spec.requirements,
          pip: this.deps.pip,
          env: { ...this.deps.baseEnv },
          onLine: (line) => appendPlatformLine(platformLog, line, seq++),
        });
        env.PATH = `${bin}:${env.PATH ?? ''}`;
        env.VIRTUAL_ENV = path.dirname(bin);
      } catch (error) {
        this.versions.delete(key(service.name, version));
        throw new Error(`its requirements did not install: ${(error as Error).message}`);
      }
    } else if (spec.environment) {
      env.PATH = `${path.join(spec.environment, 'bin')}:${env.PATH ?? ''}`;
    }
    if (this.versions.get(key(service.name, version)) !== running) return;
    await this.grow(running, spec.replicas);
  }

  async stopVersion(name: string, version: number, force: boolean): Promise<void> {
    const running = this.versions.get(key(name, version));
    if (!running) return;
    this.versions.delete(key(name, version));
    await Promise.all(running.replicas.map((replica) => replica.stop(force)));
  }

  async scale(launch: VersionLaunch, replicas: number): Promise<void> {
    const running = this.versions.get(key(launch.service.name, launch.version));
    if (!running) return;
    running.launch = { ...launch, spec: { ...launch.spec, replicas } };
    const extra = running.replicas.splice(replicas);
    await Promise.all(extra.map((replica) => replica.stop(false)));
    await this.grow(running, replicas);
  }

  async restart(launch: VersionLaunch): Promise<void> {
    const running = this.versions.get(key(launch.service.name, launch.version));
    if (!running) return;
    for (const [index, old] of running.replicas.entries()) {
      await old.stop(false);
      const fresh = await this.replica(running, index);
      running.replicas[index] = fresh;
      await fresh.start();
      const deadline = Date.now() + this.deps.readyTimeoutMs;
      while (!fresh.ready && fresh.state !== 'Failed' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
    }
  }

  readyReplicas(name: string): readonly ReadyReplica[] {
    const ready: ReadyReplica[] = [];
    for (const running of this.versions.values()) {
      if (running.launch.service.name !== name) continue;
      for (const [index, replica] of running.replicas.entries()) {
        if (!replica.ready) continue;
        const version = running.launch.version;
        ready.push({ key: `${version}/${index}`, version, index, target: { host: '127.0.0.1', port: replica.port } });
      }
    }
    return ready;
  }

  logFile(name: string, version: number, index: number): string | undefined {
    const folder = path.join(this.deps.dataDir, 'services', name, `v${version}`, 'logs');
    return instancePaths(folder, `replica-${index}`).logFile;
  }

  /** Ends the replicas a previous backend left running of this service. */
  async release(service: ServiceRecord): Promise<void> {
    const root = path.join(this.deps.dataDir, 'services', service.name);
    for (const folder of await readdir(root).catch(() => [] as string[])) {
      const logs = path.join(root, folder, 'logs');
      for (const file of await readdir(logs).catch(() => [] as string[])) {
        if (!file.endsWith('.state.json')) continue;
        const adopted = await this.deps.supervisor.adoptInstance(path.join(logs, file));
        if (adopted.kind === 'running') {
          await adopted.handle.stop(0);
          adopted.handle.dispose();
        }
      }
    }
  }

  /** Removes what a deleted service kept on this machine (logs, its versions' environments). */
  async forget(name: string): Promise<void> {
    await rm(path.join(this.deps.dataDir, 'services', name), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.versions.values()].flatMap((running) => running.replicas.map((replica) => replica.stop(true))),
    );
    this.versions.clear();
  }

  private async grow(running: RunningVersion, replicas: number): Promise<void> {
    for (let index = running.replicas.length; index < replicas; index++) {
      const replica = await this.replica(running, index);
      running.replicas.push(replica);
      await replica.start();
    }
  }

  private async replica(running: RunningVersion, index: number): Promise<Replica> {
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
        cwd: running.cwd,
        env: { ...running.env, AIPLAT_REPLICA: String(index) },
        readyTimeoutMs: this.deps.readyTimeoutMs,
        stopGraceMs: this.deps.stopGraceMs,
        report: (observation) => this.deps.lifecycle.observed(service.name, observation),
        log: this.deps.log,
      },
      port!,
    );
  }

  private report(name: string, version: number, index: number, state: 'Installing'): void {
    this.deps.lifecycle.observed(name, { replica: { version, index, state } });
  }
}

function key(name: string, version: number): string {
  return `${name}/${version}`;
}

/** pip's output as the platform's lines of replica 0's log (before any replica runs, so no writer races). */
function appendPlatformLine(file: string, text: string, seq: number): void {
  if (!existsSync(path.dirname(file))) return;
  appendFileSync(file, encodeLogLine({ t: new Date().toISOString(), s: 'platform', m: text, seq }));
}
