import * as vscode from 'vscode';
import { encodedSizeText, LIFECYCLE_SCHEME, parseScriptPath, scriptTooLong } from './lifecycleScripts.js';

/**
 * The size of the lifecycle script being edited, once base64-encoded, against the API's limit:
 * "on-start.sh: 1,234 / 16,384 characters encoded", updated as the user types, in the error colour
 * when a save would be refused. Hidden for any other document.
 */
export class ScriptSizeStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private readonly watches: vscode.Disposable[];

  constructor() {
    this.item.name = vscode.l10n.t('Lifecycle script size');
    this.watches = [
      vscode.window.onDidChangeActiveTextEditor((editor) => this.update(editor?.document)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.update(event.document);
      }),
    ];
    this.update(vscode.window.activeTextEditor?.document);
  }

  /** Shows the size of `document` when it is a lifecycle script, hides the item otherwise. */
  update(document: { uri: { scheme: string; path: string }; getText(): string } | undefined): void {
    const at = document?.uri.scheme === LIFECYCLE_SCHEME ? parseScriptPath(document.uri.path) : undefined;
    if (!document || at?.kind !== 'script') {
      this.item.hide();
      return;
    }
    const text = document.getText();
    const tooLong = scriptTooLong(at.field, text);
    this.item.text = `$(file-code) ${encodedSizeText(at.field, text)}`;
    this.item.tooltip =
      tooLong ??
      vscode.l10n.t('Lifecycle scripts are saved base64-encoded; the platform takes at most 16,384 characters each.');
    this.item.backgroundColor = tooLong ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const watch of this.watches) watch.dispose();
    this.item.dispose();
  }
}
