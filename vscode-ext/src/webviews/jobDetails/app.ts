/// <reference lib="dom" />
/*
 * The job details page, running inside the webview (bundled separately into
 * dist/webviews/jobDetails.js). It renders what the extension posts and asks the extension to act;
 * it never talks to the server. Plain DOM and SVG: no framework, no chart library.
 */
import type { JobDetail, JobEvent, JobMetricsResponse } from '@aiplat/api';
import {
  dispatch,
  JOB_ACTIONS,
  type HostMessage,
  type JobDetailsStrings,
  type JobSummary,
  type MessageHandlers,
  type WebviewMessage,
} from './protocol.js';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };

const vscodeApi = acquireVsCodeApi();
const send = (message: WebviewMessage) => vscodeApi.postMessage(message);

interface PageState {
  job: JobDetail;
  summary: JobSummary;
  events: JobEvent[];
  metrics: JobMetricsResponse;
  strings: JobDetailsStrings;
  deleted: boolean;
}

let state: PageState | undefined;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(header: string[], rows: string[][], className?: string): HTMLTableElement {
  const t = el('table', undefined, className);
  if (header.length > 0) {
    const tr = el('tr');
    for (const h of header) tr.append(el('th', h));
    t.append(tr);
  }
  for (const row of rows) {
    const tr = el('tr');
    for (const c of row) tr.append(el('td', c));
    t.append(tr);
  }
  return t;
}

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#b180d7', '#4ec9b0'];

/** One line chart: a polyline per instance over the shared time axis. */
function chart(title: string, series: { name: string; points: [number, number][] }[]): HTMLElement {
  const width = 560;
  const height = 140;
  const pad = 30;
  const box = el('div', undefined, 'chart');
  const all = series.flatMap((s) => s.points);
  const maxY = Math.max(1, ...all.map((p) => p[1]));
  const minX = Math.min(...all.map((p) => p[0]));
  const maxX = Math.max(minX + 1, ...all.map((p) => p[0]));
  box.append(el('div', `${title} · max ${maxY.toFixed(1)}`));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  series.forEach((s, i) => {
    const line = document.createElementNS(SVG, 'polyline');
    const points = s.points.map(([x, y]) => {
      const px = pad + ((x - minX) / (maxX - minX)) * (width - 2 * pad);
      const py = height - pad / 2 - (y / maxY) * (height - pad);
      return `${px.toFixed(1)},${py.toFixed(1)}`;
    });
    line.setAttribute('points', points.join(' '));
    line.setAttribute('stroke', COLOURS[i % COLOURS.length] ?? '#3794ff');
    const label = document.createElementNS(SVG, 'title');
    label.textContent = s.name;
    line.append(label);
    svg.append(line);
  });
  box.append(svg);
  return box;
}

function render(): void {
  const root = document.getElementById('root');
  const actions = document.getElementById('actions');
  if (!root || !actions || !state) return;
  const { job, summary, strings } = state;
  actions.replaceChildren();
  for (const action of JOB_ACTIONS) {
    const button = el('button', strings.actions[action]);
    button.dataset.action = action;
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
  if (job.waitReason) rows.push([strings.waiting, job.waitReason.message]);
  const children: Node[] = [];
  if (state.deleted) children.push(el('p', strings.deleted, 'error'));
  children.push(table([], rows, 'summary'));

  children.push(el('h3', strings.instances));
  children.push(
    table(
      [strings.instanceName, strings.instanceState, strings.host, strings.exitCode],
      job.instances.map((i) => [i.name, i.state, i.host ?? '', i.exitCode === undefined ? '' : String(i.exitCode)]),
      'instances',
    ),
  );

  children.push(el('h3', strings.metrics));
  const withPoints = state.metrics.instances.filter((i) => i.points.length > 0);
  if (withPoints.length === 0) children.push(el('p', strings.noMetrics, 'muted'));
  else {
    const name = (index: number) => job.instances.find((i) => i.index === index)?.name ?? String(index);
    const series = (value: (p: JobMetricsResponse['instances'][number]['points'][number]) => number | undefined) =>
      withPoints.map((i) => ({
        name: name(i.instance),
        points: i.points
          .map((p): [number, number | undefined] => [Date.parse(p.time), value(p)])
          .filter((p): p is [number, number] => p[1] !== undefined),
      }));
    children.push(
      chart(
        strings.cpu,
        series((p) => p.cpuPercent),
      ),
    );
    children.push(
      chart(
        strings.memory,
        series((p) => p.memoryBytes / 2 ** 20),
      ),
    );
  }

  children.push(el('h3', strings.events));
  const list = el('ul', undefined, 'events');
  for (const event of state.events) {
    list.append(el('li', `${new Date(event.time).toLocaleTimeString()} · ${event.type} · ${event.message}`));
  }
  children.push(list);
  root.replaceChildren(...children);
}

function showError(message: string): void {
  const box = document.getElementById('error');
  if (box) box.textContent = message;
}

const handlers: MessageHandlers<HostMessage> = {
  init: (m) => {
    state = {
      job: m.job,
      summary: m.summary,
      events: m.events,
      metrics: m.metrics,
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
  deleted: () => {
    if (!state) return;
    state.deleted = true;
    render();
  },
  error: (m) => showError(m.message),
};

window.addEventListener('message', (event: MessageEvent<HostMessage>) => void dispatch(handlers, event.data));
send({ type: 'ready' });
