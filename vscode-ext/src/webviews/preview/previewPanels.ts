import type { ApiClient } from '@aiplat/api';
import * as vscode from 'vscode';
import { createNonce } from '../html.js';
import { renderPreviewError, renderPreviewHtml } from './previewHtml.js';

export const PREVIEW_VIEW_TYPE = 'aiplat.preview';
/** Images larger than this are described, not shown (they travel as a data: URI). */
export const MAX_INLINE_IMAGE_BYTES = 8 * 1024 * 1024;

/** Told which paths have a preview open, to follow them (see `OpenFilesFollower`). */
export interface PreviewFollower {
  opened(path: string): void;
  closed(path: string): void;
}

/** One preview webview per /work path, revealed again when the same path is opened twice. */
export class PreviewPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly follower?: PreviewFollower) {}

  /** Reads an open preview again (its file changed on the server); a deleted file says so. */
  async reload(client: ApiClient, path: string): Promise<void> {
    const panel = this.panels.get(path);
    if (!panel) return;
    try {
      await this.show(client, path, undefined, { reveal: false });
    } catch (error) {
      panel.webview.html = renderPreviewError(path, error, panel.webview.cspSource);
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
        { enableScripts: false, localResourceRoots: [] },
      );
      this.panels.set(path, panel);
      this.follower?.opened(path);
      panel.onDidDispose(() => {
        this.panels.delete(path);
        this.follower?.closed(path);
      });
    }
    panel.webview.html = renderPreviewHtml({
      path,
      preview: answer,
      imageDataUri,
      nonce: createNonce(),
      cspSource: panel.webview.cspSource,
    });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}
