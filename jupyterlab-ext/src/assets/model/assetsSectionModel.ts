import type { AssetKind } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { AssetListModel } from './assetListModel.js';
import { AssetShareModel } from './assetShareModel.js';

/** One kind's list and shares. */
export interface AssetKindModels {
  readonly list: AssetListModel;
  readonly shares: AssetShareModel;
}

/**
 * The Catalog section: the datasets and the models, each live with its shares, and which tab shows.
 * Says it changed whenever either kind's models do; disposes them with itself.
 */
export class AssetsSectionModel extends ChangingModel {
  readonly datasets: AssetKindModels;
  readonly models: AssetKindModels;
  private _tab: AssetKind = 'datasets';

  constructor(readonly connection: IConnectionModel) {
    super();
    const kind = (k: AssetKind): AssetKindModels => {
      const models = { list: new AssetListModel(connection, k), shares: new AssetShareModel(connection, k) };
      models.list.changed.connect(() => this.emit(), this);
      models.shares.changed.connect(() => this.emit(), this);
      return models;
    };
    this.datasets = kind('datasets');
    this.models = kind('models');
  }

  get tab(): AssetKind {
    return this._tab;
  }

  set tab(tab: AssetKind) {
    if (tab === this._tab) return;
    this._tab = tab;
    this.emit();
  }

  of(kind: AssetKind): AssetKindModels {
    return kind === 'datasets' ? this.datasets : this.models;
  }

  /** The tab shown. */
  get current(): AssetKindModels {
    return this.of(this._tab);
  }

  protected override onDispose(): void {
    for (const models of [this.datasets, this.models]) {
      models.list.dispose();
      models.shares.dispose();
    }
  }
}
