import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ApiError,
  canDevMachineMove,
  devMachineUrls,
  type DevMachine,
  type DevMachineEvent,
  type DevMachineIde,
  type DevMachineSpec,
  type DevMachineState,
  type EngineKind,
  gitRepositoryFolder,
  parseSshPublicKey,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import type { DevMachineRecord, DevMachineStore } from './devMachineStore.js';
import type {
  CloneCredential,
  CloneRequest,
  DevMachineEngine,
  DevMachineLifecycle,
  DevMachineObservation,
  EngineIdleSample,
  IdeEndpoint,
} from './engine.js';
import type { SnapshotTarget, SnapshotTargets } from '../images/snapshotTarget.js';
import type { LifecycleConfigService, LifecycleScripts } from './lifecycle/lifecycleConfigService.js';
import { autoStopAt, SNOOZE_MS, type AutoStop } from './idle/idleRules.js';

export interface DevMachineServiceDeps {
  store: DevMachineStore;
  events: EventPublisher;
  log: Logger;
  /** The engine of a spec that names none. */
  defaultEngine?: EngineKind;
  /** Where the lifecycle configs that specs name are found. */
  lifecycleConfigs?: LifecycleConfigService;
  /** The owner's own SSH keys, which open each of their machines with SSH enabled. */
  sshKeys?: { authorizedKeys(owner: string): string[] };
  /** The owner's Git credentials, named by the spec's repositories. */
  gitCredentials?: {
    /** Throws a 400 naming `path` when the owner has no credential of that name. */
    checkReference(owner: string, name: string, path: string): void;
    open(owner: string, name: string): CloneCredential;
  };
  now?: () => Date;
}

const STOPPABLE: readonly DevMachineState[] = ['Creating', 'Starting', 'Running'];
const STARTABLE: readonly DevMachineState[] = ['Creating', 'Stopped', 'Failed'];
const DELETABLE: readonly DevMachineState[] = ['Stopped', 'Failed'];

export function toDevMachine(record: DevMachineRecord): DevMachine {
  const { runtime: _runtime, autoStopWarned: _warned, ...shown } = record;
  const stopAt = autoStopOf(record);
  return {
    ...shown,
    urls: devMachineUrls(record.id, record.spec.ides),
    ...(stopAt ? { autoStopAt: new Date(stopAt.stopAt).toISOString() } : {}),
  };
}

/** When a running machine with `autoStop` stops by itself, and what is due at `now`. */
export function autoStopOf(record: DevMachineRecord, now = Date.now()): AutoStop | undefined {
  if (record.state !== 'Running' || !record.spec.autoStop || !record.startedAt) return undefined;
  return autoStopAt(Date.parse(record.startedAt), record.spec.autoStop.afterHours, record.snoozes ?? 0, now);
}

/**
 * Dev machines, engine-neutral: owners only (another user's dev machine is not found, never
 * forbidden, so ids tell nothing), states moved only along the contract's transitions, every change
 * stored, recorded as an event and published on the `devmachines` topic to the owner.
 */
export class DevMachineService implements DevMachineLifecycle, SnapshotTargets {
  private readonly now: () => Date;
  private readonly identities = new Map<
    string,
    { owner: string; ides: readonly DevMachineIde[]; engine: EngineKind }
  >();
  /** Set once each engine exists (it needs the service as its lifecycle). */
  private readonly engines = new Map<EngineKind, DevMachineEngine>();

  constructor(private readonly deps: DevMachineServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  useEngine(kind: EngineKind, engine: DevMachineEngine): void {
    this.engines.set(kind, engine);
  }

  list(owner: string): DevMachine[] {
    return this.deps.store.list(owner).map(toDevMachine);
  }

  get(id: string, owner: string): DevMachine {
    return toDevMachine(this.owned(id, owner));
  }

  /** The record, for the proxy and the engines: undefined when the owner does not match. */
  record(id: string, owner: string): DevMachineRecord | undefined {
    const record = this.deps.store.get(id);
    return record && record.owner === owner ? record : undefined;
  }

  /**
   * Who owns a dev machine and which IDEs it runs: fixed at creation, so kept in memory for the
   * proxy, which asks on every request (no store read on that path).
   */
  identity(id: string): { owner: string; ides: readonly DevMachineIde[]; engine: EngineKind } | undefined {
    let known = this.identities.get(id);
    if (!known) {
      const record = this.deps.store.get(id);
      if (!record) return undefined;
      known = { owner: record.owner, ides: record.spec.ides, engine: this.kindOf(record.spec) };
      this.identities.set(id, known);
    }
    return known;
  }

  /** Where the proxy reaches an IDE of a running dev machine, from the engine that runs it. */
  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined {
    const identity = this.identity(id);
    return identity ? this.engines.get(identity.engine)?.endpoint(id, ide) : undefined;
  }

  /** A look at a running machine for its idle policy, from the engine that runs it. */
  async sampleIdle(id: string): Promise<EngineIdleSample | undefined> {
    const identity = this.identity(id);
    return identity ? this.engines.get(identity.engine)?.sampleIdle?.(id) : undefined;
  }

  /** The file its lifecycle scripts' output goes to, from the engine that runs it. */
  logFile(id: string): string | undefined {
    const identity = this.identity(id);
    return identity ? this.engines.get(identity.engine)?.logFile?.(id) : undefined;
  }

  /** A running dev machine's container to save as an image, from the engine that runs it. */
  snapshotTarget(id: string): SnapshotTarget | string {
    const identity = this.identity(id);
    const engine = identity && this.engines.get(identity.engine);
    if (!engine?.snapshotTarget) {
      return `saving as an image is not available on the ${identity?.engine ?? 'local'} engine of this platform yet`;
    }
    return engine.snapshotTarget(id);
  }

  async create(owner: string, spec: DevMachineSpec, start: boolean): Promise<DevMachine> {
    const kind = this.kindOf(spec);
    this.engineOf(kind).validate(spec);
    this.checkLifecycleConfig(owner, spec.lifecycleConfig);
    this.checkGitCredentials(owner, spec);
    if (this.deps.store.list(owner).some((machine) => machine.spec.name === spec.name)) {
      throw new ApiError(
        'conflict',
        `you already have a dev machine named ${spec.name}; pick another name or start that one`,
        { issues: [{ path: 'body.spec.name', message: 'already used by another of your dev machines' }] },
      );
    }
    const record: DevMachineRecord = {
      id: `dm-${randomBytes(5).toString('hex')}`,
      owner,
      // The engine is fixed at creation: a later change of the server's default does not move it.
      spec: { ...spec, engine: kind },
      state: 'Creating',
      createdAt: this.now().toISOString(),
    };
    this.deps.store.insert(record);
    this.addEvent(record.id, { type: 'created', message: `Created ${spec.name}.`, state: 'Creating' });
    this.publish(record);
    return start ? this.start(record.id, owner) : toDevMachine(record);
  }

  async start(id: string, owner: string, safeMode = false): Promise<DevMachine> {
    const record = this.owned(id, owner);
    if (record.state === 'Starting' || record.state === 'Running') return toDevMachine(record);
    if (!STARTABLE.includes(record.state)) {
      throw new ApiError('conflict', `${record.spec.name} is ${record.state}; start it once it has stopped`);
    }
    const engine = this.engineOf(this.kindOf(record.spec));
    engine.validate(record.spec);
    const scripts = safeMode ? {} : this.scriptsFor(record);
    const repositories = this.cloneRequests(record);
    const ssh = record.spec.ssh?.enabled ? { authorizedKeys: this.authorizedKeys(record) } : undefined;
    const starting = this.move(
      record,
      'Starting',
      { type: 'starting', message: `Starting ${record.spec.name}.` },
      {
        startedAt: undefined,
        stoppedAt: undefined,
        failure: undefined,
        waitReason: undefined,
        snoozes: undefined,
        autoStopWarned: undefined,
      },
    );
    if (safeMode && record.spec.lifecycleConfig !== undefined) {
      this.addEvent(id, {
        type: 'scripts-skipped',
        message: `Safe mode: the scripts of ${record.spec.lifecycleConfig} are skipped this once.`,
      });
    }
    try {
      await engine.start(starting, { scripts, repositories, ...(ssh ? { ssh } : {}) });
    } catch (error) {
      this.observed(id, {
        state: 'Failed',
        failure: { message: `could not start: ${error instanceof Error ? error.message : String(error)}` },
      });
    }
    return this.get(id, owner);
  }

  /** `why` replaces the event's "Stop requested." when the platform stops it by itself. */
  async stop(id: string, owner: string, force: boolean, why?: string): Promise<DevMachine> {
    const record = this.owned(id, owner);
    if (record.state === 'Stopping' || record.state === 'Stopped') return toDevMachine(record);
    if (!STOPPABLE.includes(record.state)) {
      throw new ApiError('conflict', `${record.spec.name} is ${record.state}; there is nothing to stop`);
    }
    const stopping = this.move(record, 'Stopping', {
      type: 'stop-requested',
      message: why ?? (force ? 'Stop requested (force).' : 'Stop requested.'),
    });
    await this.engineOf(this.kindOf(record.spec)).stop(stopping, force);
    return this.get(id, owner);
  }

  /** Puts a running machine's auto-stop off by an hour (and warns again 10 minutes before the new time). */
  snooze(id: string, owner: string): DevMachine {
    const record = this.owned(id, owner);
    if (!record.spec.autoStop) {
      throw new ApiError('conflict', `${record.spec.name} has no auto-stop; there is nothing to put off`);
    }
    if (!autoStopOf(record)) {
      throw new ApiError(
        'conflict',
        `${record.spec.name} is ${record.state}; only a running machine's auto-stop is put off`,
      );
    }
    const updated = this.deps.store.update(id, { snoozes: (record.snoozes ?? 0) + 1, autoStopWarned: undefined });
    const stopAt = autoStopOf(updated)!.stopAt;
    this.addEvent(id, {
      type: 'auto-stop-snoozed',
      message: `Auto-stop put off by ${SNOOZE_MS / 3_600_000} hour: it now stops at ${new Date(stopAt).toISOString()}.`,
    });
    this.publish(updated);
    return toDevMachine(updated);
  }

  /** The warning before an auto-stop, given once per run (and again after a snooze). */
  warnAutoStop(id: string, stopAt: number): void {
    const record = this.deps.store.get(id);
    if (!record || record.autoStopWarned) return;
    const updated = this.deps.store.update(id, { autoStopWarned: true });
    const minutes = Math.max(0, Math.round((stopAt - this.now().getTime()) / 60_000));
    this.addEvent(id, {
      type: 'auto-stop-warning',
      message: `${record.spec.name} stops by itself in ${minutes} min (auto-stop after ${record.spec.autoStop?.afterHours} h); snooze to keep it one more hour.`,
    });
    this.publish(updated);
  }

  /** Every dev machine (the auto-stop clock looks at the running ones). */
  records(): DevMachineRecord[] {
    return this.deps.store.list();
  }

  copy(id: string, owner: string): { spec: DevMachineSpec } {
    const { spec } = this.owned(id, owner);
    const taken = new Set(this.deps.store.list(owner).map((machine) => machine.spec.name));
    let name = `${spec.name}-copy`.slice(0, 60);
    for (let n = 2; taken.has(name); n++) name = `${spec.name}-copy-${n}`.slice(0, 60);
    return { spec: { ...spec, name } };
  }

  delete(id: string, owner: string): { deleted: string } {
    const record = this.owned(id, owner);
    if (!DELETABLE.includes(record.state)) {
      throw new ApiError('conflict', `${record.spec.name} is ${record.state}; stop it before deleting it`);
    }
    this.engines
      .get(this.kindOf(record.spec))
      ?.discard?.(record)
      .catch((error: unknown) =>
        this.deps.log.warn({ id, err: error }, 'could not remove what the engine kept of a deleted dev machine'),
      );
    this.deps.store.delete(id);
    this.identities.delete(id);
    this.deps.events.publish('devmachines', 'devmachines', { change: 'deleted', id }, { user: owner });
    this.deps.events.publish(`devmachines/${id}`, 'devmachines', { change: 'deleted', id }, { user: owner });
    return { deleted: id };
  }

  events(id: string, owner: string): { events: DevMachineEvent[] } {
    this.owned(id, owner);
    return { events: this.deps.store.events(id) };
  }

  /**
   * After a backend restart: a dev machine left Creating, Starting, Running or Stopping is stopped
   * (what still ran of it is ended) and says so; its owner starts it again.
   */
  async recover(): Promise<void> {
    for (const record of this.deps.store.list()) {
      if (record.state === 'Stopped' || record.state === 'Failed') continue;
      await this.engines.get(this.kindOf(record.spec))?.release(record);
      const updated = this.deps.store.update(record.id, {
        state: 'Stopped',
        stoppedAt: this.now().toISOString(),
        runtime: undefined,
        waitReason: undefined,
      });
      this.addEvent(record.id, {
        type: 'stopped',
        message: 'Stopped: the platform restarted while it ran. Start it again.',
        state: 'Stopped',
      });
      this.publish(updated);
    }
  }

  observed(id: string, observation: DevMachineObservation): void {
    const record = this.deps.store.get(id);
    if (!record) return;
    const { state, event } = observation;
    const patch = {
      ...(observation.runtime !== undefined ? { runtime: observation.runtime } : {}),
      ...(observation.created ? { created: true } : {}),
      ...(observation.ssh ? { ssh: observation.ssh } : {}),
      ...(observation.repositories ? { repositories: mergedStatuses(record, observation.repositories) } : {}),
      ...(observation.waitReason !== undefined || state ? { waitReason: observation.waitReason } : {}),
    };
    if (state && state !== record.state) {
      if (!canDevMachineMove(record.state, state)) {
        this.deps.log.warn({ id, from: record.state, to: state }, 'dev machine observation out of order; ignored');
        return;
      }
      const at = this.now().toISOString();
      const times =
        state === 'Running'
          ? { startedAt: at }
          : state === 'Stopped' || state === 'Failed'
            ? { stoppedAt: at, runtime: undefined, ssh: undefined }
            : {};
      this.move(
        record,
        state,
        event ?? { type: STATE_EVENTS[state], message: observation.failure?.message ?? `${state}.` },
        { ...patch, ...times, ...(state === 'Failed' ? { failure: observation.failure } : {}) },
      );
      return;
    }
    const updated = this.deps.store.update(id, patch);
    if (event) this.addEvent(id, event);
    if (observation.waitReason !== undefined || event || observation.ssh || observation.repositories) {
      this.publish(updated);
    }
  }

  private move(
    record: DevMachineRecord,
    state: DevMachineState,
    event: Pick<DevMachineEvent, 'type' | 'message' | 'ide'>,
    patch: Partial<DevMachineRecord> = {},
  ): DevMachineRecord {
    const updated = this.deps.store.update(record.id, { ...patch, state });
    this.addEvent(record.id, { ...event, state });
    this.publish(updated);
    this.deps.log.info({ id: record.id, from: record.state, to: state }, 'dev machine state');
    return updated;
  }

  private addEvent(id: string, event: Omit<DevMachineEvent, 'time'>): void {
    this.deps.store.appendEvent(id, { time: this.now().toISOString(), ...event });
  }

  private publish(record: DevMachineRecord): void {
    const devMachine = toDevMachine(record);
    const user = { user: record.owner };
    this.deps.events.publish('devmachines', 'devmachines', { change: 'updated', devMachine }, user);
    this.deps.events.publish(`devmachines/${record.id}`, 'devmachines', { change: 'updated', devMachine }, user);
  }

  private owned(id: string, owner: string): DevMachineRecord {
    const record = this.record(id, owner);
    if (!record) throw new ApiError('not_found', `no dev machine ${id} of yours; list them with GET /api/devmachines`);
    return record;
  }

  private checkLifecycleConfig(owner: string, name: string | undefined): void {
    if (name === undefined) return;
    if (!this.deps.lifecycleConfigs) {
      throw new ApiError('validation_failed', 'this server runs no lifecycle configs', {
        issues: [{ path: 'body.spec.lifecycleConfig', message: 'lifecycle configs are not available here' }],
      });
    }
    this.deps.lifecycleConfigs.checkReference(owner, name);
  }

  private scriptsFor(record: DevMachineRecord): LifecycleScripts {
    if (record.spec.lifecycleConfig === undefined || !this.deps.lifecycleConfigs) return {};
    return this.deps.lifecycleConfigs.scriptsFor(record.owner, record.spec.lifecycleConfig, record.created === true);
  }

  private checkGitCredentials(owner: string, spec: DevMachineSpec): void {
    (spec.repositories ?? []).forEach((repository, index) => {
      if (repository.credential === undefined) return;
      const path = `body.spec.repositories.${index}.credential`;
      if (!this.deps.gitCredentials) {
        throw new ApiError('validation_failed', 'this server keeps no Git credentials', {
          issues: [{ path, message: 'Git credentials are not available here' }],
        });
      }
      this.deps.gitCredentials.checkReference(owner, repository.credential, path);
    });
  }

  /** The repositories not cloned at an earlier start, with their credentials opened. */
  private cloneRequests(record: DevMachineRecord): CloneRequest[] {
    const cloned = new Set((record.repositories ?? []).filter((r) => r.state === 'cloned').map((r) => r.url));
    return (record.spec.repositories ?? [])
      .filter((repository) => !cloned.has(repository.url))
      .map((repository) => ({
        url: repository.url,
        ...(repository.branch !== undefined ? { branch: repository.branch } : {}),
        folder: gitRepositoryFolder(repository.url),
        ...(repository.credential !== undefined && this.deps.gitCredentials
          ? { credential: this.deps.gitCredentials.open(record.owner, repository.credential) }
          : {}),
      }));
  }

  /** The owner's keys and the machine's own, each once. */
  private authorizedKeys(record: DevMachineRecord): string[] {
    const own = this.deps.sshKeys?.authorizedKeys(record.owner) ?? [];
    const listed = (record.spec.ssh?.publicKeys ?? []).flatMap((key) => {
      const parsed = parseSshPublicKey(key);
      return typeof parsed === 'string' ? [] : [parsed.line];
    });
    return [...new Set([...own, ...listed])];
  }

  private kindOf(spec: DevMachineSpec): EngineKind {
    return spec.engine ?? this.deps.defaultEngine ?? 'local';
  }

  private engineOf(kind: EngineKind): DevMachineEngine {
    const engine = this.engines.get(kind);
    if (engine) return engine;
    if (kind === 'local')
      throw new ApiError('unavailable', 'the dev machine engine is not ready yet; try again shortly');
    throw new ApiError('validation_failed', `the ${kind} engine is not configured on this server; use engine: local`, {
      issues: [{ path: 'body.spec.engine', message: `the ${kind} engine is not configured` }],
    });
  }
}

/** The statuses of this start replace those of the same URLs; the others stay. */
function mergedStatuses(record: DevMachineRecord, latest: DevMachineRecord['repositories'] & object) {
  const urls = new Set(latest.map((status) => status.url));
  return [...(record.repositories ?? []).filter((status) => !urls.has(status.url)), ...latest];
}

const STATE_EVENTS: Record<'Starting' | 'Running' | 'Stopped' | 'Failed', DevMachineEvent['type']> = {
  Starting: 'starting',
  Running: 'running',
  Stopped: 'stopped',
  Failed: 'failed',
};
