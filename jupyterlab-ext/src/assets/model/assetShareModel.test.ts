import { ApiError, type AssetShare } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { AssetShareModel, shareStatus } from './assetShareModel.js';
import { asset, fakeConnection } from './test/fakeCatalog.js';

const data = asset('alpaca');
const share = (id: string, patch: Partial<AssetShare> = {}): AssetShare => ({
  id,
  createdAt: '2026-12-01T00:00:00Z',
  redeemedBy: [],
  ...patch,
});

describe('asset shares', () => {
  it('shows a token made for one version once, until dismissed', async () => {
    const fake = fakeConnection();
    fake.answers.shareAsset = () => ({
      token: 'tok-1',
      share: share('sh-1', { version: 'v1', expiresAt: '2026-12-07T00:00:00Z' }),
    });
    const shares = new AssetShareModel(fake.connection, 'datasets');
    expect(await shares.share(data, 'v1', 24)).toBe(true);
    expect(fake.calls[0]?.input).toEqual({
      params: { kind: 'datasets', id: data.id },
      body: { version: 'v1', expiresInHours: 24 },
    });
    expect(shares.shown).toEqual({
      assetId: data.id,
      name: 'alpaca',
      version: 'v1',
      token: 'tok-1',
      expiresAt: '2026-12-07T00:00:00Z',
    });
    shares.dismissShown();
    expect(shares.shown).toBeUndefined();
  });

  it('lists an asset’s shares, adds a new one to the list, and revokes one', async () => {
    const fake = fakeConnection();
    fake.answers.listAssetShares = () => ({ items: [share('sh-1', { redeemedBy: ['bob'] })] });
    fake.answers.shareAsset = () => ({ token: 'tok-2', share: share('sh-2') });
    fake.answers.revokeAssetShare = () => share('sh-1', { redeemedBy: ['bob'], revokedAt: '2026-12-05T00:00:00Z' });
    const shares = new AssetShareModel(fake.connection, 'datasets');
    expect(shares.sharesOf(data.id)).toBeUndefined();
    await shares.loadShares(data.id);
    await shares.share(data);
    expect(fake.calls[1]?.input).toEqual({ params: { kind: 'datasets', id: data.id }, body: {} });
    expect(shares.sharesOf(data.id)?.map((s) => s.id)).toEqual(['sh-1', 'sh-2']);
    await shares.revoke(data.id, 'sh-1');
    expect(shares.sharesOf(data.id)?.map((s) => shareStatus(s))).toEqual(['revoked', 'active']);
  });

  it('keeps what a share action failed with on the asset', async () => {
    const fake = fakeConnection();
    fake.answers.shareAsset = () => {
      throw new ApiError('conflict', 'alpaca@v2 is importing: share it once it is ready');
    };
    const shares = new AssetShareModel(fake.connection, 'datasets');
    expect(await shares.share(data, 'v2')).toBe(false);
    expect(shares.errorOf(data.id)).toMatch(/share it once it is ready/);
    expect(shares.shown).toBeUndefined();
    shares.forget(data.id);
    expect(shares.errorOf(data.id)).toBeUndefined();
  });

  it('reads a share’s status at a time', () => {
    const now = new Date('2026-12-06T00:00:00Z');
    expect(shareStatus(share('a', { expiresAt: '2026-12-05T00:00:00Z' }), now)).toBe('expired');
    expect(shareStatus(share('a', { expiresAt: '2026-12-07T00:00:00Z' }), now)).toBe('active');
    expect(shareStatus(share('a', { revokedAt: '2026-12-01T00:00:00Z' }), now)).toBe('revoked');
  });
});
