import type { AssetKind, AssetShare } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import { errorMessage } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** A share token just made: shown once, with what it opens, until dismissed. */
export interface AssetShareShown {
  assetId: string;
  name: string;
  /** Only this version; every version when absent. */
  version?: string;
  token: string;
  expiresAt?: string;
}

/** A share as its list shows it: active, expired or revoked at `now`. */
export function shareStatus(share: AssetShare, now: Date = new Date()): 'active' | 'expired' | 'revoked' {
  if (share.revokedAt) return 'revoked';
  if (share.expiresAt && new Date(share.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/**
 * The shares of one kind's assets: a token made for an asset (or one version of it) shown once
 * until dismissed, each asset's shares as listed on demand (who added it, expiry, revoked), and revoking one.
 */
export class AssetShareModel extends ChangingModel {
  private _shown: AssetShareShown | undefined;
  private readonly _shares = new Map<string, readonly AssetShare[]>();
  private readonly _errors = new Map<string, string>();
  private readonly _busy = new Set<string>();

  constructor(
    private readonly _connection: IConnectionModel,
    readonly kind: AssetKind,
  ) {
    super();
  }

  /** The token just made, until dismissed: the API shows it only once. */
  get shown(): AssetShareShown | undefined {
    return this._shown;
  }

  /** The asset's shares, once `loadShares` read them. */
  sharesOf(assetId: string): readonly AssetShare[] | undefined {
    return this._shares.get(assetId);
  }

  /** What the last share action on the asset failed with. */
  errorOf(assetId: string): string | undefined {
    return this._errors.get(assetId);
  }

  busy(assetId: string): boolean {
    return this._busy.has(assetId);
  }

  private async run(assetId: string, action: () => Promise<void>): Promise<boolean> {
    if (!this._connection.client || this._busy.has(assetId)) return false;
    this._busy.add(assetId);
    this._errors.delete(assetId);
    this.emit();
    try {
      await action();
      return true;
    } catch (e) {
      this._errors.set(assetId, errorMessage(e));
      return false;
    } finally {
      this._busy.delete(assetId);
      this.emit();
    }
  }

  /** Makes a token for the asset (or only `version`), valid `expiresInHours` (none: until revoked). */
  share(asset: { id: string; name: string }, version?: string, expiresInHours?: number): Promise<boolean> {
    return this.run(asset.id, async () => {
      const client = this._connection.client!;
      const created = await client.shareAsset({
        params: { kind: this.kind, id: asset.id },
        body: { ...(version ? { version } : {}), ...(expiresInHours !== undefined ? { expiresInHours } : {}) },
      });
      this._shown = {
        assetId: asset.id,
        name: asset.name,
        ...(version ? { version } : {}),
        token: created.token,
        ...(created.share.expiresAt ? { expiresAt: created.share.expiresAt } : {}),
      };
      // The list, if shown, gains the new share.
      if (this._shares.has(asset.id)) this._shares.set(asset.id, [...this._shares.get(asset.id)!, created.share]);
    });
  }

  dismissShown(): void {
    this._shown = undefined;
    this.emit();
  }

  /** Reads the asset's shares. */
  loadShares(assetId: string): Promise<boolean> {
    return this.run(assetId, async () => {
      const { items } = await this._connection.client!.listAssetShares({ params: { kind: this.kind, id: assetId } });
      this._shares.set(assetId, items);
    });
  }

  /** Revokes a share: its token stops working and those who added the asset lose it. */
  revoke(assetId: string, shareId: string): Promise<boolean> {
    return this.run(assetId, async () => {
      const revoked = await this._connection.client!.revokeAssetShare({
        params: { kind: this.kind, id: assetId, shareId },
      });
      const shares = this._shares.get(assetId) ?? [];
      this._shares.set(
        assetId,
        shares.map((s) => (s.id === revoked.id ? revoked : s)),
      );
    });
  }

  /** Forgets what was read of an asset (it was deleted). */
  forget(assetId: string): void {
    this._shares.delete(assetId);
    this._errors.delete(assetId);
    if (this._shown?.assetId === assetId) this._shown = undefined;
    this.emit();
  }
}
