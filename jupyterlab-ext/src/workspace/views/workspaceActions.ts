import type { TranslationBundle } from '@jupyterlab/translation';
import type { WorkspaceError } from '../model/workspaceError.js';

/** What the views can do with a path (an API path, e.g. `home/a.ipynb`); built once by the view factory. */
export interface WorkspaceActions {
  readonly trans: TranslationBundle;
  /** Previews the path in the preview pane; a dataset folder through its first data file. */
  select(path: string, options?: { dataset?: { format: string } }): void;
  /** The path shown or being loaded in the preview pane. */
  selected(): string | undefined;
  /** Why nothing can be uploaded into `folder` (a read-only root), or undefined when it can. */
  uploadRefusal(folder: string): string | undefined;
  /** Opens a notebook or text file in JupyterLab's main area. */
  open(path: string): void;
  copyPath(path: string): void;
  insertPath(path: string): void;
  /** Charts the scalars of the TensorBoard event files under a folder (a TensorBoard view). */
  openTensorBoard(path: string): void;
  /** Opens the deploy form of a service for a model folder; absent where services are not wired. */
  deployService?(path: string): void;
  /** `/work/home/a.csv` for `home/a.csv`, as the user writes it in code. */
  displayPath(path: string): string;
}

/** A model's error as the panel says it: the server's own message, or why there is no answer. */
export function errorText(error: WorkspaceError, trans: TranslationBundle): string {
  switch (error.code) {
    case 'not_connected':
      return trans.__('Not connected to the AI Platform server.');
    case 'network':
      return trans.__('Cannot reach the AI Platform server.');
    case 'unauthorized':
      return trans.__('The server refused the access token.');
    default:
      return error.message;
  }
}
