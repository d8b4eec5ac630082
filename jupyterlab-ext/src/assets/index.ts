import type { Asset } from '@aiplat/api';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../tokens.js';
import { AssetsSectionModel } from './model/assetsSectionModel.js';
import { kindLabels } from './views/assetLabels.js';
import { AssetsPanel } from './views/AssetsPanel.js';

export interface AssetsPanelOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Shows a folder (relative to /work, as the API names it) in JupyterLab's file browser. */
  openFolder: (workPath: string) => void;
  /** The folder (or a file's folder) selected in the file browser, relative to /work. */
  selectedFolder: () => string | undefined;
  /** Opens the service deploy form with a model version as the model. */
  deployModel?: (modelRef: string) => void;
}

/** Saves a blob as a download of the browser, named `fileName`. */
function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // After the click has handed the blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The Catalog section of the sidebar: the Datasets and Models tabs. */
export function createAssetsPanel(options: AssetsPanelOptions): Widget {
  const { connection, trans } = options;
  const confirmDelete = async (asset: Asset, version?: string): Promise<boolean> => {
    const shared = asset.readOnly;
    const result = await showDialog({
      title: version
        ? trans.__('Delete version')
        : shared
          ? trans.__('Remove shared asset')
          : kindLabels(asset.kind, trans).deleteTitle,
      body: version
        ? trans.__('Delete %1? Its files and its accelerated copy are removed.', `${asset.name}@${version}`)
        : shared
          ? trans.__('Remove %1 from your list? Its owner keeps it.', asset.name)
          : trans.__('Delete %1 with all its versions and shares? Those you shared it with lose it too.', asset.name),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: shared && !version ? trans.__('Remove') : trans.__('Delete') }),
      ],
    });
    return result.button.accept;
  };
  const panel = new AssetsPanel({
    model: new AssetsSectionModel(connection),
    actions: {
      connection,
      trans,
      openFolder: options.openFolder,
      saveFile,
      confirmDelete,
      selectedFolder: options.selectedFolder,
      ...(options.deployModel ? { deployModel: options.deployModel } : {}),
    },
  });
  panel.id = 'aiplat-assets-panel';
  return panel;
}
