import type { AnnotationType, AssetKind, AssetVersion, DatasetDataType } from '@aiplat/api';

/** What the catalog keeps of a dataset or model; `versions` are the owner's, oldest first. */
export interface AssetRecord {
  id: string;
  kind: AssetKind;
  name: string;
  owner: string;
  description?: string;
  dataType?: DatasetDataType;
  annotationType?: AnnotationType;
  createdAt: string;
  versions: AssetVersion[];
  /** A copy another user redeemed: it shows the original's versions (one, for a version share). */
  sharedFrom?: { assetId: string; shareId: string; owner: string; version?: string };
}

export interface AssetShareRecord {
  id: string;
  assetId: string;
  tokenHash: string;
  version?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  redeemedBy: string[];
}

export interface AssetStore {
  insert(record: AssetRecord): void;
  replace(record: AssetRecord): void;
  get(id: string): AssetRecord | undefined;
  byName(owner: string, kind: AssetKind, name: string): AssetRecord | undefined;
  /** The user's own and redeemed assets of a kind, oldest first. */
  list(owner: string, kind: AssetKind): AssetRecord[];
  /** Every record (startup repairs). */
  all(): AssetRecord[];
  /** Redeemed copies of an asset. */
  sharedCopies(assetId: string): AssetRecord[];
  delete(id: string): void;
  insertShare(share: AssetShareRecord): void;
  replaceShare(share: AssetShareRecord): void;
  shareByHash(tokenHash: string): AssetShareRecord | undefined;
  share(id: string): AssetShareRecord | undefined;
  shares(assetId: string): AssetShareRecord[];
}
