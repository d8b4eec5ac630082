import type Database from 'better-sqlite3';
import type { ImageRecord, ImageShareRecord, ImageStore } from '../images/imageStore.js';
import { withoutUndefined } from './withoutUndefined.js';

export class SqliteImageStore implements ImageStore {
  constructor(private readonly db: Database.Database) {}

  insert(record: ImageRecord): void {
    this.db
      .prepare('INSERT INTO images (id, owner, shared_from, data) VALUES (?, ?, ?, ?)')
      .run(record.id, record.owner, record.sharedFrom ?? null, JSON.stringify(withoutUndefined(record)));
  }

  get(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT data FROM images WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ImageRecord) : undefined;
  }

  list(owner: string): ImageRecord[] {
    const rows = this.db.prepare('SELECT data FROM images WHERE owner = ? ORDER BY seq DESC').all(owner) as {
      data: string;
    }[];
    return rows.map((row) => JSON.parse(row.data) as ImageRecord);
  }

  sharedCopies(imageId: string): ImageRecord[] {
    const rows = this.db.prepare('SELECT data FROM images WHERE shared_from = ?').all(imageId) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as ImageRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  insertShare(share: ImageShareRecord): void {
    this.db
      .prepare('INSERT INTO image_shares (id, image_id, token_hash, data) VALUES (?, ?, ?, ?)')
      .run(share.id, share.imageId, share.tokenHash, JSON.stringify(withoutUndefined(share)));
  }

  shareByHash(tokenHash: string): ImageShareRecord | undefined {
    const row = this.db.prepare('SELECT data FROM image_shares WHERE token_hash = ?').get(tokenHash) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ImageShareRecord) : undefined;
  }

  deleteShares(imageId: string): void {
    this.db.prepare('DELETE FROM image_shares WHERE image_id = ?').run(imageId);
  }
}
