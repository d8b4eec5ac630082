import type { Asset } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IConnectionModel } from '../../tokens.js';

/** What the Catalog section's views need from JupyterLab (its wiring gives them). */
export interface AssetActions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Shows a folder (relative to /work, as the API names it) in JupyterLab's file browser. */
  openFolder: (workPath: string) => void;
  /** Saves a downloaded file on the user's computer. */
  saveFile: (blob: Blob, fileName: string) => void;
  /** Asks before deleting an asset (or removing a shared one from the list), or one version of it. */
  confirmDelete: (asset: Asset, version?: string) => Promise<boolean>;
  /** The folder selected in the file browser (relative to /work), to prefill an import's folder. */
  selectedFolder: () => string | undefined;
  /** Opens the service deploy form with a model version (`name@v1`) as the model. */
  deployModel?: (modelRef: string) => void;
}
