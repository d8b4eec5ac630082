export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: never edit a migration that has shipped; add the next number instead. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    sql: `CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );`,
  },
  {
    version: 2,
    name: 'jobs',
    // Each row keeps its record as JSON; the columns beside it are what queries filter and sort on.
    sql: `CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            user TEXT NOT NULL,
            state TEXT NOT NULL,
            data TEXT NOT NULL
          );
          CREATE INDEX jobs_state ON jobs (state);
          CREATE INDEX jobs_user ON jobs (user, seq);
          CREATE TABLE job_instances (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (job_id, idx)
          );
          CREATE TABLE job_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            data TEXT NOT NULL
          );
          CREATE INDEX job_events_job ON job_events (job_id, seq);`,
  },
  {
    version: 3,
    name: 'dev machines',
    sql: `CREATE TABLE dev_machines (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            state TEXT NOT NULL,
            data TEXT NOT NULL
          );
          CREATE INDEX dev_machines_owner ON dev_machines (owner, seq);
          CREATE TABLE dev_machine_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            dev_machine_id TEXT NOT NULL REFERENCES dev_machines (id) ON DELETE CASCADE,
            data TEXT NOT NULL
          );
          CREATE INDEX dev_machine_events_machine ON dev_machine_events (dev_machine_id, seq);`,
  },
  {
    version: 4,
    name: 'services',
    sql: `CREATE TABLE services (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            data TEXT NOT NULL
          );
          CREATE INDEX services_owner ON services (owner, seq);
          CREATE TABLE service_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL REFERENCES services (name) ON DELETE CASCADE,
            data TEXT NOT NULL
          );
          CREATE INDEX service_events_service ON service_events (service, seq);
          CREATE TABLE app_keys (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            app_key TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            data TEXT NOT NULL
          );
          CREATE TABLE service_tokens (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            service TEXT NOT NULL REFERENCES services (name) ON DELETE CASCADE,
            hash TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
          );`,
  },
  {
    version: 5,
    name: 'images',
    sql: `CREATE TABLE images (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            shared_from TEXT,
            data TEXT NOT NULL
          );
          CREATE INDEX images_owner ON images (owner, seq);
          CREATE INDEX images_shared_from ON images (shared_from);
          CREATE TABLE image_shares (
            id TEXT PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
          );`,
  },
  {
    version: 6,
    name: 'lifecycle configs',
    sql: `CREATE TABLE lifecycle_configs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            UNIQUE (owner, name)
          );`,
  },
  {
    version: 7,
    name: 'ssh keys and git credentials',
    sql: `CREATE TABLE ssh_keys (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            UNIQUE (owner, name)
          );
          CREATE TABLE git_credentials (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            sealed_secret TEXT NOT NULL,
            UNIQUE (owner, name)
          );`,
  },
  {
    version: 8,
    name: 'datasets and models',
    // Shares are deleted with their asset; a redeemed copy (shared_from) is removed by the catalog.
    sql: `CREATE TABLE assets (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            shared_from TEXT,
            data TEXT NOT NULL,
            UNIQUE (owner, kind, name)
          );
          CREATE INDEX assets_shared_from ON assets (shared_from);
          CREATE TABLE asset_shares (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            asset_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
          );`,
  },
];
