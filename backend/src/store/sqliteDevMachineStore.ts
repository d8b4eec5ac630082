import type Database from 'better-sqlite3';
import type { DevMachineEvent } from '@aiplat/api';
import type { DevMachinePatch, DevMachineRecord, DevMachineStore } from '../devmachines/devMachineStore.js';
import { withoutUndefined } from './withoutUndefined.js';

export class SqliteDevMachineStore implements DevMachineStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: DevMachineRecord): void {
    this.db
      .prepare('INSERT INTO dev_machines (id, owner, state, data) VALUES (?, ?, ?, ?)')
      .run(record.id, record.owner, record.state, JSON.stringify(withoutUndefined(record)));
  }

  update(id: string, patch: DevMachinePatch): DevMachineRecord {
    return this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new RangeError(`no dev machine ${id}`);
      const next = withoutUndefined({ ...current, ...patch });
      this.db
        .prepare('UPDATE dev_machines SET state = ?, data = ? WHERE id = ?')
        .run(next.state, JSON.stringify(next), id);
      return next;
    })();
  }

  get(id: string): DevMachineRecord | undefined {
    const row = this.db.prepare('SELECT data FROM dev_machines WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as DevMachineRecord) : undefined;
  }

  list(owner?: string): DevMachineRecord[] {
    const rows = (
      owner === undefined
        ? this.db.prepare('SELECT data FROM dev_machines ORDER BY seq DESC').all()
        : this.db.prepare('SELECT data FROM dev_machines WHERE owner = ? ORDER BY seq DESC').all(owner)
    ) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as DevMachineRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM dev_machines WHERE id = ?').run(id);
  }

  appendEvent(id: string, event: DevMachineEvent): void {
    this.db
      .prepare('INSERT INTO dev_machine_events (dev_machine_id, data) VALUES (?, ?)')
      .run(id, JSON.stringify(event));
  }

  events(id: string): DevMachineEvent[] {
    const rows = this.db
      .prepare('SELECT data FROM dev_machine_events WHERE dev_machine_id = ? ORDER BY seq')
      .all(id) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as DevMachineEvent);
  }
}
