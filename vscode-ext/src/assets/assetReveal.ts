import type { RootInfo } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';

/** A folder under /work as the API takes it: relative, without a leading `/work/`. */
export function workRelative(value: string): string {
  return value
    .trim()
    .replace(/^\/work(\/|$)/, '')
    .replace(/^\/+|\/+$/g, '');
}

/**
 * Where a /work path is on this machine: VS Code in the platform (code-server) sees each root at its
 * display path (`home/x` at `/work/home/x`, or wherever the server says). Undefined for a path
 * under no root.
 */
export function localPathOf(workPath: string, roots: readonly RootInfo[]): string | undefined {
  const [first, ...rest] = workPath.split('/');
  const root = roots.find((r) => r.name === first);
  if (!root) return undefined;
  const base = root.displayPath.replace(/\/+$/, '');
  return rest.length > 0 ? `${base}/${rest.join('/')}` : base;
}

/**
 * Open Version in Explorer: a folder inside the open workspace is revealed in the Explorer; one
 * outside it can be added to the workspace, opened in a new window, or its path copied.
 */
export async function revealWorkPath(connection: ConnectionService, workPath: string): Promise<void> {
  const state = connection.state;
  const roots = state.status === 'connected' ? state.info.roots : [];
  const local = localPathOf(workPath, roots) ?? `/work/${workPath}`;
  const uri = vscode.Uri.file(local);
  if (vscode.workspace.getWorkspaceFolder(uri)) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return;
  }
  const add = vscode.l10n.t('Add to Workspace');
  const open = vscode.l10n.t('Open in New Window');
  const copy = vscode.l10n.t('Copy Path');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is outside the folders open here.', local),
    add,
    open,
    copy,
  );
  if (answer === add) {
    const at = vscode.workspace.workspaceFolders?.length ?? 0;
    vscode.workspace.updateWorkspaceFolders(at, 0, { uri });
  } else if (answer === open) {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  } else if (answer === copy) {
    await vscode.env.clipboard.writeText(local);
  }
}
