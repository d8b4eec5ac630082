import type Database from 'better-sqlite3';
import type { ServiceEvent } from '@aiplat/api';
import type {
  AppKeyRecord,
  ServicePatch,
  ServiceRecord,
  ServiceStore,
  ServiceTokenRecord,
} from '../services/serviceStore.js';
import { withoutUndefined } from './withoutUndefined.js';

type Row = { data: string };

function parsed<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as Row).data) as T) : undefined;
}

function parsedAll<T>(rows: unknown[]): T[] {
  return rows.map((row) => JSON.parse((row as Row).data) as T);
}

/** Services, their events, AppKeys and tokens: each row keeps its record as JSON beside the keys queries use. */
export class SqliteServiceStore implements ServiceStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: ServiceRecord): void {
    this.db
      .prepare('INSERT INTO services (name, owner, data) VALUES (?, ?, ?)')
      .run(record.name, record.owner, JSON.stringify(withoutUndefined(record)));
  }

  update(name: string, patch: ServicePatch): ServiceRecord {
    return this.db.transaction(() => {
      const current = this.get(name);
      if (!current) throw new RangeError(`no service ${name}`);
      const next = withoutUndefined({ ...current, ...patch });
      this.db.prepare('UPDATE services SET data = ? WHERE name = ?').run(JSON.stringify(next), name);
      return next;
    })();
  }

  get(name: string): ServiceRecord | undefined {
    return parsed(this.db.prepare('SELECT data FROM services WHERE name = ?').get(name));
  }

  list(owner?: string): ServiceRecord[] {
    return parsedAll(
      owner === undefined
        ? this.db.prepare('SELECT data FROM services ORDER BY seq DESC').all()
        : this.db.prepare('SELECT data FROM services WHERE owner = ? ORDER BY seq DESC').all(owner),
    );
  }

  delete(name: string): void {
    this.db.transaction(() => {
      const unbound = this.listAppKeys().filter((key) => key.services.includes(name));
      for (const key of unbound) this.updateAppKey(key.appKey, { services: key.services.filter((s) => s !== name) });
      this.db.prepare('DELETE FROM services WHERE name = ?').run(name);
    })();
  }

  appendEvent(name: string, event: ServiceEvent): void {
    this.db.prepare('INSERT INTO service_events (service, data) VALUES (?, ?)').run(name, JSON.stringify(event));
  }

  events(name: string): ServiceEvent[] {
    return parsedAll(this.db.prepare('SELECT data FROM service_events WHERE service = ? ORDER BY seq').all(name));
  }

  insertAppKey(record: AppKeyRecord): void {
    this.db
      .prepare('INSERT INTO app_keys (app_key, owner, data) VALUES (?, ?, ?)')
      .run(record.appKey, record.owner, JSON.stringify(withoutUndefined(record)));
  }

  updateAppKey(appKey: string, patch: Partial<AppKeyRecord>): AppKeyRecord {
    const current = this.getAppKey(appKey);
    if (!current) throw new RangeError(`no AppKey ${appKey}`);
    const next = withoutUndefined({ ...current, ...patch });
    this.db.prepare('UPDATE app_keys SET data = ? WHERE app_key = ?').run(JSON.stringify(next), appKey);
    return next;
  }

  getAppKey(appKey: string): AppKeyRecord | undefined {
    return parsed(this.db.prepare('SELECT data FROM app_keys WHERE app_key = ?').get(appKey));
  }

  listAppKeys(owner?: string): AppKeyRecord[] {
    return parsedAll(
      owner === undefined
        ? this.db.prepare('SELECT data FROM app_keys ORDER BY seq DESC').all()
        : this.db.prepare('SELECT data FROM app_keys WHERE owner = ? ORDER BY seq DESC').all(owner),
    );
  }

  deleteAppKey(appKey: string): void {
    this.db.prepare('DELETE FROM app_keys WHERE app_key = ?').run(appKey);
  }

  insertToken(record: ServiceTokenRecord): void {
    this.db
      .prepare('INSERT INTO service_tokens (id, service, hash, data) VALUES (?, ?, ?, ?)')
      .run(record.id, record.service, record.hash, JSON.stringify(withoutUndefined(record)));
  }

  updateToken(id: string, patch: Partial<ServiceTokenRecord>): ServiceTokenRecord {
    const current = this.getToken(id);
    if (!current) throw new RangeError(`no token ${id}`);
    const next = withoutUndefined({ ...current, ...patch });
    this.db.prepare('UPDATE service_tokens SET data = ? WHERE id = ?').run(JSON.stringify(next), id);
    return next;
  }

  getToken(id: string): ServiceTokenRecord | undefined {
    return parsed(this.db.prepare('SELECT data FROM service_tokens WHERE id = ?').get(id));
  }

  tokenByHash(hash: string): ServiceTokenRecord | undefined {
    return parsed(this.db.prepare('SELECT data FROM service_tokens WHERE hash = ?').get(hash));
  }

  listTokens(service?: string): ServiceTokenRecord[] {
    return parsedAll(
      service === undefined
        ? this.db.prepare('SELECT data FROM service_tokens ORDER BY seq DESC').all()
        : this.db.prepare('SELECT data FROM service_tokens WHERE service = ? ORDER BY seq DESC').all(service),
    );
  }

  deleteToken(id: string): void {
    this.db.prepare('DELETE FROM service_tokens WHERE id = ?').run(id);
  }
}
