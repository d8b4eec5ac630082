/// <reference lib="dom" />
/*
 * The service page's sections drawn again on each change: the action buttons, the overview, the
 * versions, the replicas, the events and the traffic charts.
 */
import { renderPlot } from '../charts/plotView.js';
import { button, byId, el, table } from '../dom.js';
import type { Send } from './serviceForms.js';
import type { ServicePage } from './servicePageState.js';
import { SERVICE_ACTIONS } from './serviceActions.js';
import { chartsToShow, layoutServiceChart, METRICS_STEP_SECONDS, SERVICE_CHARTS } from './serviceCharts.js';

export function renderActions(state: ServicePage, send: Send): void {
  const { strings, summary } = state;
  const actions = byId('actions');
  actions.replaceChildren();
  for (const action of SERVICE_ACTIONS) {
    const b = button(strings.actions[action], () => send({ type: 'action', action }));
    b.dataset.action = action;
    b.disabled = state.deleted || !summary.actions.includes(action);
    actions.append(b);
  }
}

export function renderOverview(state: ServicePage): void {
  const { service, summary, strings } = state;
  const rows: string[][] = [
    [strings.fields.state, summary.stateLabel],
    [strings.fields.url, summary.url],
    [strings.fields.version, String(service.version)],
    [strings.fields.replicas, summary.replicasText],
    [strings.fields.resources, summary.resourcesText],
    [strings.fields.auth, service.auth.join(', ')],
    [
      strings.fields.limits,
      `QPS ${service.limits.qpsPerReplica} · ${service.limits.concurrencyPerReplica} · ${service.limits.upstreamTimeoutSeconds} s`,
    ],
    [strings.fields.engine, `${service.engine} · ${service.queue}`],
    [strings.fields.created, new Date(service.createdAt).toLocaleString()],
  ];
  if (service.description) rows.push([strings.fields.description, service.description]);
  if (service.waitReason) rows.push([strings.fields.waiting, service.waitReason.message]);
  if (service.failure) rows.push([strings.fields.failure, service.failure.message]);
  const children: Node[] = [];
  if (state.deleted) children.push(el('p', strings.deleted, 'error'));
  const overview = table([], rows, 'summary');
  overview.dataset.state = service.state;
  children.push(overview);
  byId('overview-body').replaceChildren(...children);
}

export function renderVersions(state: ServicePage): void {
  const { service, strings } = state;
  const rows = [...service.versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => [
      `v${v.version}`,
      v.serving ? strings.yes : strings.no,
      v.spec.model,
      v.spec.command,
      String(v.spec.replicas),
      new Date(v.createdAt).toLocaleString(),
    ]);
  byId('versions-body').replaceChildren(
    table(
      [
        strings.fields.version,
        strings.fields.serving,
        strings.fields.model,
        strings.fields.command,
        strings.fields.replicas,
        strings.fields.created,
      ],
      rows,
      'versions',
    ),
  );
}

export function renderReplicas(state: ServicePage): void {
  const { service, strings } = state;
  const rows = service.replicas.map((r) => [
    `#${r.index} (v${r.version})`,
    strings.replicaStates[r.state],
    String(r.restarts),
    r.startedAt ? new Date(r.startedAt).toLocaleString() : '',
    r.message ?? '',
  ]);
  const t = table(
    [
      strings.fields.replica,
      strings.fields.state,
      strings.fields.restarts,
      strings.fields.started,
      strings.fields.message,
    ],
    rows,
    'replicas',
  );
  byId('replicas-body').replaceChildren(t);
}

export function renderEvents(state: ServicePage): void {
  const { strings } = state;
  const list = el('ul', undefined, 'events');
  for (const event of [...state.events].reverse().slice(0, 50)) {
    const about = [event.version ? `v${event.version}` : '', event.replica !== undefined ? `#${event.replica}` : '']
      .filter(Boolean)
      .join(' ');
    list.append(
      el(
        'li',
        `${new Date(event.time).toLocaleTimeString()} · ${strings.eventTypes[event.type]}${about ? ` · ${about}` : ''} · ${event.message}`,
      ),
    );
  }
  byId('events-body').replaceChildren(list);
}

export function renderMetrics(state: ServicePage): void {
  const { strings, points } = state;
  const kinds = chartsToShow(points);
  const box = el('div', undefined, 'charts');
  if (kinds.length === 0) {
    byId('metrics-body').replaceChildren(el('p', strings.noMetrics, 'muted'));
    return;
  }
  for (const kind of kinds) {
    const layout = layoutServiceChart(points, kind, METRICS_STEP_SECONDS, (ms) => new Date(ms).toLocaleTimeString());
    const name = (field: string) => strings.charts.series[field] ?? field;
    box.append(
      renderPlot({
        box: layout.box,
        title: strings.charts[kind],
        data: { kind },
        yTitle: '',
        xTitle: strings.charts.time,
        xTicks: layout.xTicks,
        yTicks: layout.yTicks,
        lines: layout.lines.map((line) => ({
          colour: line.colour,
          polylines: line.polylines,
          title: name(line.field),
          data: { field: line.field },
        })),
        legend: SERVICE_CHARTS[kind].map((field, i) => ({
          colour: layout.lines[i]?.colour ?? '',
          label: name(field),
        })),
      }),
    );
  }
  byId('metrics-body').replaceChildren(box);
}
