import type { Logger } from 'pino';
import { canServiceMove, type ServiceEvent, type ServiceState } from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import { toService } from './serviceRecords.js';
import type { ServiceRecord, ServiceStore } from './serviceStore.js';

export interface ServiceJournalDeps {
  store: ServiceStore;
  events: EventPublisher;
  log: Logger;
  /** Called after every change of a service (the gateway's directory drops what it cached). */
  onChange?: (name: string) => void;
  now: () => Date;
}

/**
 * How a change of a service is kept and told: stored, recorded as an event, and published on the
 * `services` topic (and `services/<name>`) to the owner; a state moves only along the contract's
 * transitions.
 */
export class ServiceJournal {
  constructor(private readonly deps: ServiceJournalDeps) {}

  /** Moves a service to a state (unless the move is out of order and not forced), with its event. */
  move(
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

  /** Stores a patch (the update time with it); watchers are told by `changed`. */
  save(name: string, patch: Partial<ServiceRecord>): ServiceRecord {
    return this.deps.store.update(name, { ...patch, updatedAt: this.deps.now().toISOString() });
  }

  addEvent(name: string, event: Omit<ServiceEvent, 'time'>): void {
    this.deps.store.appendEvent(name, { time: this.deps.now().toISOString(), ...event });
  }

  changed(record: ServiceRecord): void {
    this.deps.onChange?.(record.name);
    const service = toService(record);
    const user = { user: record.owner };
    this.deps.events.publish('services', 'services', { change: 'updated', service }, user);
    this.deps.events.publish(`services/${record.name}`, 'services', { change: 'updated', service }, user);
  }

  deleted(name: string, owner: string): void {
    this.deps.onChange?.(name);
    const user = { user: owner };
    this.deps.events.publish('services', 'services', { change: 'deleted', name }, user);
    this.deps.events.publish(`services/${name}`, 'services', { change: 'deleted', name }, user);
  }
}
