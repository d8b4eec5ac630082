import type { ApiClient } from '@aiplat/api';
import * as vscode from 'vscode';
import { createNonce } from '../html.js';
import { describeError } from '../../connection/errorMessage.js';
import { renderPreviewHtml, renderPreviewMessage } from './previewHtml.js';

export const PREVIEW_VIEW_TYPE = 'aiplat.preview';
/** Images larger than this are described, not shown (they travel as a data: URI). */
export const MAX_INLINE_IMAGE_BYTES = 8 * 1024 * 1024;

/** A one-line script only: the page saves its path so VS Code can restore it after a reload. */
const PANEL_OPTIONS: vscode.WebviewPanelOptions & vscode.WebviewOptions = {
  enableScripts: true,
  localResourceRoots: [],
};

function savedPath(state: unknown): string | undefined {
  const path = (state as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path.length > 0 && path.length <= 4096 ? path : undefined;
}

/** Told which paths have a preview open, to follow them (see `OpenFilesFollower`). */
export interface PreviewFollower {
  opened(path: string): void;
  closed(path: string): void;
}

/** One preview webview per /work path, revealed again when the same path is opened twice. */
export class PreviewPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** Previews restored after a reload that wait for a connection. */
  private readonly restored = new Set<string>();

  constructor(private readonly follower?: PreviewFollower) {}

  /** Reads an open preview again (its file changed on the server); a deleted file says so. */
  async reload(client: ApiClient, path: string): Promise<void> {
    const panel = this.panels.get(path);
    if (!panel) return;
    try {
      await this.show(client, path, undefined, { reveal: false });
    } catch (error) {
      const message = vscode.l10n.t('Cannot show this file any more: {0}', describeError(error));
      panel.webview.html = renderPreviewMessage(path, message, panel.webview.cspSource);
    }
  }

  async show(
    client: ApiClient,
    path: string,
    preview?: Awaited<ReturnType<ApiClient['previewFile']>>,
    options: { reveal?: boolean } = {},
  ): Promise<void> {
    const answer = preview ?? (await client.previewFile({ query: { path } }));
    let imageDataUri: string | undefined;
    if (answer.kind === 'image' && answer.size <= MAX_INLINE_IMAGE_BYTES) {
      const response = await client.downloadFile({ query: { path } });
      const bytes = Buffer.from(await response.arrayBuffer());
      imageDataUri = `data:${answer.mimeType};base64,${bytes.toString('base64')}`;
    }
    let panel = this.panels.get(path);
    if (panel) {
      if (options.reveal ?? true) panel.reveal();
    } else {
      panel = vscode.window.createWebviewPanel(
        PREVIEW_VIEW_TYPE,
        path.split('/').pop() || path,
        vscode.ViewColumn.Active,
        PANEL_OPTIONS,
      );
      this.adopt(path, panel);
    }
    panel.webview.html = renderPreviewHtml({
      path,
      preview: answer,
      imageDataUri,
      nonce: createNonce(),
      cspSource: panel.webview.cspSource,
    });
  }

  /**
   * Takes back a preview VS Code restored after a window reload, for the path its page saved; it
   * is read again once `client()` gives a client (now, or from `reloadRestored` when connected).
   */
  restore(panel: vscode.WebviewPanel, state: unknown, client: ApiClient | undefined): void {
    const path = savedPath(state);
    if (!path || this.panels.has(path)) {
      panel.dispose();
      return;
    }
    panel.webview.options = PANEL_OPTIONS;
    this.adopt(path, panel);
    this.restored.add(path);
    const waiting = vscode.l10n.t('Not connected to the AI Platform.');
    panel.webview.html = renderPreviewMessage(path, waiting, panel.webview.cspSource);
    if (client) void this.reloadRestored(client);
  }

  /** Reads the restored previews still waiting for a connection. */
  async reloadRestored(client: ApiClient): Promise<void> {
    const waiting = [...this.restored];
    this.restored.clear();
    await Promise.all(waiting.map((path) => this.reload(client, path)));
  }

  private adopt(path: string, panel: vscode.WebviewPanel): void {
    this.panels.set(path, panel);
    this.follower?.opened(path);
    panel.onDidDispose(() => {
      this.panels.delete(path);
      this.restored.delete(path);
      this.follower?.closed(path);
    });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}
