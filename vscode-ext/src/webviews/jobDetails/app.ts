/// <reference lib="dom" />
/*
 * The job details page, running inside the webview (bundled separately into
 * dist/webviews/jobDetails.js). It renders what the extension posts and asks the extension to act;
 * it never talks to the server. Plain DOM and SVG: no framework, no chart library.
 */
import type { JobDetail, JobEvent, JobMetricsResponse } from '@aiplat/api';
import { METRIC_KINDS, metricSeries, type ChartKind, type ChartSeries } from './chartLayout.js';
import { renderChart } from './chartView.js';
import {
  JOB_ACTIONS,
  type HostMessage,
  type JobDetailsState,
  type JobDetailsStrings,
  type JobSummary,
  type MessageHandlers,
  type WebviewMessage,
} from './protocol.js';
import { el, showError, table } from '../dom.js';
import { connectPage } from '../pageHost.js';

const host = connectPage<WebviewMessage, JobDetailsState>();
const send = host.send;

interface PageState {
  job: JobDetail;
  summary: JobSummary;
  events: JobEvent[];
  metrics: JobMetricsResponse;
  loss: ChartSeries[];
  strings: JobDetailsStrings;
  deleted: boolean;
}

let state: PageState | undefined;

function render(): void {
  const root = document.getElementById('root');
  const actions = document.getElementById('actions');
  if (!root || !actions || !state) return;
  const { job, summary, strings, metrics } = state;
  actions.replaceChildren();
  for (const action of JOB_ACTIONS) {
    const button = el('button', strings.actions[action]);
    button.dataset.action = action;
    if (action === 'forceStop') button.title = strings.forceStopHint;
    button.disabled = state.deleted || !summary.actions.includes(action);
    button.addEventListener('click', () => send({ type: 'action', action }));
    actions.append(button);
  }
  const rows: string[][] = [[strings.state, summary.stateLabel]];
  if (summary.progressText) rows.push([strings.progress, summary.progressText]);
  if (summary.etaText) rows.push([strings.eta, summary.etaText]);
  rows.push([strings.created, new Date(job.createdAt).toLocaleString()]);
  if (job.startedAt) rows.push([strings.started, new Date(job.startedAt).toLocaleString()]);
  if (job.finishedAt) rows.push([strings.finished, new Date(job.finishedAt).toLocaleString()]);
  if (job.reason) rows.push([strings.reason, job.reason.message]);
  if (job.state === 'Queued' && job.queuePosition !== undefined) {
    rows.push([strings.queuePosition, `#${job.queuePosition}`]);
  }
  if (job.waitReason) rows.push([strings.waiting, job.waitReason.message]);
  const children: Node[] = [];
  if (state.deleted) children.push(el('p', strings.deleted, 'error'));
  children.push(table([], rows, 'summary'));

  children.push(el('h3', strings.overview));
  children.push(
    table(
      [],
      summary.overview.map((row) => [row.label, row.value]),
      'overview',
    ),
  );

  children.push(el('h3', strings.instances));
  children.push(
    table(
      [strings.instanceName, strings.instanceState, strings.host, strings.exitCode],
      job.instances.map((i) => [
        i.name,
        strings.instanceStates[i.state],
        i.pod ?? i.host ?? '',
        i.exitCode !== undefined ? String(i.exitCode) : (i.signal ?? ''),
      ]),
      'instances',
    ),
  );

  children.push(el('h3', strings.metrics));
  const name = (index: number) => job.instances.find((i) => i.index === index)?.name ?? `#${index}`;
  const charts: { kind: ChartKind; series: ChartSeries[] }[] = METRIC_KINDS.map((kind) => ({
    kind,
    series: metricSeries(metrics, kind),
  })).filter((c) => c.series.length > 0);
  if (state.loss.length > 0) charts.push({ kind: 'loss', series: state.loss });
  if (charts.length === 0) children.push(el('p', strings.noMetrics, 'muted'));
  for (const { kind, series } of charts) {
    children.push(
      renderChart({ kind, title: strings.charts[kind], timeLabel: strings.time, series, seriesName: name }),
    );
  }

  children.push(el('h3', strings.events));
  const list = el('ul', undefined, 'events');
  for (const event of state.events) {
    list.append(
      el('li', `${new Date(event.time).toLocaleTimeString()} · ${strings.eventTypes[event.type]} · ${event.message}`),
    );
  }
  children.push(list);
  root.replaceChildren(...children);
}

const handlers: MessageHandlers<HostMessage> = {
  init: (m) => {
    // Kept by VS Code with the panel, so a window reload restores this job's page.
    host.save({ jobId: m.job.id });
    state = {
      job: m.job,
      summary: m.summary,
      events: m.events,
      metrics: m.metrics,
      loss: state?.job.id === m.job.id ? state.loss : [],
      strings: m.strings,
      deleted: false,
    };
    showError('');
    render();
  },
  job: (m) => {
    if (!state) return;
    state.job = m.job;
    state.summary = m.summary;
    render();
  },
  event: (m) => {
    if (!state) return;
    state.events.push(m.event);
    render();
  },
  metrics: (m) => {
    if (!state) return;
    state.metrics = m.metrics;
    render();
  },
  loss: (m) => {
    if (!state) return;
    state.loss = m.series;
    render();
  },
  deleted: () => {
    if (!state) return;
    state.deleted = true;
    render();
  },
  error: (m) => showError(m.message),
};

host.start(handlers, { type: 'ready' });
