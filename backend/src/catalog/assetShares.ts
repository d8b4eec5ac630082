import { createHash, randomBytes } from 'node:crypto';
import { ApiError, type Asset, type AssetKind, type AssetShare } from '@aiplat/api';
import { kindLabel, newAssetId, type AssetCatalog } from './assetCatalog.js';
import type { AssetRecord, AssetShareRecord } from './assetStore.js';

const TOKEN_PREFIX = 'aiplat-share-';
export const hashShareToken = (token: string) => createHash('sha256').update(token.trim()).digest('hex');

function toShare(record: AssetShareRecord): AssetShare {
  const { tokenHash: _hash, assetId: _asset, ...share } = record;
  return { ...share, redeemedBy: [...record.redeemedBy] };
}

/**
 * Share tokens (口令) for a dataset or model, or one version of it: random, kept only as a SHA-256
 * hash, optionally expiring, revocable. Redeeming one adds a read-only copy to the redeemer's list
 * whose versions are hard links of the owner's (no bytes copied); revoking removes those copies.
 */
export class AssetShares {
  constructor(private readonly catalog: AssetCatalog) {}

  private get store() {
    return this.catalog.deps.store;
  }

  create(
    user: string,
    kind: AssetKind,
    id: string,
    version?: string,
    expiresInHours?: number,
  ): { token: string; share: AssetShare } {
    const record = this.catalog.owned(user, kind, id);
    if (version !== undefined) {
      const found = this.catalog.versionOf(record, version);
      if (found.state !== 'ready')
        throw new ApiError('conflict', `${record.name}@${version} is ${found.state}: share it once it is ready`);
    }
    const now = this.catalog.now();
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const share: AssetShareRecord = {
      id: `sh-${randomBytes(6).toString('hex')}`,
      assetId: record.id,
      tokenHash: hashShareToken(token),
      createdAt: now.toISOString(),
      redeemedBy: [],
      ...(version ? { version } : {}),
      ...(expiresInHours ? { expiresAt: new Date(now.getTime() + expiresInHours * 3_600_000).toISOString() } : {}),
    };
    this.store.insertShare(share);
    return { token, share: toShare(share) };
  }

  list(user: string, kind: AssetKind, id: string): AssetShare[] {
    const record = this.catalog.owned(user, kind, id);
    return this.store.shares(record.id).map(toShare);
  }

  /** Revokes a share: the token stops working and the copies redeemed with it go. */
  async revoke(user: string, kind: AssetKind, id: string, shareId: string): Promise<AssetShare> {
    const record = this.catalog.owned(user, kind, id);
    const share = this.store.share(shareId);
    if (!share || share.assetId !== record.id)
      throw new ApiError('not_found', `${record.name} has no share ${shareId}`);
    if (!share.revokedAt) {
      share.revokedAt = this.catalog.now().toISOString();
      this.store.replaceShare(share);
    }
    for (const copy of this.store.sharedCopies(record.id)) {
      if (copy.sharedFrom?.shareId === share.id) await this.catalog.dropCopy(copy);
    }
    return toShare(share);
  }

  /** The share a token names, checked: exists, not revoked, not expired. */
  resolve(token: string, kind: AssetKind): { share: AssetShareRecord; original: AssetRecord } {
    const share = this.store.shareByHash(hashShareToken(token));
    const original = share && this.store.get(share.assetId);
    if (!share || !original) {
      throw new ApiError(
        'not_found',
        'no dataset or model is shared with this token: check it was copied whole, or ask for a new one',
      );
    }
    if (original.kind !== kind) {
      throw new ApiError(
        'bad_request',
        `this token shares a ${kindLabel(original.kind)}: add it under ${original.kind === 'datasets' ? 'Datasets' : 'Models'}`,
      );
    }
    if (share.revokedAt) throw new ApiError('gone', `${original.owner} revoked this share token: ask for a new one`);
    if (share.expiresAt && Date.parse(share.expiresAt) <= this.catalog.now().getTime()) {
      throw new ApiError('gone', `this share token expired at ${share.expiresAt}: ask ${original.owner} for a new one`);
    }
    return { share, original };
  }

  async redeem(user: string, kind: AssetKind, token: string, name?: string): Promise<Asset> {
    const { share, original } = this.resolve(token, kind);
    if (original.owner === user) throw new ApiError('conflict', `${original.name} is already yours`);
    const existing = this.store.list(user, kind).find((r) => r.sharedFrom?.shareId === share.id);
    if (existing) return this.catalog.view(existing);
    const localName = name ?? original.name;
    if (this.store.byName(user, kind, localName)) {
      throw new ApiError(
        'conflict',
        `you already have a ${kindLabel(kind)} named ${localName}: give the shared one another name`,
        {
          issues: [{ path: 'name', message: 'taken: choose a name for the shared copy' }],
        },
      );
    }
    const copy: AssetRecord = {
      id: newAssetId(),
      kind,
      name: localName,
      owner: user,
      createdAt: this.catalog.now().toISOString(),
      versions: [],
      sharedFrom: {
        assetId: original.id,
        shareId: share.id,
        owner: original.owner,
        ...(share.version ? { version: share.version } : {}),
      },
      ...(original.description ? { description: original.description } : {}),
      ...(original.dataType ? { dataType: original.dataType } : {}),
      ...(original.annotationType ? { annotationType: original.annotationType } : {}),
    };
    this.store.insert(copy);
    try {
      for (const version of this.catalog.sharedVersions(copy))
        await this.catalog.materialize(original, copy, version.version);
    } catch (error) {
      await this.catalog.dropCopy(copy);
      throw error;
    }
    share.redeemedBy = [...new Set([...share.redeemedBy, user])];
    this.store.replaceShare(share);
    return this.catalog.view(copy);
  }
}
