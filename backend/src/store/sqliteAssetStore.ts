import type Database from 'better-sqlite3';
import type { AssetKind } from '@aiplat/api';
import type { AssetRecord, AssetShareRecord, AssetStore } from '../catalog/assetStore.js';
import { withoutUndefined } from './withoutUndefined.js';

const parse = <T>(rows: { data: string }[]): T[] => rows.map((row) => JSON.parse(row.data) as T);

export class SqliteAssetStore implements AssetStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: AssetRecord): void {
    this.db
      .prepare('INSERT INTO assets (id, owner, kind, name, shared_from, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        record.id,
        record.owner,
        record.kind,
        record.name,
        record.sharedFrom?.assetId ?? null,
        JSON.stringify(withoutUndefined(record)),
      );
  }

  replace(record: AssetRecord): void {
    this.db.prepare('UPDATE assets SET data = ? WHERE id = ?').run(JSON.stringify(withoutUndefined(record)), record.id);
  }

  get(id: string): AssetRecord | undefined {
    const row = this.db.prepare('SELECT data FROM assets WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as AssetRecord) : undefined;
  }

  byName(owner: string, kind: AssetKind, name: string): AssetRecord | undefined {
    const row = this.db
      .prepare('SELECT data FROM assets WHERE owner = ? AND kind = ? AND name = ?')
      .get(owner, kind, name) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as AssetRecord) : undefined;
  }

  list(owner: string, kind: AssetKind): AssetRecord[] {
    const rows = this.db
      .prepare('SELECT data FROM assets WHERE owner = ? AND kind = ? ORDER BY seq')
      .all(owner, kind) as { data: string }[];
    return parse<AssetRecord>(rows);
  }

  all(): AssetRecord[] {
    return parse<AssetRecord>(this.db.prepare('SELECT data FROM assets ORDER BY seq').all() as { data: string }[]);
  }

  sharedCopies(assetId: string): AssetRecord[] {
    const rows = this.db.prepare('SELECT data FROM assets WHERE shared_from = ? ORDER BY seq').all(assetId) as {
      data: string;
    }[];
    return parse<AssetRecord>(rows);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM assets WHERE id = ?').run(id);
  }

  insertShare(share: AssetShareRecord): void {
    this.db
      .prepare('INSERT INTO asset_shares (id, asset_id, token_hash, data) VALUES (?, ?, ?, ?)')
      .run(share.id, share.assetId, share.tokenHash, JSON.stringify(withoutUndefined(share)));
  }

  replaceShare(share: AssetShareRecord): void {
    this.db
      .prepare('UPDATE asset_shares SET data = ? WHERE id = ?')
      .run(JSON.stringify(withoutUndefined(share)), share.id);
  }

  shareByHash(tokenHash: string): AssetShareRecord | undefined {
    const row = this.db.prepare('SELECT data FROM asset_shares WHERE token_hash = ?').get(tokenHash) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as AssetShareRecord) : undefined;
  }

  share(id: string): AssetShareRecord | undefined {
    const row = this.db.prepare('SELECT data FROM asset_shares WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as AssetShareRecord) : undefined;
  }

  shares(assetId: string): AssetShareRecord[] {
    const rows = this.db.prepare('SELECT data FROM asset_shares WHERE asset_id = ? ORDER BY seq').all(assetId) as {
      data: string;
    }[];
    return parse<AssetShareRecord>(rows);
  }
}
