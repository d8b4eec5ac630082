import { parseShareHours, type Asset, type AssetShare } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ShownOnceSecret } from '../../services/views/ShownOnceSecret.js';
import { ChoiceBox, TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { shareStatus, type AssetShareModel } from '../model/assetShareModel.js';

/** The token just made, shown once with Copy, until Done. */
export function ShareShown({ shares, trans }: { shares: AssetShareModel; trans: TranslationBundle }) {
  const shown = shares.shown;
  if (!shown) return null;
  return (
    <ShownOnceSecret
      title={
        shown.version
          ? trans.__('The share token of %1:', `${shown.name}@${shown.version}`)
          : trans.__('The share token of %1 (every version):', shown.name)
      }
      secret={shown.token}
      expiresAt={shown.expiresAt}
      testId="aiplat-asset-share-token"
      onDone={() => shares.dismissShown()}
      trans={trans}
    />
  );
}

/** Share the asset, or one of its ready versions, for some hours (or until revoked). */
export function ShareForm({
  asset,
  shares,
  trans,
  version: initial,
  onDone,
}: {
  asset: Asset;
  shares: AssetShareModel;
  trans: TranslationBundle;
  /** The version preselected (a version's Share). */
  version?: string;
  onDone: () => void;
}) {
  const [hours, setHours] = React.useState('');
  const [version, setVersion] = React.useState(initial ?? '');
  const parsed = parseShareHours(hours);
  const ready = asset.versions.filter((v) => v.state === 'ready').map((v) => v.version);
  return (
    <div className="aiplat-form-row aiplat-asset-share" data-testid={`aiplat-asset-share-form-${asset.id}`}>
      <ChoiceBox<string>
        testId={`aiplat-asset-share-version-${asset.id}`}
        label={trans.__('What to share')}
        value={version}
        onChange={setVersion}
        options={[['', trans.__('Every version')] as const, ...ready.map((v) => [v, v] as const)]}
      />
      <TextBox
        testId={`aiplat-asset-share-hours-${asset.id}`}
        label={trans.__('Valid for hours')}
        placeholder={trans.__('hours valid (empty: until revoked)')}
        invalid={parsed === 'invalid'}
        value={hours}
        onChange={setHours}
      />
      <button
        className="jp-mod-styled jp-mod-accept"
        data-testid={`aiplat-asset-share-create-${asset.id}`}
        disabled={parsed === 'invalid' || shares.busy(asset.id)}
        title={parsed === 'invalid' ? trans.__('a whole number of hours from 1 to 8760, or empty') : ''}
        onClick={() => {
          if (parsed === 'invalid') return;
          void shares.share(asset, version || undefined, parsed).then((made) => made && onDone());
        }}
      >
        {trans.__('Make token')}
      </button>
    </div>
  );
}

function ShareRow({
  asset,
  share,
  shares,
  trans,
}: {
  asset: Asset;
  share: AssetShare;
  shares: AssetShareModel;
  trans: TranslationBundle;
}) {
  const status = shareStatus(share);
  const labels = { active: trans.__('Active'), expired: trans.__('Expired'), revoked: trans.__('Revoked') };
  return (
    <li className="aiplat-asset-shareItem" data-testid={`aiplat-asset-share-item-${share.id}`} data-status={status}>
      <div className="aiplat-jobList-line">
        <span>{share.version ? share.version : trans.__('Every version')}</span>
        <span className="aiplat-jobList-meta">{labels[status]}</span>
      </div>
      <div className="aiplat-jobList-meta">
        {[
          trans.__('Created %1', formatTime(share.createdAt)),
          share.expiresAt ? trans.__('expires %1', formatTime(share.expiresAt)) : trans.__('no expiry'),
          share.redeemedBy.length > 0
            ? trans.__('added by %1', share.redeemedBy.join(', '))
            : trans.__('not added by anyone yet'),
        ].join(' · ')}
      </div>
      {status === 'active' && (
        <button
          className="jp-mod-styled jp-mod-warn"
          data-testid={`aiplat-asset-share-revoke-${share.id}`}
          onClick={() => void shares.revoke(asset.id, share.id)}
        >
          {trans.__('Revoke')}
        </button>
      )}
    </li>
  );
}

/** The asset's shares, read when opened: each with its version, expiry, who added it, and Revoke. */
export function SharesList({
  asset,
  shares,
  trans,
}: {
  asset: Asset;
  shares: AssetShareModel;
  trans: TranslationBundle;
}) {
  const list = shares.sharesOf(asset.id);
  React.useEffect(() => {
    void shares.loadShares(asset.id);
  }, [asset.id]);
  if (!list) return <div className="aiplat-jobList-meta">{trans.__('Loading…')}</div>;
  return (
    <div className="aiplat-asset-shares" data-testid={`aiplat-asset-shares-${asset.id}`}>
      {list.length === 0 ? (
        <div className="aiplat-jobList-meta">{trans.__('Not shared yet.')}</div>
      ) : (
        <ul className="aiplat-jobList-items">
          {list.map((share) => (
            <ShareRow key={share.id} asset={asset} share={share} shares={shares} trans={trans} />
          ))}
        </ul>
      )}
    </div>
  );
}
