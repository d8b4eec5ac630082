import type { ApiClient, Service, ServiceMetricPoint } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { describeError } from '../../connection/errorMessage.js';
import { KeyedPanels, LivePage } from '../livePanels.js';
import {
  parseServicePageState,
  parseWebviewMessage,
  type HostMessage,
  type MessageHandlers,
  type ServiceAction,
  type WebviewMessage,
} from './protocol.js';
import { addPoint } from './serviceCharts.js';
import { METRICS_STEP_SECONDS } from './serviceCharts.js';
import { renderServiceHtml } from './serviceHtml.js';
import { boundTo, callHandlers, keyHandlers, type ServicePageContext } from './servicePageHandlers.js';
import { serviceStrings, serviceSummary } from './serviceStrings.js';

export const SERVICE_VIEW_TYPE = 'aiplat.service';

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
export class ServicePanels extends KeyedPanels<ServicePanel> {
  constructor(options: ServicePanelsOptions) {
    super({
      viewType: SERVICE_VIEW_TYPE,
      extensionUri: options.extensionUri,
      client: options.client,
      retainContextWhenHidden: true,
      open: async (client, name) => {
        const service = await client.getService({ params: { name } });
        return { key: service.name, title: panelTitle(service.name) };
      },
      keyOfState: (state) => parseServicePageState(state)?.name,
      create: (panel, name, onDispose) => new ServicePanel(options, panel, name, onDispose),
    });
  }
}

function panelTitle(name: string): string {
  return vscode.l10n.t('Service: {0}', name);
}

/**
 * One service's page. It reads the service once the page said ready and the extension is
 * connected (a restored page may be ready first), then follows it on `services/<name>` and its
 * traffic on `service-metrics/<name>`. Keys, test calls and chats are the host's: the page asks.
 */
export class ServicePanel extends LivePage<HostMessage, WebviewMessage> {
  private service: Service | undefined;
  private points: ServiceMetricPoint[] = [];
  private reads = 0;
  private readonly calls: ReturnType<typeof callHandlers>;

  protected readonly handlers: MessageHandlers<WebviewMessage>;

  constructor(
    private readonly options: ServicePanelsOptions,
    panel: vscode.WebviewPanel,
    readonly name: string,
    onDispose: () => void,
  ) {
    super(
      {
        extensionUri: options.extensionUri,
        client: options.client,
        script: 'service.js',
        title: panelTitle(name),
        render: renderServiceHtml,
        parse: parseWebviewMessage,
      },
      panel,
      onDispose,
    );
    const context: ServicePageContext = {
      name,
      service: () => this.service,
      serverUrl: options.serverUrl,
      token: options.token,
      post: (message) => this.post(message),
      withClient: (run) => this.withClient(run),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.writeClipboard ? { writeClipboard: options.writeClipboard } : {}),
    };
    this.calls = callHandlers(context);
    const { dispose: _dispose, ...calls } = this.calls;
    this.handlers = {
      ready: () => this.pageSaidReady(),
      refresh: () => this.refresh(),
      action: async ({ action }) => {
        await this.options.runAction(action, this.name);
      },
      ...keyHandlers(context),
      ...calls,
    };
    this.disposables.push(
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

  protected async load(client: ApiClient): Promise<void> {
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

  protected override disposing(): void {
    this.calls.dispose();
  }
}
