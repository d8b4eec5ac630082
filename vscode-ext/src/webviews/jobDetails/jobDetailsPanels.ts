import { appendMetricPoints, type ApiClient, type JobDetail, type JobMetricsResponse } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { describeError } from '../../connection/errorMessage.js';
import { jobTitle } from '../../jobs/jobPresentation.js';
import { PLOT_STYLE } from '../charts/plotStyle.js';
import { createNonce, escapeHtml, renderPage } from '../html.js';
import { LogFollower } from '../../logs/logFollower.js';
import { jobDetailsStrings, jobSummary } from './jobDetailsStrings.js';
import { LossSeries } from './lossSeries.js';
import {
  dispatch,
  parseJobDetailsState,
  parseWebviewMessage,
  type HostMessage,
  type JobAction,
  type MessageHandlers,
  type WebviewMessage,
} from './protocol.js';

export const JOB_DETAILS_VIEW_TYPE = 'aiplat.jobDetails';
/** Points per instance the page gets from the live topic before the averaged history is read again. */
export const METRICS_POINTS_CAP = 600;
/** Loss curves are sent to the page at most this often while logs stream in. */
export const LOSS_POST_MS = 500;

export interface JobDetailsOptions {
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  events: EventSource;
  /** Runs a page button's action (the same commands as the Jobs view). */
  runAction: (action: JobAction, jobId: string) => Thenable<unknown>;
}

/** The job details webviews, one per job, each following its job live. */
export class JobDetailsPanels implements vscode.Disposable {
  private readonly open = new Map<string, JobDetailsPanel>();

  constructor(private readonly options: JobDetailsOptions) {}

  async show(jobId: string): Promise<JobDetailsPanel> {
    const existing = this.open.get(jobId);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const client = this.options.client();
    if (!client) throw new Error(vscode.l10n.t('Not connected to the AI Platform.'));
    const job = await client.getJob({ params: { id: jobId } });
    const panel = vscode.window.createWebviewPanel(JOB_DETAILS_VIEW_TYPE, jobTitle(job), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [scriptsFolder(this.options.extensionUri)],
      retainContextWhenHidden: false,
    });
    return this.adopt(panel, job.id);
  }

  /**
   * Rebuilds a panel VS Code kept over a window reload (the serializer's `deserializeWebviewPanel`)
   * for the job its page saved; a panel without a usable state, or for a job already shown, closes.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): JobDetailsPanel | undefined {
    const saved = parseJobDetailsState(state);
    if (!saved || this.open.has(saved.jobId)) {
      panel.dispose();
      return undefined;
    }
    return this.adopt(panel, saved.jobId);
  }

  get(jobId: string): JobDetailsPanel | undefined {
    return this.open.get(jobId);
  }

  private adopt(panel: vscode.WebviewPanel, jobId: string): JobDetailsPanel {
    const details = new JobDetailsPanel(this.options, panel, jobId, () => this.open.delete(jobId));
    this.open.set(jobId, details);
    return details;
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }
}

function scriptsFolder(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

/**
 * One job's page. It reads the job once the page said ready and the extension is connected (a
 * panel restored after a reload may be ready before the connection is), then follows it live.
 */
export class JobDetailsPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private job: JobDetail | undefined;
  /** The points the page shows: one read of the history, then the job-metrics topic's. */
  private metrics: JobMetricsResponse | undefined;
  /** The page answered the handshake. */
  private pageReady = false;
  /** The page has its `init`: later messages may follow. */
  private ready = false;
  private reads = 0;
  private disposed = false;
  private initializing: Promise<void> | undefined;
  /** Reads the job's logs for the loss it prints (the chart JupyterLab's job view has too). */
  private logs: LogFollower | undefined;
  private readonly loss = new LossSeries();
  private lossTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly handlers: MessageHandlers<WebviewMessage> = {
    ready: () => {
      this.pageReady = true;
      return this.sendInit();
    },
    refresh: () => this.refresh(),
    action: async (message) => {
      await this.options.runAction(message.action, this.jobId);
    },
  };

  constructor(
    private readonly options: JobDetailsOptions,
    readonly panel: vscode.WebviewPanel,
    readonly jobId: string,
    onDispose: () => void,
  ) {
    const scripts = scriptsFolder(options.extensionUri);
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    const scriptUri = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'jobDetails.js'));
    this.panel.webview.html = renderJobDetailsHtml({
      title: this.panel.title,
      scriptUri: scriptUri.toString(),
      cspSource: this.panel.webview.cspSource,
      nonce: createNonce(),
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (message) return dispatch(this.handlers, message);
        return undefined;
      }),
      this.panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
      options.events.subscribe(
        `jobs/${jobId}`,
        (event) => {
          if (event.kind !== 'jobs') return;
          if (event.data.change === 'deleted') void this.post({ type: 'deleted' });
          else void this.refresh();
        },
        // Connected (again): a page still waiting for its job gets it now; others re-read it.
        { onSubscribed: () => void (this.ready ? this.refresh() : this.sendInit()) },
      ),
      options.events.subscribe(`job-events/${jobId}`, (event) => {
        if (event.kind === 'job-events') void this.post({ type: 'event', event: event.data });
      }),
      // Points as the server samples them, instead of reading the history again and again.
      options.events.subscribe(`job-metrics/${jobId}`, (event) => {
        if (event.kind !== 'job-metrics' || !this.ready) return;
        const { metrics, overflow } = appendMetricPoints(this.metrics, event.data, METRICS_POINTS_CAP);
        if (overflow) return void this.refreshMetrics();
        this.metrics = metrics;
        void this.post({ type: 'metrics', metrics });
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Re-reads the job (state, progress, instances) and tells the page. */
  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client || !this.ready) return;
    const read = ++this.reads;
    try {
      const job = await client.getJob({ params: { id: this.jobId } });
      // Reads may finish out of order: only the newest one is shown.
      if (read !== this.reads) return;
      this.job = job;
      this.panel.title = jobTitle(job);
      await this.post({ type: 'job', job, summary: jobSummary(job) });
      await this.refreshMetrics();
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async refreshMetrics(): Promise<void> {
    const client = this.options.client();
    if (!this.ready || !client) return;
    try {
      const metrics = await client.jobMetrics({ params: { id: this.jobId }, query: { maxPoints: 300 } });
      this.metrics = metrics;
      await this.post({ type: 'metrics', metrics });
    } catch {
      // metrics are best effort; the next job change or sampled point brings them again
    }
  }

  /** Sends the page its job once (the handshake and a (re)connection may both ask at once). */
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
      const [job, events, metrics] = await Promise.all([
        client.getJob({ params: { id: this.jobId } }),
        client.jobEvents({ params: { id: this.jobId }, query: {} }),
        client.jobMetrics({ params: { id: this.jobId }, query: { maxPoints: 300 } }),
      ]);
      this.job = job;
      this.metrics = metrics;
      this.panel.title = jobTitle(job);
      this.ready = true;
      await this.post({
        type: 'init',
        job,
        summary: jobSummary(job),
        events: events.events,
        metrics,
        strings: jobDetailsStrings(),
      });
      this.followLoss(client);
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private followLoss(client: ApiClient): void {
    if (this.logs) return;
    this.logs = new LogFollower({
      client,
      events: this.options.events,
      jobId: this.jobId,
      onLines: (lines) => {
        if (!this.loss.add(lines) || this.lossTimer) return;
        this.lossTimer = setTimeout(() => {
          this.lossTimer = undefined;
          void this.post({ type: 'loss', series: this.loss.series() });
        }, LOSS_POST_MS);
      },
    });
    void this.logs.start();
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.disposed || (!this.ready && message.type !== 'error')) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.lossTimer) clearTimeout(this.lossTimer);
    this.logs?.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}

export function renderJobDetailsHtml(page: {
  title: string;
  scriptUri: string;
  cspSource: string;
  nonce: string;
}): string {
  return renderPage({
    ...page,
    style: `.summary td:first-child { font-weight: bold; }
${PLOT_STYLE}
.events li { margin: 2px 0; }`,
    body: `<h2 id="title">${escapeHtml(page.title)}</h2>
<div id="actions"></div><div id="error" class="error"></div>
<div id="root"></div>`,
  });
}
