import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { NULL_PUBLISHER } from '../server/eventPublisher.js';
import { SqliteStore } from '../store/sqliteStore.js';
import { PathResolver } from '../workspace/pathResolver.js';
import { AssetCatalog } from './assetCatalog.js';
import { AssetLayout } from './assetLayout.js';
import { AssetShares, hashShareToken } from './assetShares.js';
import { AssetTasks } from './assetTasks.js';

let dir: string;
let store: SqliteStore;
let clock: Date;
let catalog: AssetCatalog;
let shares: AssetShares;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'asset-shares-'));
  store = new SqliteStore(':memory:');
  clock = new Date('2026-12-01T00:00:00Z');
  const resolver = new PathResolver(dir);
  catalog = new AssetCatalog({
    store: store.assets,
    layout: new AssetLayout(resolver),
    tasks: new AssetTasks(NULL_PUBLISHER),
    now: () => clock,
  });
  shares = new AssetShares(catalog);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

async function publishedDataset(owner: string, name: string): Promise<string> {
  const asset = await catalog.create(owner, 'datasets', { name });
  await writeFile(path.join(dir, 'home', owner, 'datasets', name, 'a.jsonl'), '{}\n');
  await catalog.publish(owner, 'datasets', asset.id);
  return asset.id;
}

const codeOf = (fn: () => unknown) =>
  Promise.resolve()
    .then(fn)
    .then(
      () => 'resolved',
      (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
    );

describe('share tokens', () => {
  it('keeps only a hash of the token, which works until it expires', async () => {
    const id = await publishedDataset('ann', 'faq');
    const { token, share } = shares.create('ann', 'datasets', id, undefined, 1);
    expect(token).toMatch(/^aiplat-share-[A-Za-z0-9_-]{32}$/);
    expect(share.expiresAt).toBe('2026-12-01T01:00:00.000Z');
    const kept = store.assets.shares(id)[0];
    expect(kept?.tokenHash).toBe(hashShareToken(token));
    expect(JSON.stringify(kept)).not.toContain(token);

    clock = new Date('2026-12-01T01:00:01Z');
    expect(await codeOf(() => shares.redeem('ben', 'datasets', token))).toBe('410 gone');
  });

  it('a version share shows only that version, also after later publishes', async () => {
    const id = await publishedDataset('ann', 'faq');
    const { token } = shares.create('ann', 'datasets', id, 'v1');
    await writeFile(path.join(dir, 'home/ann/datasets/faq/b.jsonl'), '{}\n');
    await catalog.publish('ann', 'datasets', id);
    const copy = await shares.redeem('ben', 'datasets', token);
    expect(copy.versions.map((v) => v.version)).toEqual(['v1']);
    await expect(stat(path.join(dir, 'home/ben/.catalog/shared/datasets/faq/v2'))).rejects.toThrow();
  });

  it('a share of all versions links each new version into the copies', async () => {
    const id = await publishedDataset('ann', 'faq');
    const { token } = shares.create('ann', 'datasets', id);
    await shares.redeem('ben', 'datasets', token);
    await writeFile(path.join(dir, 'home/ann/datasets/faq/b.jsonl'), 'new\n');
    await catalog.publish('ann', 'datasets', id);
    expect(await readFile(path.join(dir, 'home/ben/.catalog/shared/datasets/faq/v2/b.jsonl'), 'utf8')).toBe('new\n');
    expect(catalog.list('ben', 'datasets')[0]?.versions.map((v) => v.version)).toEqual(['v1', 'v2']);
  });

  it('refuses a name clash unless a new name is given, a wrong kind, and redeeming your own', async () => {
    const id = await publishedDataset('ann', 'faq');
    await publishedDataset('ben', 'faq');
    const { token } = shares.create('ann', 'datasets', id);
    expect(await codeOf(() => shares.redeem('ben', 'datasets', token))).toBe('409 conflict');
    expect((await shares.redeem('ben', 'datasets', token, 'anns-faq')).name).toBe('anns-faq');
    expect(await codeOf(() => shares.redeem('cat', 'models', token))).toBe('400 bad_request');
    expect(await codeOf(() => shares.redeem('ann', 'datasets', token))).toBe('409 conflict');
    expect(await codeOf(() => shares.redeem('cat', 'datasets', 'aiplat-share-nothing'))).toBe('404 not_found');
  });

  it('deleting the original takes every copy with it', async () => {
    const id = await publishedDataset('ann', 'faq');
    const { token } = shares.create('ann', 'datasets', id);
    await shares.redeem('ben', 'datasets', token);
    await catalog.delete('ann', 'datasets', id);
    expect(catalog.list('ben', 'datasets')).toEqual([]);
    await expect(stat(path.join(dir, 'home/ben/.catalog/shared/datasets/faq'))).rejects.toThrow();
    await expect(stat(path.join(dir, 'home/ann/.catalog/datasets/faq'))).rejects.toThrow();
    // The working folder is the user's own data: it stays.
    expect((await stat(path.join(dir, 'home/ann/datasets/faq/a.jsonl'))).isFile()).toBe(true);
  });
});
