import { isTerminalJobState, type ApiClient, type JobDetail } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { describeError } from '../../connection/errorMessage.js';
import { jobTitle } from '../../jobs/jobPresentation.js';
import { BASE_STYLE, contentSecurityPolicy, createNonce, escapeHtml } from '../html.js';
import { jobDetailsStrings, jobSummary } from './jobDetailsStrings.js';
import {
  dispatch,
  parseWebviewMessage,
  type HostMessage,
  type JobAction,
  type MessageHandlers,
  type WebviewMessage,
} from './protocol.js';

export const JOB_DETAILS_VIEW_TYPE = 'aiplat.jobDetails';
export const METRICS_REFRESH_MS = 5000;

export interface JobDetailsOptions {
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  events: EventSource;
  /** Runs a page button's action (the same commands as the Jobs view). */
  runAction: (action: JobAction, jobId: string) => Thenable<unknown>;
  /** How often metrics are re-read while the job runs; 0 turns it off (tests). */
  metricsRefreshMs?: number;
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
    const panel = new JobDetailsPanel(this.options, client, job, () => this.open.delete(jobId));
    this.open.set(jobId, panel);
    return panel;
  }

  get(jobId: string): JobDetailsPanel | undefined {
    return this.open.get(jobId);
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }
}

export class JobDetailsPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private ready = false;
  private reads = 0;
  private disposed = false;

  private readonly handlers: MessageHandlers<WebviewMessage> = {
    ready: () => this.sendInit(),
    refresh: () => this.refresh(),
    action: async (message) => {
      await this.options.runAction(message.action, this.job.id);
    },
  };

  constructor(
    private readonly options: JobDetailsOptions,
    private readonly client: ApiClient,
    private job: JobDetail,
    onDispose: () => void,
  ) {
    const scripts = vscode.Uri.joinPath(options.extensionUri, 'dist', 'webviews');
    this.panel = vscode.window.createWebviewPanel(JOB_DETAILS_VIEW_TYPE, jobTitle(job), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [scripts],
      retainContextWhenHidden: false,
    });
    const scriptUri = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'jobDetails.js'));
    this.panel.webview.html = renderJobDetailsHtml({
      title: jobTitle(job),
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
        `jobs/${job.id}`,
        (event) => {
          if (event.kind !== 'jobs') return;
          if (event.data.change === 'deleted') void this.post({ type: 'deleted' });
          else void this.refresh();
        },
        { onSubscribed: () => void this.refresh() },
      ),
      options.events.subscribe(`job-events/${job.id}`, (event) => {
        if (event.kind === 'job-events') void this.post({ type: 'event', event: event.data });
      }),
    );
    const every = options.metricsRefreshMs ?? METRICS_REFRESH_MS;
    if (every > 0) this.timer = setInterval(() => void this.refreshMetrics(), every);
  }

  get jobId(): string {
    return this.job.id;
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Re-reads the job (state, progress, instances) and tells the page. */
  async refresh(): Promise<void> {
    const read = ++this.reads;
    try {
      const job = await this.client.getJob({ params: { id: this.job.id } });
      // Reads may finish out of order: only the newest one is shown.
      if (read !== this.reads) return;
      this.job = job;
      this.panel.title = jobTitle(this.job);
      await this.post({ type: 'job', job: this.job, summary: jobSummary(this.job) });
      await this.refreshMetrics();
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async refreshMetrics(): Promise<void> {
    if (!this.ready) return;
    try {
      const metrics = await this.client.jobMetrics({ params: { id: this.job.id }, query: { maxPoints: 300 } });
      await this.post({ type: 'metrics', metrics });
    } catch {
      // metrics are best effort; the next tick tries again
    }
    if (isTerminalJobState(this.job.state) && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async sendInit(): Promise<void> {
    try {
      const [job, events, metrics] = await Promise.all([
        this.client.getJob({ params: { id: this.job.id } }),
        this.client.jobEvents({ params: { id: this.job.id }, query: {} }),
        this.client.jobMetrics({ params: { id: this.job.id }, query: { maxPoints: 300 } }),
      ]);
      this.job = job;
      this.ready = true;
      await this.post({
        type: 'init',
        job,
        summary: jobSummary(job),
        events: events.events,
        metrics,
        strings: jobDetailsStrings(),
      });
    } catch (error) {
      await this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.disposed || (!this.ready && message.type !== 'error')) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
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
  const csp = contentSecurityPolicy({ nonce: page.nonce, cspSource: page.cspSource, scripts: true });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${page.nonce}">${BASE_STYLE}
.summary td:first-child { font-weight: bold; }
.chart { margin: 8px 0 16px; }
.chart-title { font-weight: bold; margin-bottom: 4px; }
.chart svg { background: var(--vscode-editorWidget-background); }
.chart polyline { fill: none; stroke-width: 1.5; }
.chart text { fill: var(--vscode-descriptionForeground); font-size: 10px; }
.chart line.grid { stroke: var(--vscode-panel-border); stroke-width: 0.5; }
.chart line.axis { stroke: var(--vscode-descriptionForeground); }
.chart .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin-top: 4px; }
.chart .legend-entry { display: inline-flex; align-items: center; gap: 4px; }
.chart .swatch line { stroke-width: 3; }
.events li { margin: 2px 0; }
</style>
<title>${escapeHtml(page.title)}</title></head>
<body><h2 id="title">${escapeHtml(page.title)}</h2>
<div id="actions"></div><div id="error" class="error"></div>
<div id="root"></div>
<script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body></html>`;
}
