import type { ApiClient } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { createNonce } from './html.js';
import { dispatch, type MessageHandlers } from './messages.js';

/*
 * What the job details and service pages share on the extension side: one panel per key (a job id,
 * a service name), shown again when asked twice and rebuilt from the page's saved state after a
 * window reload; and each page's skeleton (its script under dist/webviews with the CSP and a nonce,
 * messages checked then dispatched, the `ready` handshake before `init`, posts held until then).
 */

/** The folder the pages' scripts are bundled into. */
export function scriptsFolder(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

export interface KeyedPanel extends vscode.Disposable {
  reveal(): void;
}

export interface KeyedPanelsOptions<P extends KeyedPanel> {
  viewType: string;
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  retainContextWhenHidden: boolean;
  /** Reads what a new panel shows: its key as the server spells it and its title. */
  open(client: ApiClient, key: string): Promise<{ key: string; title: string }>;
  /** The key a restored panel's saved state names; undefined when the state is not usable. */
  keyOfState(state: unknown): string | undefined;
  create(panel: vscode.WebviewPanel, key: string, onDispose: () => void): P;
}

/** The open panels of one kind, one per key. */
export class KeyedPanels<P extends KeyedPanel> implements vscode.Disposable {
  private readonly open = new Map<string, P>();

  constructor(private readonly options: KeyedPanelsOptions<P>) {}

  async show(key: string): Promise<P> {
    const existing = this.open.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const client = this.options.client();
    if (!client) throw new Error(vscode.l10n.t('Not connected to the AI Platform.'));
    const opened = await this.options.open(client, key);
    const panel = vscode.window.createWebviewPanel(this.options.viewType, opened.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [scriptsFolder(this.options.extensionUri)],
      retainContextWhenHidden: this.options.retainContextWhenHidden,
    });
    return this.adopt(panel, opened.key);
  }

  /**
   * Rebuilds a panel VS Code kept over a window reload (the serializer's `deserializeWebviewPanel`)
   * for the key its page saved; a panel without a usable state, or for a key already shown, closes.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): P | undefined {
    const key = this.options.keyOfState(state);
    if (key === undefined || this.open.has(key)) {
      panel.dispose();
      return undefined;
    }
    return this.adopt(panel, key);
  }

  get(key: string): P | undefined {
    return this.open.get(key);
  }

  private adopt(panel: vscode.WebviewPanel, key: string): P {
    const page = this.options.create(panel, key, () => this.open.delete(key));
    this.open.set(key, page);
    return page;
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }
}

/** The messages every page takes from its host: at least an error line. */
export type PageHostMessage = { type: string } | { type: 'error'; message: string };

export interface LivePageOptions<W extends { type: string }> {
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  /** The page's script in dist/webviews, e.g. `service.js`. */
  script: string;
  title: string;
  render(page: { title: string; scriptUri: string; cspSource: string; nonce: string }): string;
  /** Checks what arrives from the page: undefined for anything that is not one of its messages. */
  parse(raw: unknown): W | undefined;
}

/**
 * One page's skeleton: `load` reads what the page shows once it said ready and the extension is
 * connected (a restored page may be ready first), then posts `init`; until then only errors reach
 * the page. A handler's failure is shown on the page.
 */
export abstract class LivePage<H extends PageHostMessage, W extends { type: string }> implements KeyedPanel {
  protected readonly disposables: vscode.Disposable[] = [];
  /** The page answered the handshake. */
  private pageReady = false;
  /** The page has its `init`: later messages may follow. */
  protected ready = false;
  protected disposed = false;
  private initializing: Promise<void> | undefined;
  protected abstract readonly handlers: MessageHandlers<W>;

  constructor(
    private readonly page: LivePageOptions<W>,
    readonly panel: vscode.WebviewPanel,
    onDispose: () => void,
  ) {
    const scripts = scriptsFolder(page.extensionUri);
    panel.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    const scriptUri = panel.webview.asWebviewUri(vscode.Uri.joinPath(scripts, page.script));
    panel.title = page.title;
    panel.webview.html = page.render({
      title: panel.title,
      scriptUri: scriptUri.toString(),
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        const message = page.parse(raw);
        if (!message) return;
        try {
          await dispatch(this.handlers, message);
        } catch (error) {
          await this.postError(describeError(error));
        }
      }),
      panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Reads what the page shows and posts its `init`, setting `ready` first. */
  protected abstract load(client: ApiClient): Promise<void>;

  /** The page's `ready` handshake. */
  protected pageSaidReady(): Promise<void> {
    this.pageReady = true;
    return this.sendInit();
  }

  /** Sends the page its `init` once (the handshake and a (re)connection may both ask at once). */
  protected sendInit(): Promise<void> {
    this.initializing ??= this.init().finally(() => (this.initializing = undefined));
    return this.initializing;
  }

  private async init(): Promise<void> {
    if (!this.pageReady || this.ready || this.disposed) return;
    const client = this.page.client();
    if (!client) {
      await this.postError(vscode.l10n.t('Not connected to the AI Platform.'));
      return;
    }
    try {
      await this.load(client);
    } catch (error) {
      await this.postError(describeError(error));
    }
  }

  protected async post(message: H): Promise<void> {
    if (this.disposed || (!this.ready && message.type !== 'error')) return;
    await this.panel.webview.postMessage(message);
  }

  protected async postError(message: string): Promise<void> {
    if (this.disposed) return;
    await this.panel.webview.postMessage({ type: 'error', message });
  }

  /** What the page holds beyond its disposables (timers, followers, calls in flight). */
  protected disposing(): void {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposing();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
