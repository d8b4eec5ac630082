import type Database from 'better-sqlite3';
import type { LifecycleConfigRecord, LifecycleConfigStore } from '../devmachines/lifecycle/lifecycleConfigStore.js';

export class SqliteLifecycleConfigStore implements LifecycleConfigStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: LifecycleConfigRecord): void {
    this.db
      .prepare('INSERT INTO lifecycle_configs (id, owner, name, data) VALUES (?, ?, ?, ?)')
      .run(record.id, record.owner, record.spec.name, JSON.stringify(record));
  }

  replace(record: LifecycleConfigRecord): void {
    this.db
      .prepare('UPDATE lifecycle_configs SET name = ?, data = ? WHERE id = ?')
      .run(record.spec.name, JSON.stringify(record), record.id);
  }

  get(id: string): LifecycleConfigRecord | undefined {
    const row = this.db.prepare('SELECT data FROM lifecycle_configs WHERE id = ?').get(id) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as LifecycleConfigRecord) : undefined;
  }

  byName(owner: string, name: string): LifecycleConfigRecord | undefined {
    const row = this.db.prepare('SELECT data FROM lifecycle_configs WHERE owner = ? AND name = ?').get(owner, name) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as LifecycleConfigRecord) : undefined;
  }

  list(owner: string): LifecycleConfigRecord[] {
    const rows = this.db.prepare('SELECT data FROM lifecycle_configs WHERE owner = ? ORDER BY seq DESC').all(owner) as {
      data: string;
    }[];
    return rows.map((row) => JSON.parse(row.data) as LifecycleConfigRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM lifecycle_configs WHERE id = ?').run(id);
  }
}
