import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';

/** Read-only documents of /work files: `aiplat-work:/home/alice/train.py`. */
export const WORK_SCHEME = 'aiplat-work';

/** Bytes of a text file shown in an editor at most (the preview route's own bound). */
export const TEXT_PREVIEW_MAX_BYTES = 1024 * 1024;

export function workUri(path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: WORK_SCHEME, path: `/${path}` });
}

export function pathOfWorkUri(uri: vscode.Uri): string {
  return uri.path.replace(/^\/+/, '');
}

export interface TextSource {
  /** The text of a /work file (truncated at `TEXT_PREVIEW_MAX_BYTES`). */
  readText(path: string): Promise<{ content: string; truncated: boolean }>;
}

/**
 * Serves `aiplat-work:` documents from the preview route: the editor is read-only (a content
 * provider's documents always are), so nothing is written back to /work by accident.
 */
export class WorkContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly source: TextSource) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    try {
      const { content, truncated } = await this.source.readText(pathOfWorkUri(uri));
      if (!truncated) return content;
      return `${content}\n\n${vscode.l10n.t('[… truncated: only the first {0} bytes are shown]', TEXT_PREVIEW_MAX_BYTES)}`;
    } catch (error) {
      return vscode.l10n.t('Cannot read /work/{0}: {1}', pathOfWorkUri(uri), describeError(error));
    }
  }

  /** Re-reads an open document. */
  reload(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
