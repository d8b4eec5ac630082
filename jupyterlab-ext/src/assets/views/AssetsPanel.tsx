import type { AssetKind } from '@aiplat/api';
import type { Message } from '@lumino/messaging';
import * as React from 'react';
import { TabBar } from '../../training/views/TabBar.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { AssetCreateFormModel, RedeemFormModel } from '../model/assetForms.js';
import type { AssetsSectionModel } from '../model/assetsSectionModel.js';
import type { AssetActions } from './assetActions.js';
import { AssetCreateForm, RedeemForm } from './AssetForms.js';
import { kindLabels } from './assetLabels.js';
import { AssetRow } from './AssetRow.js';
import { ShareShown } from './AssetShares.js';

export interface AssetsPanelProps {
  model: AssetsSectionModel;
  actions: AssetActions;
}

type Form = { create: AssetCreateFormModel } | { redeem: RedeemFormModel };

/** One tab: its toolbar (new, add shared, refresh), the form open, the token just made, and the rows. */
function AssetKindList({ model, actions, kind }: AssetsPanelProps & { kind: AssetKind }) {
  const { trans, connection } = actions;
  const models = model.of(kind);
  const { list, shares } = models;
  const labels = kindLabels(kind, trans);
  const [form, setForm] = React.useState<Form | undefined>(undefined);
  React.useEffect(() => () => (form && 'create' in form ? form.create : form?.redeem)?.dispose(), [form]);
  const toggle = (which: 'create' | 'redeem') => {
    const open = form && which in form;
    setForm(
      open
        ? undefined
        : which === 'create'
          ? { create: new AssetCreateFormModel(connection, kind) }
          : { redeem: new RedeemFormModel(connection, kind) },
    );
  };
  return (
    <div className="aiplat-jobList aiplat-assetList" data-testid={`aiplat-asset-list-${kind}`}>
      <div className="aiplat-jobList-toolbar">
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid={`aiplat-asset-new-${kind}`}
          onClick={() => toggle('create')}
        >
          {labels.create}
        </button>
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-asset-add-shared-${kind}`}
          onClick={() => toggle('redeem')}
        >
          {labels.redeem}
        </button>
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-asset-refresh-${kind}`}
          title={trans.__('Load the list again')}
          onClick={() => void list.refresh()}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      {form && 'create' in form && (
        <AssetCreateForm
          form={form.create}
          trans={trans}
          onCreated={(asset) => {
            list.put(asset);
            setForm(undefined);
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
      {form && 'redeem' in form && (
        <RedeemForm
          form={form.redeem}
          trans={trans}
          onAdded={(asset) => {
            list.put(asset);
            setForm(undefined);
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
      <ShareShown shares={shares} trans={trans} />
      {list.error && <div className="aiplat-error">{list.error}</div>}
      {list.items.length === 0 && !list.loading && (
        <div className="aiplat-jobList-empty" data-testid={`aiplat-asset-list-empty-${kind}`}>
          {list.connected ? labels.empty : trans.__('Connect to see your datasets and models.')}
        </div>
      )}
      <ul className="aiplat-jobList-items">
        {list.items.map((asset) => (
          <AssetRow key={asset.id} asset={asset} models={models} actions={actions} />
        ))}
      </ul>
    </div>
  );
}

export function AssetsSection(props: AssetsPanelProps) {
  const { model, actions } = props;
  const { trans } = actions;
  return (
    <div className="aiplat-assets">
      <TabBar<AssetKind>
        tabs={[
          { id: 'datasets', label: kindLabels('datasets', trans).tab },
          { id: 'models', label: kindLabels('models', trans).tab },
        ]}
        current={model.tab}
        onSelect={(tab) => (model.tab = tab)}
        testIdPrefix="aiplat-assets-tab-"
      />
      {/* Both kept mounted: a form being typed in one tab survives a look at the other. */}
      {(['datasets', 'models'] as const).map((kind) => (
        <div key={kind} className="aiplat-assets-tab" hidden={model.tab !== kind}>
          <AssetKindList {...props} kind={kind} />
        </div>
      ))}
    </div>
  );
}

/**
 * The sidebar's Catalog section: Datasets and Models as managed assets, each a tab. Tasks keep the
 * lists live; what changes without a task (a publish or share from the CLI, an asset shared with
 * the user being revoked) shows when the section is shown again.
 */
export class AssetsPanel extends ModelWidget<AssetsPanelProps> {
  constructor(props: AssetsPanelProps) {
    super(props, props.model.changed, AssetsSection, 'aiplat-assets-panel');
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    const { datasets, models } = this.props.model;
    if (!datasets.list.connected) return;
    void datasets.list.refresh();
    void models.list.refresh();
  }
}
