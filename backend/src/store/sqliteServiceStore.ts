import type Database from 'better-sqlite3';
import type { ServiceEvent } from '@aiplat/api';
import type {
  AppKeyRecord,
  ServicePatch,
  ServiceRecord,
  ServiceStore,
  ServiceTokenRecord,
} from '../services/serviceStore.js';
import type { SecretBox } from './secretBox.js';
import { withoutUndefined } from './withoutUndefined.js';

type Row = { data: string };

function parsed<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as Row).data) as T) : undefined;
}

function parsedAll<T>(rows: unknown[]): T[] {
  return rows.map((row) => JSON.parse((row as Row).data) as T);
}

/** A service's domain as its row keeps it: the TLS private key sealed (rows from before hold it plain). */
type StoredDomain = { host: string; tls?: { certificate: string; privateKey?: string; privateKeySealed?: string } };

/**
 * Services, their events, AppKeys and tokens: each row keeps its record as JSON beside the keys
 * queries use. A service's TLS private key is sealed in its row and opened when it is read.
 */
export class SqliteServiceStore implements ServiceStore {
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretBox,
  ) {}

  insert(record: ServiceRecord): void {
    this.db
      .prepare('INSERT INTO services (name, owner, data) VALUES (?, ?, ?)')
      .run(record.name, record.owner, this.serialized(record));
  }

  update(name: string, patch: ServicePatch): ServiceRecord {
    return this.db.transaction(() => {
      const current = this.get(name);
      if (!current) throw new RangeError(`no service ${name}`);
      const next = withoutUndefined({ ...current, ...patch });
      this.db.prepare('UPDATE services SET data = ? WHERE name = ?').run(this.serialized(next), name);
      return next;
    })();
  }

  get(name: string): ServiceRecord | undefined {
    const record = parsed<ServiceRecord>(this.db.prepare('SELECT data FROM services WHERE name = ?').get(name));
    return record && this.opened(record);
  }

  list(owner?: string): ServiceRecord[] {
    return parsedAll<ServiceRecord>(
      owner === undefined
        ? this.db.prepare('SELECT data FROM services ORDER BY seq DESC').all()
        : this.db.prepare('SELECT data FROM services WHERE owner = ? ORDER BY seq DESC').all(owner),
    ).map((record) => this.opened(record));
  }

  private serialized(record: ServiceRecord): string {
    const tls = record.domain?.tls;
    if (!tls) return JSON.stringify(withoutUndefined(record));
    const domain: StoredDomain = {
      host: record.domain!.host,
      tls: { certificate: tls.certificate, privateKeySealed: this.secrets.seal(tls.privateKey) },
    };
    return JSON.stringify(withoutUndefined({ ...record, domain }));
  }

  private opened(record: ServiceRecord): ServiceRecord {
    const stored = record.domain as StoredDomain | undefined;
    if (!stored?.tls?.privateKeySealed) return record;
    const privateKey = this.secrets.open(stored.tls.privateKeySealed);
    return { ...record, domain: { host: stored.host, tls: { certificate: stored.tls.certificate, privateKey } } };
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
