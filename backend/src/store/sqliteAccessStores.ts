import type Database from 'better-sqlite3';
import type {
  GitCredentialRecord,
  GitCredentialStore,
  SshKeyRecord,
  SshKeyStore,
} from '../devmachines/access/accessStores.js';
import type { SecretBox } from './secretBox.js';

export class SqliteSshKeyStore implements SshKeyStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: SshKeyRecord): void {
    this.db
      .prepare('INSERT INTO ssh_keys (id, owner, name, data) VALUES (?, ?, ?, ?)')
      .run(record.id, record.owner, record.name, JSON.stringify(record));
  }

  get(id: string): SshKeyRecord | undefined {
    const row = this.db.prepare('SELECT data FROM ssh_keys WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as SshKeyRecord) : undefined;
  }

  list(owner: string): SshKeyRecord[] {
    const rows = this.db.prepare('SELECT data FROM ssh_keys WHERE owner = ? ORDER BY seq DESC').all(owner) as {
      data: string;
    }[];
    return rows.map((row) => JSON.parse(row.data) as SshKeyRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM ssh_keys WHERE id = ?').run(id);
  }
}

/** Git credentials: the shown part as JSON, the secret sealed by the platform's secret box. */
export class SqliteGitCredentialStore implements GitCredentialStore {
  constructor(
    private readonly db: Database.Database,
    private readonly box: SecretBox,
  ) {}

  insert(record: GitCredentialRecord, secret: string): void {
    this.db
      .prepare('INSERT INTO git_credentials (id, owner, name, data, sealed_secret) VALUES (?, ?, ?, ?, ?)')
      .run(record.id, record.owner, record.name, JSON.stringify(record), this.box.seal(secret));
  }

  get(id: string): GitCredentialRecord | undefined {
    const row = this.db.prepare('SELECT data FROM git_credentials WHERE id = ?').get(id) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as GitCredentialRecord) : undefined;
  }

  byName(owner: string, name: string): GitCredentialRecord | undefined {
    const row = this.db.prepare('SELECT data FROM git_credentials WHERE owner = ? AND name = ?').get(owner, name) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as GitCredentialRecord) : undefined;
  }

  secret(id: string): string | undefined {
    const row = this.db.prepare('SELECT sealed_secret FROM git_credentials WHERE id = ?').get(id) as
      { sealed_secret: string } | undefined;
    return row ? this.box.open(row.sealed_secret) : undefined;
  }

  list(owner: string): GitCredentialRecord[] {
    const rows = this.db.prepare('SELECT data FROM git_credentials WHERE owner = ? ORDER BY seq DESC').all(owner) as {
      data: string;
    }[];
    return rows.map((row) => JSON.parse(row.data) as GitCredentialRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM git_credentials WHERE id = ?').run(id);
  }
}
