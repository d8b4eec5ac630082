import { canServiceMove } from '@aiplat/api';
import type { ServiceObservation } from './engine.js';
import type { ServiceEngines } from './serviceEngines.js';
import type { ServiceJournal } from './serviceJournal.js';
import {
  allReady,
  launchOf,
  liveVersions,
  pendingVersion,
  replicasText,
  wantedReplicas,
  withReplica,
} from './serviceRecords.js';
import type { ServiceRecord, ServiceStore } from './serviceStore.js';

/**
 * A service's versions as the engines run them: a version is launched, its replicas' news is kept,
 * the service runs once every replica of its version is ready, an update's new version takes over
 * from the old one once ready, and a version that fails fails the service (or, rolled out beside a
 * serving one, is dropped while the old one serves on).
 */
export class ServiceRollout {
  constructor(
    private readonly deps: { store: ServiceStore; engines: ServiceEngines; journal: ServiceJournal; now: () => Date },
  ) {}

  async launch(record: ServiceRecord, version: number): Promise<void> {
    try {
      await this.deps.engines.of(record.engine).startVersion(launchOf(record, version));
    } catch (error) {
      await this.versionFailed(record, version, error instanceof Error ? error.message : String(error));
    }
  }

  async stopAll(record: ServiceRecord, force: boolean): Promise<void> {
    const engine = this.deps.engines.of(record.engine);
    for (const version of liveVersions(record)) await engine.stopVersion(record.name, version, force);
  }

  observed(name: string, observation: ServiceObservation): void {
    const { store, journal } = this.deps;
    const record = store.get(name);
    if (!record || record.state === 'Stopped') return;
    if (observation.event) journal.addEvent(name, observation.event);
    const patch: Partial<ServiceRecord> = {};
    if (observation.waitReason !== undefined) patch.waitReason = observation.waitReason ?? undefined;
    if (observation.replica) patch.replicas = withReplica(record.replicas, observation.replica, this.deps.now());
    let updated = journal.save(name, patch);
    if (observation.versionFailed) {
      void this.versionFailed(updated, observation.versionFailed.version, observation.versionFailed.message);
      return;
    }
    updated = this.settle(updated);
    journal.changed(updated);
  }

  /** Moves Deploying → Running, or finishes an update, once every replica of the version is ready. */
  private settle(record: ServiceRecord): ServiceRecord {
    const { journal } = this.deps;
    if (record.state === 'Deploying' && allReady(record, record.version)) {
      return journal.move(record, 'Running', {
        type: 'running',
        message: `Running: ${replicasText(wantedReplicas(record, record.version))} of version ${record.version} ready.`,
        version: record.version,
      });
    }
    const pending = pendingVersion(record);
    if (record.state === 'Updating' && pending !== undefined && allReady(record, pending)) {
      const retired = record.version;
      const running = journal.move(
        record,
        'Running',
        { type: 'updated', message: `Version ${pending} serves; version ${retired} is stopping.`, version: pending },
        { version: pending, versions: record.versions.map((v) => ({ ...v, serving: v.version === pending })) },
      );
      void this.deps.engines
        .of(record.engine)
        .stopVersion(record.name, retired, false)
        .then(() => this.dropReplicas(record.name, retired));
      return running;
    }
    return record;
  }

  private async versionFailed(record: ServiceRecord, version: number, message: string): Promise<void> {
    const { store, journal } = this.deps;
    await this.deps.engines.of(record.engine).stopVersion(record.name, version, true);
    const latest = store.get(record.name);
    if (!latest || latest.state === 'Stopped') return;
    const replicas = latest.replicas.filter((r) => r.version !== version);
    if (latest.state === 'Updating' && version !== latest.version) {
      journal.move(
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
    journal.move(
      latest,
      'Failed',
      { type: 'failed', message: `Failed: ${message}`, version },
      { replicas, failure: { message } },
    );
  }

  private dropReplicas(name: string, version: number): void {
    const record = this.deps.store.get(name);
    if (!record) return;
    this.deps.journal.changed(
      this.deps.journal.save(name, { replicas: record.replicas.filter((r) => r.version !== version) }),
    );
  }
}
