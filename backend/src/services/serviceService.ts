import type { Logger } from 'pino';
import {
  ApiError,
  CATALOG_MODEL_REF,
  type EngineKind,
  type Service,
  type ServiceEvent,
  type ServiceSpec,
  type ServiceState,
  type ServiceVersionSpec,
  type UpdateServiceBody,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import type { ServiceEngine, ServiceLifecycle, ServiceObservation } from './engine.js';
import { checkDomain, type DomainTlsPolicy } from './serviceDomain.js';
import { ServiceEngines } from './serviceEngines.js';
import { ServiceJournal } from './serviceJournal.js';
import {
  launchOf,
  nextVersion,
  replicasText,
  settledVersions,
  specOf,
  toService,
  wantedReplicas,
} from './serviceRecords.js';
import { ServiceRollout } from './serviceRollout.js';
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
  /** Finds a catalog model version (`name@v2`) of the owner's: its folder under /work. */
  resolveModel?: (owner: string, ref: string) => Promise<string>;
  now?: () => Date;
}

const STOPPABLE: readonly ServiceState[] = ['Deploying', 'Running', 'Updating', 'Sleeping', 'Failed'];
const STARTABLE: readonly ServiceState[] = ['Stopped', 'Failed', 'Sleeping'];
const DELETABLE: readonly ServiceState[] = ['Stopped', 'Failed'];

/**
 * Online services, engine-neutral, as their owners ask for them: owners only (another user's
 * service is not found), deploy, update, start, stop, sleep, restart and delete. The versions'
 * progress as the engines report it is ServiceRollout's; how each change is kept and told is
 * ServiceJournal's.
 */
export class ServiceService implements ServiceLifecycle {
  private readonly now: () => Date;
  private readonly engines = new ServiceEngines();
  private readonly journal: ServiceJournal;
  private readonly rollout: ServiceRollout;

  constructor(private readonly deps: ServiceServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.journal = new ServiceJournal({ ...deps, now: this.now });
    this.rollout = new ServiceRollout({
      store: deps.store,
      engines: this.engines,
      journal: this.journal,
      now: this.now,
    });
  }

  useEngine(kind: EngineKind, engine: ServiceEngine): void {
    this.engines.use(kind, engine);
  }

  /** The engine that runs a service (for the gateway's ready replicas and the logs). */
  engineFor(record: ServiceRecord): ServiceEngine | undefined {
    return this.engines.find(record.engine);
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

  async deploy(owner: string, given: ServiceSpec): Promise<Service> {
    const spec = { ...given, version: await this.withModelFolder(owner, given.version, 'body.spec.version.model') };
    const kind = spec.engine ?? this.deps.defaultEngine ?? 'local';
    const engine = this.engines.of(kind);
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
    this.journal.addEvent(spec.name, {
      type: 'deploy-requested',
      message: `Deploying ${spec.name} version 1 (${spec.version.replicas} replica${spec.version.replicas === 1 ? '' : 's'}).`,
      version: 1,
      state: 'Deploying',
    });
    this.journal.changed(record);
    await this.rollout.launch(record, 1);
    return this.get(spec.name, owner);
  }

  async update(name: string, owner: string, body: UpdateServiceBody): Promise<Service> {
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
      record = this.journal.save(name, settings);
      this.journal.changed(record);
    }
    if (body.version) {
      if (record.state !== 'Running') {
        throw new ApiError(
          'conflict',
          `${name} is ${record.state}; roll out a new version while it is Running (or start it first)`,
        );
      }
      const spec = await this.withModelFolder(owner, body.version as ServiceVersionSpec, 'body.version.model');
      await atUpdatePaths(async () => {
        this.engines.of(record.engine).validate(specOf(record), spec);
        await this.engines.of(record.engine).checkFolders?.(owner, spec);
      });
      const version = nextVersion(record);
      record = this.journal.move(
        record,
        'Updating',
        {
          type: 'update-requested',
          message: `Rolling out version ${version}; version ${record.version} keeps serving until it is ready.`,
          version,
        },
        { versions: [...record.versions, { version, spec, createdAt: this.now().toISOString(), serving: false }] },
      );
      await this.rollout.launch(record, version);
    } else if (body.replicas !== undefined) {
      const from = wantedReplicas(record, record.version);
      const versions = record.versions.map((v) =>
        v.version === record.version ? { ...v, spec: { ...v.spec, replicas: body.replicas! } } : v,
      );
      record = this.journal.save(name, { versions });
      const scales = record.state === 'Running' || record.state === 'Deploying';
      this.journal.addEvent(name, {
        type: 'scale-requested',
        message: scaleMessage(owner, record, from, body.replicas, scales),
        version: record.version,
      });
      this.journal.changed(record);
      if (scales) await this.engines.of(record.engine).scale(launchOf(record, record.version), body.replicas);
    }
    return toService(record);
  }

  /** A version whose model names a catalog model version, with that version's folder as its model. */
  private async withModelFolder(owner: string, version: ServiceVersionSpec, at: string): Promise<ServiceVersionSpec> {
    if (!CATALOG_MODEL_REF.test(version.model)) return version;
    if (!this.deps.resolveModel) {
      throw new ApiError('validation_failed', 'model versions cannot be resolved here: give the model folder', {
        issues: [{ path: at, message: 'a folder under /work' }],
      });
    }
    try {
      return { ...version, model: await this.deps.resolveModel(owner, version.model), modelRef: version.model };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      throw new ApiError('validation_failed', `model ${version.model}: ${error.message}`, {
        issues: [{ path: at, message: error.message }],
      });
    }
  }

  async start(name: string, owner: string): Promise<Service> {
    const record = this.owned(name, owner);
    if (record.state === 'Deploying' || record.state === 'Running' || record.state === 'Updating')
      return toService(record);
    if (!STARTABLE.includes(record.state)) throw new ApiError('conflict', `${name} is ${record.state}`);
    const started = this.journal.move(
      record,
      'Deploying',
      { type: 'deploy-requested', message: `Starting version ${record.version}.`, version: record.version },
      { replicas: [], failure: undefined, waitReason: undefined },
    );
    await this.rollout.launch(started, started.version);
    return this.get(name, owner);
  }

  async stop(name: string, owner: string, force: boolean): Promise<Service> {
    const record = this.owned(name, owner);
    if (record.state === 'Stopped') return toService(record);
    if (!STOPPABLE.includes(record.state))
      throw new ApiError('conflict', `${name} is ${record.state}; there is nothing to stop`);
    this.journal.addEvent(name, {
      type: 'stop-requested',
      message: force ? 'Stop requested (force).' : 'Stop requested.',
    });
    await this.rollout.stopAll(record, force);
    const latest = this.deps.store.get(name)!;
    const versions = settledVersions(latest);
    const cancelled = latest.versions.filter((v) => !versions.includes(v)).map((v) => v.version);
    this.journal.move(
      latest,
      'Stopped',
      {
        type: 'stopped',
        message: cancelled.length
          ? `Stopped: every replica has ended. The rollout of version ${cancelled.join(', ')} is cancelled and the version dropped; start deploys version ${latest.version}.`
          : 'Stopped: every replica has ended.',
      },
      { replicas: [], waitReason: undefined, versions },
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
    await this.rollout.stopAll(record, false);
    const latest = this.deps.store.get(name);
    if (latest?.state !== 'Running') return;
    this.journal.move(
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
    this.journal.addEvent(name, {
      type: 'restart-requested',
      message: `${owner} asked for a rolling restart of version ${record.version}'s ${replicasText(wantedReplicas(record, record.version))}: each gets a new process in turn, and its old one stops once the new one is ready.`,
      version: record.version,
    });
    await this.engines.of(record.engine).restart(launchOf(record, record.version));
    return toService(this.deps.store.get(name)!);
  }

  delete(name: string, owner: string): { deleted: string } {
    const record = this.owned(name, owner);
    if (!DELETABLE.includes(record.state)) {
      throw new ApiError('conflict', `${name} is ${record.state}; stop it before deleting it`);
    }
    this.deps.store.delete(name);
    this.journal.deleted(name, owner);
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
      await this.engines.find(record.engine)?.release(record);
      // A sleeping service ran nothing: it sleeps on, and the next call wakes it as before.
      if (record.state === 'Sleeping') continue;
      this.journal.move(
        record,
        'Stopped',
        { type: 'stopped', message: 'Stopped: the platform restarted while it ran. Start it again.' },
        { replicas: [], waitReason: undefined, versions: settledVersions(record) },
        true,
      );
    }
  }

  observed(name: string, observation: ServiceObservation): void {
    this.rollout.observed(name, observation);
  }

  private domainContext() {
    return { store: this.deps.store, policy: this.deps.domains ?? { httpsServed: false } };
  }
}

/** Who changed the serving version's replica count, from what to what, and whether replicas start or stop now. */
function scaleMessage(by: string, record: ServiceRecord, from: number, to: number, scales: boolean): string {
  const { version, state } = record;
  if (from === to) return `${by} asked for ${replicasText(to)} of version ${version}, as it has: nothing changes.`;
  // "from 2 to 3 replicas", but "from 1 replica to 2 replicas".
  const fromText = from === 1 || to === 1 ? replicasText(from) : String(from);
  const scaled = `${by} scaled version ${version} from ${fromText} to ${replicasText(to)}`;
  return scales ? `${scaled}.` : `${scaled}; the service is ${state}, so no replica starts or stops now.`;
}

/**
 * The engines name a version's fields as a deploy's body has them (`body.spec.version.…`); an
 * update's body holds the version at `body.version`, so its issues are renamed to point there.
 */
async function atUpdatePaths(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof ApiError) || !error.issues) throw error;
    const issues = error.issues.map((issue) => ({
      ...issue,
      path: issue.path.replace(/^body\.spec\.version(?=\.|$)/, 'body.version'),
    }));
    throw new ApiError(error.code, error.message, { status: error.status, issues, cause: error });
  }
}
