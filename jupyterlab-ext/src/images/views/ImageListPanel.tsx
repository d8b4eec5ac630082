import { formatBytes, parseShareHours, type Image } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CopyButton } from '../../services/views/CopyButton.js';
import { ShownOnceSecret } from '../../services/views/ShownOnceSecret.js';
import { TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import type { ImageListModel } from '../model/imageListModel.js';
import { imageSourceLabel } from './imageLabels.js';

export interface ImageListPanelProps {
  model: ImageListModel;
  trans: TranslationBundle;
  /** Asks before a delete (or, for a shared image, taking it off the list); resolves true to go ahead. */
  confirmDelete: (image: Image) => Promise<boolean>;
}

function ShareShown({ model, trans }: { model: ImageListModel; trans: TranslationBundle }) {
  const shown = model.shareShown;
  if (!shown) return null;
  return (
    <ShownOnceSecret
      title={trans.__('The share token of %1:', shown.ref)}
      secret={shown.token}
      expiresAt={shown.expiresAt}
      testId="aiplat-image-share-token"
      onDone={() => model.dismissShare()}
      trans={trans}
    />
  );
}

function ShareRow({
  model,
  trans,
  id,
  onDone,
}: {
  model: ImageListModel;
  trans: TranslationBundle;
  id: string;
  onDone: () => void;
}) {
  const [hours, setHours] = React.useState('');
  const parsed = parseShareHours(hours);
  return (
    <div className="aiplat-form-row aiplat-imageList-share">
      <TextBox
        testId={`aiplat-image-share-hours-${id}`}
        label={trans.__('Valid for hours')}
        placeholder={trans.__('hours valid (empty: until revoked)')}
        invalid={parsed === 'invalid'}
        value={hours}
        onChange={setHours}
      />
      <button
        className="jp-mod-styled jp-mod-accept"
        data-testid={`aiplat-image-share-create-${id}`}
        disabled={parsed === 'invalid'}
        title={parsed === 'invalid' ? trans.__('a whole number of hours from 1 to 8760, or empty') : ''}
        onClick={() => {
          if (parsed !== 'invalid') void model.share(id, parsed).then(onDone);
        }}
      >
        {trans.__('Make token')}
      </button>
    </div>
  );
}

function History({ model, trans, image }: { model: ImageListModel; trans: TranslationBundle; image: Image }) {
  const details = model.detailsOf(image.id) ?? image;
  const history = details.history;
  if (!history) return <div className="aiplat-devMachine-why">{trans.__('Loading…')}</div>;
  return (
    <ol className="aiplat-devMachine-events" data-testid={`aiplat-image-history-${image.id}`}>
      {[...history].reverse().map((entry, i) => (
        <li key={i}>
          {entry.created && <span className="aiplat-devMachine-eventTime">{formatTime(entry.created)}</span>}{' '}
          {entry.comment ?? entry.createdBy ?? ''}
          {entry.author ? ` (${entry.author})` : ''}
        </li>
      ))}
    </ol>
  );
}

function Row({ image, first, ...props }: ImageListPanelProps & { image: Image; first: boolean }) {
  const { model, trans } = props;
  const [expanded, setExpanded] = React.useState(false);
  const [sharing, setSharing] = React.useState(false);
  const { id } = image;
  const details = model.detailsOf(id) ?? image;
  const facts = [
    details.sizeBytes === undefined ? undefined : formatBytes(details.sizeBytes),
    details.layers === undefined ? undefined : trans.__('%1 layers', details.layers),
    image.source === 'shared' ? trans.__('from %1', image.owner) : undefined,
    // A preset's date is the configuration's, not the image's: left out.
    image.source === 'preset' ? undefined : formatTime(image.createdAt),
  ].filter(Boolean);
  const button = (testId: string, label: string, onClick: () => void, warn = false) => (
    <button
      className={`jp-mod-styled${warn ? ' jp-mod-warn' : ''}`}
      data-testid={`aiplat-image-${testId}-${id}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  return (
    <>
      {first && (
        <li className="aiplat-imageList-group" data-testid={`aiplat-image-group-${image.source}`}>
          {imageSourceLabel(image.source, trans)}
        </li>
      )}
      <li className="aiplat-devMachine-item" data-testid={`aiplat-image-row-${id}`} data-source={image.source}>
        <div className="aiplat-jobList-line">
          <span className="aiplat-jobList-name aiplat-imageList-ref" title={image.ref}>
            {image.ref}
          </span>
        </div>
        {image.description && <div className="aiplat-devMachine-why">{image.description}</div>}
        <div className="aiplat-jobList-line aiplat-jobList-meta">
          <span>{facts.join(' · ')}</span>
        </div>
        {image.savedFrom && (
          <div className="aiplat-devMachine-why" title={image.savedFrom.baseRef}>
            {trans.__('saved from %1, based on %2', image.savedFrom.devMachineName, image.savedFrom.baseRef)}
          </div>
        )}
        <RowNotes why={undefined} error={model.actionError(id)} />
        <div className="aiplat-devMachine-actions">
          <CopyButton text={image.ref} trans={trans} testId={`aiplat-image-copy-${id}`} />
          {button('history', expanded ? trans.__('Hide history') : trans.__('History'), () => {
            if (!expanded && !model.detailsOf(id)) void model.loadDetails(id);
            setExpanded(!expanded);
          })}
          {image.source === 'saved' && button('share', trans.__('Share'), () => setSharing(!sharing))}
          {image.source !== 'preset' &&
            button(
              'delete',
              image.source === 'shared' ? trans.__('Remove from my list') : trans.__('Delete'),
              () => void props.confirmDelete(image).then((yes) => (yes ? model.delete(id) : undefined)),
              true,
            )}
        </div>
        {sharing && <ShareRow model={model} trans={trans} id={id} onDone={() => setSharing(false)} />}
        {expanded && <History model={model} trans={trans} image={image} />}
      </li>
    </>
  );
}

function Redeem({ model, trans, onDone }: { model: ImageListModel; trans: TranslationBundle; onDone: () => void }) {
  const [token, setToken] = React.useState('');
  const redeem = () => {
    if (!token.trim()) return;
    void model.redeem(token).then((image) => {
      if (!image) return;
      setToken('');
      onDone();
    });
  };
  return (
    <div className="aiplat-imageList-redeem">
      <div className="aiplat-form-row">
        <TextBox
          testId="aiplat-image-redeem-token"
          label={trans.__('Share token')}
          placeholder={trans.__('the share token you were given')}
          value={token}
          onChange={setToken}
          onEnter={redeem}
        />
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-image-redeem"
          disabled={model.redeeming || !token.trim()}
          onClick={redeem}
        >
          {trans.__('Add')}
        </button>
      </div>
      {model.redeemError && (
        <div className="aiplat-error" role="alert" data-testid="aiplat-image-redeem-error">
          {model.redeemError}
        </div>
      )}
    </div>
  );
}

export function ImageList(props: ImageListPanelProps) {
  const { model, trans } = props;
  const [redeeming, setRedeeming] = React.useState(false);
  const items = model.images;
  return (
    <>
      {redeeming && <Redeem model={model} trans={trans} onDone={() => setRedeeming(false)} />}
      <ShareShown model={model} trans={trans} />
      <LiveList
        model={model}
        trans={trans}
        kind="image"
        className="aiplat-imageList"
        newLabel={trans.__('Add shared image')}
        onNew={() => setRedeeming(!redeeming)}
        empty={trans.__('No images yet.')}
        emptyDisconnected={trans.__('Connect to see the images.')}
        row={(image) => {
          const index = items.indexOf(image);
          const first = index <= 0 || items[index - 1]?.source !== image.source;
          return <Row key={image.id} image={image} first={first} {...props} />;
        }}
      />
    </>
  );
}

/** The sidebar's Images section: the catalog by source, each with its actions, and redeeming a share token. */
export class ImageListPanel extends ModelWidget<ImageListPanelProps> {
  constructor(props: ImageListPanelProps) {
    super(props, props.model.changed, ImageList, 'aiplat-images-panel');
  }
}
