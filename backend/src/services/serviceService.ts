import type { Logger } from 'pino';
import {
  ApiError,
  canServiceMove,
  type EngineKind,
  type Service,
  type ServiceEvent,
  type ServiceSpec,
  type ServiceState,
  type ServiceVersionSpec,
  type UpdateServiceBody,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import type { ServiceEngine, ServiceLifecycle, ServiceObservation, VersionLaunch } from './engine.js';
import {
  allReady,
  liveVersions,
  nextVersion,
  pendingVersion,
  settledVersions,
  toService,
  wantedReplicas,
  withReplica,
} from './serviceRecords.js';
import { checkDomain, type DomainTlsPolicy, type ServiceDomainSetting } from './serviceDomain.js';
import type { ServiceRecord, ServiceStore } from './serviceStore.js';

export { toService } from './serviceRecords.js';

export interface ServiceServiceDeps {
  store: ServiceStore;
  events: EventPublisher;
  log: Logger;
  defaultEngine?: EngineKind;
  /** Called after every change of a service (the gateway's directory drops what it cached). */
  onChange?: (name: string) => void;
  /** Whether HTTPS is served for services' own domains; without it a domain's `tls` is refused. */
  domains?: DomainTlsPolicy;
  now?: () => Date;
}

/**
 * A change of a service's settings. `domain` (a new host or TLS pair, null to drop it) is taken by
 * the core; the API's update body does not carry it yet.
 */
export type ServiceUpdate = UpdateServiceBody & { domain?: ServiceDomainSetting | null };

const STOPPABLE: readonly ServiceState[] = ['Deploying', 'Running', 'Updating', 'Sleeping', 'Failed'];
const STARTABLE: readonly ServiceState[] = ['Stopped', 'Failed', 'Sleeping'];
const DELETABLE: readonly ServiceState[] = ['Stopped', 'Failed'];

/**
 * Online services, engine-neutral: owners only (another user's service is not found), states moved
 * along the contract's transitions, one version serving while the next is rolled out, every change
 * stored, recorded as an event and published on the `services` topic to the owner.
 */
export class ServiceService implements ServiceLifecycle {
  private readonly now: () => Date;
  private readonly engines = new Map<EngineKind, ServiceEngine>();

  constructor(private readonly deps: ServiceServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  useEngine(kind: EngineKind, engine: ServiceEngine): void {
    this.engines.set(kind, engine);
  }

  /** The engine that runs a service (for the gateway's ready replicas and the logs). */
  engineFor(record: ServiceRecord): ServiceEngine | undefined {
    return this.engines.get(record.engine);
  }

  list(owner: string): Service[] {
    return this.deps.store.list(owner).map(toService);
  }

  get(name: string, owner: string): Service {
    return toService(this.owned(name, owner));
  }

  /** The record when `owner` owns it (tokens, logs, metrics check ownership through this). */
  owned(name: string, owner: string): ServiceRecord {
    const record = this.deps.store.get(name);
    if (!record || record.owner !== owner) {
      throw new ApiError('not_found', `no service ${name} of yours; list them with GET /api/services`);
    }
    return record;
  }

  async deploy(owner: string, spec: ServiceSpec): Promise<Service> {
    const kind = spec.engine ?? this.deps.defaultEngine ?? 'local';
    const engine = this.engineOf(kind);
    engine.validate(spec, spec.version);
    await engine.checkFolders?.(owner, spec.version);
    if (this.deps.store.get(spec.name)) {
      throw new ApiError(
        'conflict',
        `the service name ${spec.name} is taken (names are the gateway path /services/<name>/); pick another`,
        {
          issues: [{ path: 'body.spec.name', message: 'already used by a service' }],
        },
      );
    }
    if (spec.domain) checkDomain(spec.domain, { ...this.domainContext(), at: 'body.spec.domain' });
    const at = this.now().toISOString();
    const record: ServiceRecord = {
      name: spec.name,
      owner,
      ...(spec.description ? { description: spec.description } : {}),
      tags: spec.tags,
      auth: spec.auth,
      limits: spec.limits,
      ...(spec.domain ? { domain: spec.domain } : {}),
      engine: kind,
      queue: spec.queue,
      priority: spec.priority,
      state: 'Deploying',
      version: 1,
      versions: [{ version: 1, spec: spec.version, createdAt: at, serving: true }],
      replicas: [],
      createdAt: at,
      updatedAt: at,
    };
    this.deps.store.insert(record);
    this.addEvent(spec.name, {
      type: 'deploy-requested',
      message: `Deploying ${spec.name} version 1 (${spec.version.replicas} replica${spec.version.replicas === 1 ? '' : 's'}).`,
      version: 1,
      state: 'Deploying',
    });
    this.changed(record);
    await this.launch(record, 1);
    return this.get(spec.name, owner);
  }

  async update(name: string, owner: string, body: ServiceUpdate): Promise<Service> {
    let record = this.owned(name, owner);
    if (body.domain) checkDomain(body.domain, { ...this.domainContext(), at: 'body.domain', except: name });
    const settings = {
      ...(body.domain !== undefined ? { domain: body.domain ?? undefined } : {}),
      ...(body.auth ? { auth: body.auth as ServiceRecord['auth'] } : {}),
      ...(body.limits ? { limits: body.limits as ServiceRecord['limits'] } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
    };
    if (Object.keys(settings).length > 0) {
      // The gateway's directory sees new auth or limits at once; watchers see the change.
      record = this.save(name, settings);
      this.changed(record);
    }
    if (body.version) {
      if (record.state !== 'Running') {
        throw new ApiError(
          'conflict',
          `${name} is ${record.state}; roll out a new version while it is Running (or start it first)`,
        );
      }
      const spec = body.version as ServiceVersionSpec;
      this.engineOf(record.engine).validate(this.specOf(record), spec);
      await this.engineOf(record.engine).checkFolders?.(owner, spec);
      const version = nextVersion(record);
      record = this.move(
        record,
        'Updating',
        {
          type: 'update-requested',
          message: `Rolling out version ${version}; version ${record.version} keeps serving until it is ready.`,
          version,
        },
        { versions: [...record.versions, { version, spec, createdAt: this.now().toISOString(), serving: false }] },
      );
      await this.launch(record, version);
    } else if (body.replicas !== undefined) {
      const versions = record.versions.map((v) =>
        v.version === record.version ? { ...v, spec: { ...v.spec, replicas: body.replicas! } } : v,
      );
      record = this.save(name, { versions });
      this.changed(record);
      if (record.state === 'Running' || record.state === 'Deploying') {
        await this.engineOf(record.engine).scale(this.launchOf(record, record.version), body.replicas);
      }
    }
    return toService(record);
  }

  async start(name: string, owner: string): Promise<Service> {
    const record = this.owned(name, owner);
    if (record.state === 'Deploying' || record.state === 'Running' || record.state === 'Updating')
      return toService(record);
    if (!STARTABLE.includes(record.state)) throw new ApiError('conflict', `${name} is ${record.state}`);
    const started = this.move(
      record,
      'Deploying',
      { type: 'deploy-requested', message: `Starting version ${record.version}.`, version: record.version },
      { replicas: [], failure: undefined, waitReason: undefined },
    );
    await this.launch(started, started.version);
    return this.get(name, owner);
  }

  async stop(name: string, owner: string, force: boolean): Promise<Service> {
    const record = this.owned(name, owner);
    if (record.state === 'Stopped') return toService(record);
    if (!STOPPABLE.includes(record.state))
      throw new ApiError('conflict', `${name} is ${record.state}; there is nothing to stop`);
    this.addEvent(name, { type: 'stop-requested', message: force ? 'Stop requested (force).' : 'Stop requested.' });
    await this.stopAll(record, force);
    const latest = this.deps.store.get(name)!;
    this.move(
      latest,
      'Stopped',
      { type: 'stopped', message: 'Stopped: every replica has ended.' },
      { replicas: [], waitReason: undefined, versions: settledVersions(latest) },
    );
    return this.get(name, owner);
  }

  /**
   * An idle Running service's replicas are stopped and it sleeps; the gateway's next call wakes it
   * (`start`). Nothing happens when it is no longer Running.
   */
  async sleep(name: string, idleMinutes: number): Promise<void> {
    const record = this.deps.store.get(name);
    if (record?.state !== 'Running') return;
    await this.stopAll(record, false);
    const latest = this.deps.store.get(name);
    if (latest?.state !== 'Running') return;
    this.move(
      latest,
      'Sleeping',
      {
        type: 'sleeping',
        message: `Sleeping: no call for ${idleMinutes} minute${idleMinutes === 1 ? '' : 's'}; the next call wakes it.`,
        version: latest.version,
      },
      { replicas: [], waitReason: undefined, versions: settledVersions(latest) },
    );
  }

  async restart(name: string, owner: string): Promise<Service> {
    const record = this.owned(name, owner);
    if (record.state !== 'Running')
      throw new ApiError('conflict', `${name} is ${record.state}; restart a Running service`);
    await this.engineOf(record.engine).restart(this.launchOf(record, record.version));
    return toService(this.deps.store.get(name)!);
  }

  delete(name: string, owner: string): { deleted: string } {
    const record = this.owned(name, owner);
    if (!DELETABLE.includes(record.state)) {
      throw new ApiError('conflict', `${name} is ${record.state}; stop it before deleting it`);
    }
    this.deps.store.delete(name);
    this.deps.onChange?.(name);
    const user = { user: owner };
    this.deps.events.publish('services', 'services', { change: 'deleted', name }, user);
    this.deps.events.publish(`services/${name}`, 'services', { change: 'deleted', name }, user);
    return { deleted: name };
  }

  events(name: string, owner: string): { events: ServiceEvent[] } {
    this.owned(name, owner);
    return { events: this.deps.store.events(name) };
  }

  /** After a backend restart: what a previous backend left running is ended and the service says so. */
  async recover(): Promise<void> {
    for (const record of this.deps.store.list()) {
      if (record.state === 'Stopped' || record.state === 'Failed') continue;
      await this.engines.get(record.engine)?.release(record);
      // A sleeping service ran nothing: it sleeps on, and the next call wakes it as before.
      if (record.state === 'Sleeping') continue;
      this.move(
        record,
        'Stopped',
        { type: 'stopped', message: 'Stopped: the platform restarted while it ran. Start it again.' },
        { replicas: [], waitReason: undefined, versions: settledVersions(record) },
        true,
      );
    }
  }

  observed(name: string, observation: ServiceObservation): void {
    const record = this.deps.store.get(name);
    if (!record || record.state === 'Stopped') return;
    if (observation.event) this.addEvent(name, observation.event);
    const patch: Partial<ServiceRecord> = {};
    if (observation.waitReason !== undefined) patch.waitReason = observation.waitReason ?? undefined;
    if (observation.replica) patch.replicas = withReplica(record.replicas, observation.replica, this.now());
    let updated = this.save(name, patch);
    if (observation.versionFailed) {
      void this.versionFailed(updated, observation.versionFailed.version, observation.versionFailed.message);
      return;
    }
    updated = this.settle(updated);
    this.changed(updated);
  }

  /** Moves Deploying → Running, or finishes an update, once every replica of the version is ready. */
  private settle(record: ServiceRecord): ServiceRecord {
    if (record.state === 'Deploying' && allReady(record, record.version)) {
      return this.move(record, 'Running', {
        type: 'running',
        message: `Running: ${wantedReplicas(record, record.version)} replica(s) of version ${record.version} ready.`,
        version: record.version,
      });
    }
    const pending = pendingVersion(record);
    if (record.state === 'Updating' && pending !== undefined && allReady(record, pending)) {
      const retired = record.version;
      const running = this.move(
        record,
        'Running',
        { type: 'updated', message: `Version ${pending} serves; version ${retired} is stopping.`, version: pending },
        { version: pending, versions: record.versions.map((v) => ({ ...v, serving: v.version === pending })) },
      );
      void this.engineOf(record.engine)
        .stopVersion(record.name, retired, false)
        .then(() => this.dropReplicas(record.name, retired));
      return running;
    }
    return record;
  }

  private async versionFailed(record: ServiceRecord, version: number, message: string): Promise<void> {
    await this.engineOf(record.engine).stopVersion(record.name, version, true);
    const latest = this.deps.store.get(record.name);
    if (!latest || latest.state === 'Stopped') return;
    const replicas = latest.replicas.filter((r) => r.version !== version);
    if (latest.state === 'Updating' && version !== latest.version) {
      this.move(
        latest,
        'Running',
        {
          type: 'failed',
          message: `Version ${version} failed: ${message}. Version ${latest.version} keeps serving.`,
          version,
        },
        {
          replicas,
          versions: latest.versions.map((v) => (v.version === version ? { ...v, failed: message } : v)),
        },
      );
      return;
    }
    if (!canServiceMove(latest.state, 'Failed')) return;
    this.move(
      latest,
      'Failed',
      { type: 'failed', message: `Failed: ${message}`, version },
      { replicas, failure: { message } },
    );
  }

  private dropReplicas(name: string, version: number): void {
    const record = this.deps.store.get(name);
    if (!record) return;
    this.changed(this.save(name, { replicas: record.replicas.filter((r) => r.version !== version) }));
  }

  private async stopAll(record: ServiceRecord, force: boolean): Promise<void> {
    const engine = this.engineOf(record.engine);
    for (const version of liveVersions(record)) await engine.stopVersion(record.name, version, force);
  }

  private async launch(record: ServiceRecord, version: number): Promise<void> {
    try {
      await this.engineOf(record.engine).startVersion(this.launchOf(record, version));
    } catch (error) {
      await this.versionFailed(record, version, error instanceof Error ? error.message : String(error));
    }
  }

  private launchOf(record: ServiceRecord, version: number): VersionLaunch {
    const entry = record.versions.find((v) => v.version === version);
    if (!entry) throw new Error(`service ${record.name} has no version ${version}`);
    return { service: record, version, spec: entry.spec };
  }

  private specOf(record: ServiceRecord): ServiceSpec {
    const serving = record.versions.find((v) => v.version === record.version)!;
    return {
      name: record.name,
      tags: record.tags,
      auth: record.auth,
      limits: record.limits,
      priority: record.priority,
      queue: record.queue,
      engine: record.engine,
      version: serving.spec,
      ...(record.description ? { description: record.description } : {}),
    };
  }

  private move(
    record: ServiceRecord,
    state: ServiceState,
    event: Pick<ServiceEvent, 'type' | 'message' | 'version' | 'replica'>,
    patch: Partial<ServiceRecord> = {},
    force = false,
  ): ServiceRecord {
    if (!force && state !== record.state && !canServiceMove(record.state, state)) {
      this.deps.log.warn({ name: record.name, from: record.state, to: state }, 'service move out of order; ignored');
      return record;
    }
    const updated = this.save(record.name, { ...patch, state });
    this.addEvent(record.name, { ...event, state });
    this.changed(updated);
    this.deps.log.info({ name: record.name, from: record.state, to: state }, 'service state');
    return updated;
  }

  private save(name: string, patch: Partial<ServiceRecord>): ServiceRecord {
    return this.deps.store.update(name, { ...patch, updatedAt: this.now().toISOString() });
  }

  private addEvent(name: string, event: Omit<ServiceEvent, 'time'>): void {
    this.deps.store.appendEvent(name, { time: this.now().toISOString(), ...event });
  }

  private changed(record: ServiceRecord): void {
    this.deps.onChange?.(record.name);
    const service = toService(record);
    const user = { user: record.owner };
    this.deps.events.publish('services', 'services', { change: 'updated', service }, user);
    this.deps.events.publish(`services/${record.name}`, 'services', { change: 'updated', service }, user);
  }

  private domainContext() {
    return { store: this.deps.store, policy: this.deps.domains ?? { httpsServed: false } };
  }

  private engineOf(kind: EngineKind): ServiceEngine {
    const engine = this.engines.get(kind);
    if (engine) return engine;
    throw new ApiError(
      'validation_failed',
      `the ${kind} engine does not run services on this server; use engine: local`,
      {
        issues: [{ path: 'body.spec.engine', message: `the ${kind} engine is not configured for services` }],
      },
    );
  }
}
