import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.js';
import { migrate, SqliteStore, StoreError } from './sqliteStore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('SqliteStore', () => {
  it('keeps settings across reopen', () => {
    const file = path.join(dir, 'db', 'a.sqlite');
    const store = new SqliteStore(file);
    store.setSetting('token', 'one');
    store.setSetting('token', 'two');
    store.close();
    const again = new SqliteStore(file);
    expect(again.getSetting('token')).toBe('two');
    expect(again.getSetting('missing')).toBeUndefined();
    expect(again.ping()).toBe(true);
    again.close();
  });

  it('applies migrations once, in order, and records them', () => {
    const db = new Database(':memory:');
    const first = MIGRATIONS.slice(0, 1);
    const extra = [...first, { version: 2, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY)' }];
    expect(migrate(db, first)).toBe(1);
    expect(migrate(db, extra)).toBe(2);
    expect(migrate(db, extra)).toBe(2);
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual([
      { version: 1, name: 'settings' },
      { version: 2, name: 'notes' },
    ]);
  });

  it('rolls back a failing migration and leaves the version where it was', () => {
    const db = new Database(':memory:');
    const first = MIGRATIONS.slice(0, 1);
    migrate(db, first);
    const broken = [...first, { version: 2, name: 'broken', sql: 'CREATE TABLE ok (id INTEGER); CREATE TABLE oops (' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").get()).toBeUndefined();
    expect(migrate(db, first)).toBe(1);
  });

  it('refuses a database newer than the code', () => {
    const db = new Database(':memory:');
    migrate(db, [...MIGRATIONS, { version: 9, name: 'future', sql: 'SELECT 1' }]);
    expect(() => migrate(db, MIGRATIONS)).toThrow(StoreError);
  });
});
