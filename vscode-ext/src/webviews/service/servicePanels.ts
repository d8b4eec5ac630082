import {
  appKeySignature,
  sendTestRequest,
  servicePathUrl,
  signedCurlCommand,
  streamChat,
  testRequestProblem,
  type ApiClient,
  type AppKey,
  type Service,
  type ServiceMetricPoint,
} from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { describeError } from '../../connection/errorMessage.js';
import { PLOT_STYLE } from '../charts/plotStyle.js';
import { createNonce, escapeHtml, renderPage } from '../html.js';
import { addPoint } from './serviceCharts.js';
import { serviceStrings, serviceSummary } from './serviceStrings.js';
import {
  dispatch,
  parseServicePageState,
  parseWebviewMessage,
  type HostMessage,
  type MessageHandlers,
  type ServiceAction,
  type WebviewMessage,
} from './protocol.js';

export const SERVICE_VIEW_TYPE = 'aiplat.service';
/** Bucket width of the charts, seconds (the gateway's own). */
export const METRICS_STEP_SECONDS = 10;

export interface ServicePanelsOptions {
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  events: EventSource;
  /** The connected server's URL and token: the page's calls go through the gateway as the user. */
  serverUrl: () => string;
  token: () => PromiseLike<string | undefined>;
  /** Runs a page button's action (the same commands as the Services view). */
  runAction: (action: ServiceAction, name: string) => Thenable<unknown>;
  /** For tests: the fetch of the gateway calls and the clipboard. */
  fetch?: typeof fetch;
  writeClipboard?: (text: string) => Thenable<void>;
}

/** The service pages, one per service, each following its service live. */
export class ServicePanels implements vscode.Disposable {
  private readonly open = new Map<string, ServicePanel>();

  constructor(private readonly options: ServicePanelsOptions) {}

  async show(name: string): Promise<ServicePanel> {
    const existing = this.open.get(name);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const client = this.options.client();
    if (!client) throw new Error(vscode.l10n.t('Not connected to the AI Platform.'));
    const service = await client.getService({ params: { name } });
    const panel = vscode.window.createWebviewPanel(
      SERVICE_VIEW_TYPE,
      panelTitle(service.name),
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [scriptsFolder(this.options.extensionUri)],
        retainContextWhenHidden: true,
      },
    );
    return this.adopt(panel, service.name);
  }

  /**
   * Rebuilds a panel VS Code kept over a window reload (the serializer) for the service its page
   * saved; a panel without a usable state, or for a service already shown, closes.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): ServicePanel | undefined {
    const saved = parseServicePageState(state);
    if (!saved || this.open.has(saved.name)) {
      panel.dispose();
      return undefined;
    }
    return this.adopt(panel, saved.name);
  }

  get(name: string): ServicePanel | undefined {
    return this.open.get(name);
  }

  private adopt(panel: vscode.WebviewPanel, name: string): ServicePanel {
    const page = new ServicePanel(this.options, panel, name, () => this.open.delete(name));
    this.open.set(name, page);
    return page;
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }
}

function scriptsFolder(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

function panelTitle(name: string): string {
  return vscode.l10n.t('Service: {0}', name);
}

/**
 * One service's page. It reads the service once the page said ready and the extension is
 * connected (a restored page may be ready first), then follows it on `services/<name>` and its
 * traffic on `service-metrics/<name>`. Keys, test calls and chats are the host's: the page asks.
 */
export class ServicePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private service: Service | undefined;
  private points: ServiceMetricPoint[] = [];
  private pageReady = false;
  private ready = false;
  private reads = 0;
  private disposed = false;
  private initializing: Promise<void> | undefined;
  private readonly chats = new Map<string, AbortController>();

  private readonly handlers: MessageHandlers<WebviewMessage> = {
    ready: () => {
      this.pageReady = true;
      return this.sendInit();
    },
    refresh: () => this.refresh(),
    action: async ({ action }) => {
      await this.options.runAction(action, this.name);
    },
    createToken: (m) =>
      this.withClient(async (client) => {
        const created = await client.createServiceToken({
          params: { name: this.name },
          body: {
            ...(m.description ? { description: m.description } : {}),
            ...(m.tokensPerMinute ? { tokensPerMinute: m.tokensPerMinute } : {}),
            ...(m.tokensPerDay ? { tokensPerDay: m.tokensPerDay } : {}),
          },
        });
        await this.post({ type: 'secret', secret: { kind: 'token', id: created.id, secret: created.token } });
        await this.sendTokens(client);
      }),
    setTokenEnabled: (m) =>
      this.withClient(async (client) => {
        await client.updateServiceToken({ params: { name: this.name, id: m.id }, body: { enabled: m.enabled } });
        await this.sendTokens(client);
      }),
    deleteToken: (m) =>
      this.withClient(async (client) => {
        if (!(await confirmDelete(vscode.l10n.t('Delete token {0}? Callers using it get 401.', m.id)))) return;
        await client.deleteServiceToken({ params: { name: this.name, id: m.id } });
        await this.sendTokens(client);
      }),
    createAppKey: (m) =>
      this.withClient(async (client) => {
        const created = await client.createAppKey({
          body: { services: [this.name], ...(m.description ? { description: m.description } : {}) },
        });
        await this.post({ type: 'secret', secret: { kind: 'appKey', id: created.appKey, secret: created.appSecret } });
        await this.sendAppKeys(client);
      }),
    setAppKeyEnabled: (m) =>
      this.withClient(async (client) => {
        await client.updateAppKey({ params: { appKey: m.appKey }, body: { enabled: m.enabled } });
        await this.sendAppKeys(client);
      }),
    deleteAppKey: (m) =>
      this.withClient(async (client) => {
        const question = vscode.l10n.t('Delete AppKey {0}? Every service it is bound to refuses it.', m.appKey);
        if (!(await confirmDelete(question))) return;
        await client.deleteAppKey({ params: { appKey: m.appKey } });
        await this.sendAppKeys(client);
      }),
    signCurl: async (m) => {
      if (!this.service) return;
      // The secret lives in this call only: it signs and is dropped.
      const timestamp = String(Date.now());
      const sign = await appKeySignature(m.appKey, m.appSecret, timestamp);
      const url = servicePathUrl(serviceSummary(this.service, this.options.serverUrl()).url, pathOf(m.path));
      const body = m.body?.trim() ? m.body : undefined;
      await this.post({
        type: 'curl',
        command: signedCurlCommand({ url, appKey: m.appKey, timestamp, sign, ...(body ? { body } : {}) }),
      });
    },
    copy: async (m) => {
      await (this.options.writeClipboard ?? ((text: string) => vscode.env.clipboard.writeText(text)))(m.text);
    },
    testRequest: async (m) => {
      if (!this.service) return;
      const problem = testRequestProblem(m);
      if (problem) {
        const strings = serviceStrings();
        const messages = { path: strings.badPath, json: strings.badJson, bodyWithGet: strings.bodyWithGet };
        await this.post({ type: 'error', message: messages[problem] });
        return;
      }
      try {
        const response = await sendTestRequest(this.url(), await this.options.token(), m, {
          ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        });
        await this.post({ type: 'testResponse', response });
      } catch (error) {
        await this.post({ type: 'error', message: describeError(error) });
      }
    },
    chat: async (m) => {
      if (!this.service) return;
      const abort = new AbortController();
      this.chats.set(m.id, abort);
      try {
        const result = await streamChat({
          serviceUrl: this.url(),
          token: await this.options.token(),
          messages: m.messages,
          ...(m.model ? { model: m.model } : {}),
          signal: abort.signal,
          ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
          onDelta: (text) => void this.post({ type: 'chatDelta', id: m.id, text }),
        });
        await this.post({ type: 'chatDone', id: m.id, ...(result.usage ? { usage: result.usage } : {}) });
      } catch (error) {
        if (abort.signal.aborted) await this.post({ type: 'chatDone', id: m.id });
        else await this.post({ type: 'chatError', id: m.id, message: describeError(error) });
      } finally {
        this.chats.delete(m.id);
      }
    },
    stopChat: (m) => {
      this.chats.get(m.id)?.abort();
    },
  };

  constructor(
    private readonly options: ServicePanelsOptions,
    readonly panel: vscode.WebviewPanel,
    readonly name: string,
    onDispose: () => void,
  ) {
    const scripts = scriptsFolder(options.extensionUri);
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    const scriptUri = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'service.js'));
    this.panel.title = panelTitle(name);
    this.panel.webview.html = renderServiceHtml({
      title: this.panel.title,
      scriptUri: scriptUri.toString(),
      cspSource: this.panel.webview.cspSource,
      nonce: createNonce(),
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) return;
        try {
          await dispatch(this.handlers, message);
        } catch (error) {
          await this.post({ type: 'error', message: describeError(error) });
        }
      }),
      this.panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
      options.events.subscribe(
        `services/${name}`,
        (event) => {
          if (event.kind !== 'services') return;
          if (event.data.change === 'deleted') void this.post({ type: 'deleted' });
          else void this.refresh();
        },
        // Connected (again): a page still waiting gets its service now; others re-read it.
        { onSubscribed: () => void (this.ready ? this.refresh() : this.sendInit()) },
      ),
      options.events.subscribe(`service-metrics/${name}`, (event) => {
        if (event.kind !== 'service-metrics' || !this.ready) return;
        this.points = addPoint(this.points, event.data.point);
        void this.post({ type: 'metricPoint', point: event.data.point });
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** The service's full URL, ending with `/`. */
  private url(): string {
    return this.service ? serviceSummary(this.service, this.options.serverUrl()).url : '';
  }

  /** Re-reads the service (state, versions, replicas) and its events, and tells the page. */
  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client || !this.ready) return;
    const read = ++this.reads;
    try {
      const [service, events] = await Promise.all([
        client.getService({ params: { name: this.name } }),
        client.serviceEvents({ params: { name: this.name } }),
      ]);
      if (read !== this.reads) return;
      this.service = service;
      await this.post({
        type: 'service',
        service,
        summary: serviceSummary(service, this.options.serverUrl()),
        events: events.events,
      });
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  /** Sends the page its service once (the handshake and a (re)connection may both ask at once). */
  private sendInit(): Promise<void> {
    this.initializing ??= this.init().finally(() => (this.initializing = undefined));
    return this.initializing;
  }

  private async init(): Promise<void> {
    if (!this.pageReady || this.ready || this.disposed) return;
    const client = this.options.client();
    if (!client) {
      await this.post({ type: 'error', message: vscode.l10n.t('Not connected to the AI Platform.') });
      return;
    }
    try {
      const name = this.name;
      const [service, events, metrics, tokens, appKeys] = await Promise.all([
        client.getService({ params: { name } }),
        client.serviceEvents({ params: { name } }),
        client.serviceMetrics({ params: { name }, query: { step: METRICS_STEP_SECONDS } }),
        client.listServiceTokens({ params: { name } }),
        client.listAppKeys(),
      ]);
      this.service = service;
      this.points = metrics.points;
      this.ready = true;
      await this.post({
        type: 'init',
        service,
        summary: serviceSummary(service, this.options.serverUrl()),
        events: events.events,
        points: metrics.points,
        tokens: tokens.tokens,
        appKeys: boundTo(appKeys.appKeys, name),
        strings: serviceStrings(),
      });
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async withClient(run: (client: ApiClient) => Promise<void>): Promise<void> {
    const client = this.options.client();
    if (!client) {
      await this.post({ type: 'error', message: vscode.l10n.t('Not connected to the AI Platform.') });
      return;
    }
    try {
      await run(client);
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async sendTokens(client: ApiClient): Promise<void> {
    const { tokens } = await client.listServiceTokens({ params: { name: this.name } });
    await this.post({ type: 'tokens', tokens });
  }

  private async sendAppKeys(client: ApiClient): Promise<void> {
    const { appKeys } = await client.listAppKeys();
    await this.post({ type: 'appKeys', appKeys: boundTo(appKeys, this.name) });
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.disposed || (!this.ready && message.type !== 'error')) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const chat of this.chats.values()) chat.abort();
    this.chats.clear();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}

/** The AppKeys that may call this service. */
function boundTo(appKeys: AppKey[], name: string): AppKey[] {
  return appKeys.filter((key) => key.services.includes(name));
}

/** A path as typed, made to start with `/`. */
function pathOf(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

async function confirmDelete(question: string): Promise<boolean> {
  const confirm = vscode.l10n.t('Delete');
  return (await vscode.window.showWarningMessage(question, { modal: true }, confirm)) === confirm;
}

export function renderServiceHtml(page: {
  title: string;
  scriptUri: string;
  cspSource: string;
  nonce: string;
}): string {
  return renderPage({
    ...page,
    style: `${PLOT_STYLE}
.summary td:first-child { font-weight: bold; }
section { margin: 12px 0 20px; }
.secret { border: 1px solid var(--vscode-inputValidation-warningBorder); padding: 6px 8px; margin: 6px 0; }
.secret code, pre.curl { user-select: all; }
input, select, textarea { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 4px; font-family: inherit; }
textarea { width: 100%; max-width: 60em; font-family: var(--vscode-editor-font-family); }
.row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.chat-log { max-width: 60em; }
.chat-log .turn { margin: 6px 0; white-space: pre-wrap; }
.chat-log .who { font-weight: bold; margin-right: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 0 24px; }`,
    body: `<h2 id="title">${escapeHtml(page.title)}</h2>
<div id="actions"></div><div id="error" class="error"></div>
<div id="root"></div>`,
  });
}
