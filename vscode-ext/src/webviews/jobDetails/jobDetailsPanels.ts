import { appendMetricPoints, type ApiClient, type JobDetail, type JobMetricsResponse } from '@aiplat/api';
import type * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { describeError } from '../../connection/errorMessage.js';
import { jobTitle } from '../../jobs/jobPresentation.js';
import { PLOT_STYLE } from '../charts/plotStyle.js';
import { escapeHtml, renderPage, type PageParts } from '../html.js';
import { KeyedPanels, LivePage } from '../livePanels.js';
import { jobLogSource, LogFollower } from '../../logs/logFollower.js';
import { jobDetailsStrings, jobSummary } from './jobDetailsStrings.js';
import { LossSeries } from './lossSeries.js';
import {
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
export class JobDetailsPanels extends KeyedPanels<JobDetailsPanel> {
  constructor(options: JobDetailsOptions) {
    super({
      viewType: JOB_DETAILS_VIEW_TYPE,
      extensionUri: options.extensionUri,
      client: options.client,
      retainContextWhenHidden: false,
      open: async (client, jobId) => {
        const job = await client.getJob({ params: { id: jobId } });
        return { key: job.id, title: jobTitle(job) };
      },
      keyOfState: (state) => parseJobDetailsState(state)?.jobId,
      create: (panel, jobId, onDispose) => new JobDetailsPanel(options, panel, jobId, onDispose),
    });
  }
}

/**
 * One job's page. It reads the job once the page said ready and the extension is connected (a
 * panel restored after a reload may be ready before the connection is), then follows it live.
 */
export class JobDetailsPanel extends LivePage<HostMessage, WebviewMessage> {
  private job: JobDetail | undefined;
  /** The points the page shows: one read of the history, then the job-metrics topic's. */
  private metrics: JobMetricsResponse | undefined;
  private reads = 0;
  /** Reads the job's logs for the loss it prints (the chart JupyterLab's job view has too). */
  private logs: LogFollower | undefined;
  private readonly loss = new LossSeries();
  private lossTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: MessageHandlers<WebviewMessage> = {
    ready: () => this.pageSaidReady(),
    refresh: () => this.refresh(),
    action: async (message) => {
      await this.options.runAction(message.action, this.jobId);
    },
  };

  constructor(
    private readonly options: JobDetailsOptions,
    panel: vscode.WebviewPanel,
    readonly jobId: string,
    onDispose: () => void,
  ) {
    super(
      {
        extensionUri: options.extensionUri,
        client: options.client,
        script: 'jobDetails.js',
        title: panel.title,
        render: renderJobDetailsHtml,
        parse: parseWebviewMessage,
      },
      panel,
      onDispose,
    );
    this.disposables.push(
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

  protected async load(client: ApiClient): Promise<void> {
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
  }

  private followLoss(client: ApiClient): void {
    if (this.logs) return;
    this.logs = new LogFollower({
      client,
      events: this.options.events,
      source: jobLogSource(this.jobId),
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

  protected override disposing(): void {
    if (this.lossTimer) clearTimeout(this.lossTimer);
    this.logs?.dispose();
  }
}

export function renderJobDetailsHtml(page: PageParts): string {
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
