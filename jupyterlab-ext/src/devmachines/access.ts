import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../tokens.js';
import { GitCredentialListModel } from './model/gitCredentialListModel.js';
import { SshKeyListModel } from './model/sshKeyListModel.js';
import { GitCredentialsPanel } from './views/GitCredentialsPanel.js';
import { SshKeysPanel } from './views/SshKeysPanel.js';

export interface AccessViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area and shows it. */
  openInMain: (widget: Widget) => void;
}

/** Asks before a removal; true to go ahead. */
async function confirm(trans: TranslationBundle, title: string, body: string, button: string): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: button })],
  });
  return result.button.accept;
}

/** The managers open, shown again rather than opened twice. */
let sshKeys: Widget | undefined;
let gitCredentials: Widget | undefined;

/** Opens the manager of the user's SSH public keys in the main area (shows it again when it is open). */
export function openSshKeys(options: AccessViewOptions): Widget {
  if (sshKeys && !sshKeys.isDisposed) {
    options.openInMain(sshKeys);
    return sshKeys;
  }
  const { connection, trans } = options;
  const content = new SshKeysPanel({
    model: new SshKeyListModel(connection),
    connection,
    trans,
    confirmDelete: (key) =>
      confirm(
        trans,
        trans.__('Remove SSH key'),
        trans.__('Remove %1? It no longer opens your dev machines from their next start.', key.name),
        trans.__('Remove'),
      ),
  });
  const widget = new MainAreaWidget({ content });
  widget.id = 'aiplat-sshkeys';
  widget.title.label = trans.__('SSH keys');
  widget.title.closable = true;
  sshKeys = widget;
  options.openInMain(widget);
  return widget;
}

/** Opens the manager of the user's Git credentials in the main area (shows it again when it is open). */
export function openGitCredentials(options: AccessViewOptions): Widget {
  if (gitCredentials && !gitCredentials.isDisposed) {
    options.openInMain(gitCredentials);
    return gitCredentials;
  }
  const { connection, trans } = options;
  const content = new GitCredentialsPanel({
    model: new GitCredentialListModel(connection),
    connection,
    trans,
    confirmDelete: (credential) =>
      confirm(trans, trans.__('Delete Git credential'), trans.__('Delete %1?', credential.name), trans.__('Delete')),
  });
  const widget = new MainAreaWidget({ content });
  widget.id = 'aiplat-gitcredentials';
  widget.title.label = trans.__('Git credentials');
  widget.title.closable = true;
  gitCredentials = widget;
  options.openInMain(widget);
  return widget;
}
