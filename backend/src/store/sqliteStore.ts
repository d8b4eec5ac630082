import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DevMachineStore } from '../devmachines/devMachineStore.js';
import type { JobStore } from '../jobs/jobStore.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { SqliteDevMachineStore } from './sqliteDevMachineStore.js';
import { SecretBox } from './secretBox.js';
import { SqliteServiceStore } from './sqliteServiceStore.js';
import { SqliteImageStore } from './sqliteImageStore.js';
import { SqliteLifecycleConfigStore } from './sqliteLifecycleConfigStore.js';
import type { LifecycleConfigStore } from '../devmachines/lifecycle/lifecycleConfigStore.js';
import type { GitCredentialStore, SshKeyStore } from '../devmachines/access/accessStores.js';
import { SqliteGitCredentialStore, SqliteSshKeyStore } from './sqliteAccessStores.js';
import type { ImageStore } from '../images/imageStore.js';
import type { ServiceStore } from '../services/serviceStore.js';
import { SqliteJobStore } from './sqliteJobStore.js';
import { SqliteAssetStore } from './sqliteAssetStore.js';
import type { AssetStore } from '../catalog/assetStore.js';
import type { Store } from './store.js';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Applies pending migrations in one transaction each; refuses a database newer than the code. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
           )`);
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > newest) {
    throw new StoreError(
      `the database is at schema version ${current} but this backend knows only up to ${newest}: run a newer backend or point DATA_DIR elsewhere`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
  }
  return Math.max(current, newest);
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private version: number;
  readonly jobs: JobStore;
  readonly devMachines: DevMachineStore;
  readonly services: ServiceStore;
  readonly images: ImageStore;
  readonly lifecycleConfigs: LifecycleConfigStore;
  readonly sshKeys: SshKeyStore;
  readonly gitCredentials: GitCredentialStore;
  readonly assets: AssetStore;

  /** `file` is a path, or `:memory:`. */
  constructor(file: string, migrations: readonly Migration[] = MIGRATIONS) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.version = migrate(this.db, migrations);
    this.jobs = new SqliteJobStore(this.db);
    this.devMachines = new SqliteDevMachineStore(this.db);
    this.images = new SqliteImageStore(this.db);
    this.lifecycleConfigs = new SqliteLifecycleConfigStore(this.db);
    const settings = {
      get: (key: string) => this.getSetting(key),
      set: (key: string, value: string) => this.setSetting(key, value),
    };
    this.services = new SqliteServiceStore(this.db, new SecretBox(settings));
    this.sshKeys = new SqliteSshKeyStore(this.db);
    this.assets = new SqliteAssetStore(this.db);
    this.gitCredentials = new SqliteGitCredentialStore(
      this.db,
      new SecretBox(settings, 'devmachines:gitCredentialKey'),
    );
  }

  static inDataDir(dataDir: string): SqliteStore {
    return new SqliteStore(path.join(dataDir, 'aiplat.sqlite'));
  }

  getSetting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, value, new Date().toISOString());
  }

  schemaVersion(): number {
    return this.version;
  }

  ping(): boolean {
    try {
      return (this.db.prepare('SELECT 1 AS one').get() as { one: number }).one === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
