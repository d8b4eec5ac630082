/// <reference lib="dom" />
/*
 * The service page, running inside the webview (bundled into dist/webviews/service.js). It renders
 * what the extension posts and asks the extension to act; it never talks to the server. The
 * sections that change with the service are drawn again on each message; the forms (curl, test,
 * chat) are built once so what the user typed stays.
 */
import type { AppKey, Service, ServiceEvent, ServiceMetricPoint, ServiceToken } from '@aiplat/api';
import { renderPlot } from '../charts/plotView.js';
import { el } from '../dom.js';
import { dispatch, type MessageHandlers } from '../messages.js';
import { TEST_METHODS, type ChatMessage, type TestMethod, type TestResponse } from '@aiplat/api';
import type {
  HostMessage,
  ServicePageState,
  ServiceStrings,
  ServiceSummary,
  ShownSecret,
  WebviewMessage,
} from './protocol.js';
import { SERVICE_ACTIONS } from './serviceActions.js';
import { addPoint, chartsToShow, layoutServiceChart, SERVICE_CHARTS } from './serviceCharts.js';

declare function acquireVsCodeApi(): {
  postMessage(message: WebviewMessage): void;
  setState(state: ServicePageState): void;
};

const vscodeApi = acquireVsCodeApi();
const send = (message: WebviewMessage) => vscodeApi.postMessage(message);

interface PageState {
  service: Service;
  summary: ServiceSummary;
  events: ServiceEvent[];
  points: ServiceMetricPoint[];
  tokens: ServiceToken[];
  appKeys: AppKey[];
  strings: ServiceStrings;
  deleted: boolean;
  secret?: ShownSecret;
}

let state: PageState | undefined;
/** The chat so far (the page's own; the host keeps none). */
const chat: { messages: ChatMessage[]; pending?: { id: string; text: string; node: HTMLElement } } = { messages: [] };

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`no #${id}`);
  return node;
}

function table(header: string[], rows: (string | Node)[][], className?: string): HTMLTableElement {
  const t = el('table', undefined, className);
  if (header.length > 0) {
    const tr = el('tr');
    for (const h of header) tr.append(el('th', h));
    t.append(tr);
  }
  for (const row of rows) {
    const tr = el('tr');
    for (const c of row) {
      const td = el('td');
      td.append(c);
      tr.append(td);
    }
    t.append(tr);
  }
  return t;
}

function button(text: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = el('button', text);
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

function section(id: string, title: string): HTMLElement {
  const s = el('section');
  s.id = id;
  s.append(el('h3', title));
  const body = el('div');
  body.id = `${id}-body`;
  s.append(body);
  return s;
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  const l = el('label', `${label} `);
  l.append(control);
  return l;
}

function showError(message: string): void {
  byId('error').textContent = message;
}

/* ---- the forms, built once ---- */

function buildPage(strings: ServiceStrings): void {
  const root = byId('root');
  root.replaceChildren(
    section('overview', strings.sections.overview),
    section('metrics', strings.sections.metrics),
    section('versions', strings.sections.versions),
    section('replicas', strings.sections.replicas),
    section('events', strings.sections.events),
    section('tokens', strings.sections.tokens),
    section('appkeys', strings.sections.appKeys),
    section('curl', strings.sections.curl),
    section('test', strings.sections.test),
    section('chat', strings.sections.chat),
  );
  buildCurl(strings);
  buildTest(strings);
  buildChat(strings);
}

function buildCurl(strings: ServiceStrings): void {
  const body = byId('curl-body');
  const key = el('select');
  key.id = 'curlAppKey';
  const secret = el('input');
  secret.id = 'curlSecret';
  secret.type = 'password';
  secret.autocomplete = 'off';
  secret.size = 40;
  const path = el('input');
  path.id = 'curlPath';
  path.value = '/';
  const payload = el('textarea');
  payload.id = 'curlBody';
  payload.rows = 3;
  const output = el('pre', '', 'curl');
  output.id = 'curlCommand';
  const row1 = el('div', undefined, 'row');
  const row2 = el('div', undefined, 'row');
  body.append(el('p', strings.appSecretHint, 'muted'), row1, labelled(strings.bodyLabel, payload), row2, output);
  row1.append(
    labelled(strings.fields.appKey, key),
    labelled(strings.appSecretLabel, secret),
    labelled(strings.pathLabel, path),
  );
  row2.append(
    button(
      strings.makeCurl,
      () => {
        if (!key.value || !secret.value) return;
        send({
          type: 'signCurl',
          appKey: key.value,
          appSecret: secret.value,
          path: path.value,
          ...(payload.value.trim() ? { body: payload.value } : {}),
        });
      },
      'makeCurl',
    ),
    button(strings.copy, () => output.textContent && send({ type: 'copy', text: output.textContent }), 'copyCurl'),
    el('span', strings.curlExpires, 'muted'),
  );
}

function buildTest(strings: ServiceStrings): void {
  const body = byId('test-body');
  const method = el('select');
  method.id = 'testMethod';
  for (const m of TEST_METHODS) method.append(new Option(m, m));
  method.value = 'POST';
  const path = el('input');
  path.id = 'testPath';
  path.value = '/';
  path.size = 40;
  const payload = el('textarea');
  payload.id = 'testBody';
  payload.rows = 5;
  payload.value = '{}';
  const status = el('div', '', 'muted');
  status.id = 'testStatus';
  const output = el('pre');
  output.id = 'testResponse';
  const row = el('div', undefined, 'row');
  const sendButton = button(
    strings.send,
    () => {
      const problem = requestProblem(method.value as TestMethod, path.value, payload.value, strings);
      if (problem) return showError(problem);
      showError('');
      status.textContent = strings.sending;
      output.textContent = '';
      send({ type: 'testRequest', method: method.value as TestMethod, path: path.value, body: payload.value });
    },
    'testSend',
  );
  row.append(labelled(strings.methodLabel, method), labelled(strings.pathLabel, path), sendButton);
  body.append(el('p', strings.callsAsYou, 'muted'), row, labelled(strings.bodyLabel, payload), status, output);
}

function requestProblem(method: TestMethod, path: string, body: string, strings: ServiceStrings): string | undefined {
  if (!path.startsWith('/') || /\s/.test(path)) return strings.badPath;
  if (body.trim() === '') return undefined;
  if (method === 'GET') return strings.bodyWithGet;
  try {
    JSON.parse(body);
    return undefined;
  } catch {
    return strings.badJson;
  }
}

function buildChat(strings: ServiceStrings): void {
  const body = byId('chat-body');
  const log = el('div', undefined, 'chat-log');
  log.id = 'chatLog';
  const model = el('input');
  model.id = 'chatModel';
  model.placeholder = strings.chatModel;
  const prompt = el('textarea');
  prompt.id = 'chatPrompt';
  prompt.rows = 3;
  prompt.placeholder = strings.chatPlaceholder;
  const usage = el('div', '', 'muted');
  usage.id = 'chatUsage';
  const row = el('div', undefined, 'row');
  const sendButton = button(strings.chatSend, () => startChat(strings), 'chatSend');
  const stop = button(
    strings.chatStop,
    () => chat.pending && send({ type: 'stopChat', id: chat.pending.id }),
    'chatStop',
  );
  stop.disabled = true;
  const clear = button(
    strings.chatClear,
    () => {
      chat.messages = [];
      log.replaceChildren();
      usage.textContent = '';
    },
    'chatClear',
  );
  row.append(sendButton, stop, clear, labelled('', model));
  prompt.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) startChat(strings);
  });
  body.append(el('p', strings.callsAsYou, 'muted'), log, prompt, row, usage);
}

function turn(who: string, text: string, role: string): HTMLElement {
  const node = el('div', undefined, `turn ${role}`);
  node.append(el('span', who, 'who'));
  const content = el('span', text, 'content');
  node.append(content);
  byId('chatLog').append(node);
  return content;
}

let chatCount = 0;

function startChat(strings: ServiceStrings): void {
  const prompt = byId('chatPrompt') as HTMLTextAreaElement;
  const text = prompt.value.trim();
  if (!text || chat.pending) return;
  prompt.value = '';
  chat.messages.push({ role: 'user', content: text });
  turn(strings.you, text, 'user');
  const id = `chat-${++chatCount}`;
  chat.pending = { id, text: '', node: turn(strings.assistant, '', 'assistant') };
  (byId('chatSend') as HTMLButtonElement).disabled = true;
  (byId('chatStop') as HTMLButtonElement).disabled = false;
  const model = (byId('chatModel') as HTMLInputElement).value.trim();
  send({ type: 'chat', id, messages: [...chat.messages], ...(model ? { model } : {}) });
}

function endChat(): void {
  if (chat.pending && chat.pending.text) chat.messages.push({ role: 'assistant', content: chat.pending.text });
  chat.pending = undefined;
  (byId('chatSend') as HTMLButtonElement).disabled = false;
  (byId('chatStop') as HTMLButtonElement).disabled = true;
}

/* ---- the sections drawn again ---- */

function renderActions(): void {
  if (!state) return;
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

function renderOverview(): void {
  if (!state) return;
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

function renderVersions(): void {
  if (!state) return;
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

function renderReplicas(): void {
  if (!state) return;
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

function renderEvents(): void {
  if (!state) return;
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

function renderMetrics(): void {
  if (!state) return;
  const { strings, points } = state;
  const kinds = chartsToShow(points);
  const box = el('div', undefined, 'charts');
  if (kinds.length === 0) {
    byId('metrics-body').replaceChildren(el('p', strings.noMetrics, 'muted'));
    return;
  }
  for (const kind of kinds) {
    const layout = layoutServiceChart(points, kind, (ms) => new Date(ms).toLocaleTimeString());
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

function secretBox(secret: ShownSecret, strings: ServiceStrings): HTMLElement {
  const box = el('div', undefined, 'secret');
  box.dataset.kind = secret.kind;
  const code = el('code', secret.secret);
  code.id = secret.kind === 'token' ? 'createdToken' : 'createdAppSecret';
  box.append(
    el(
      'div',
      `${secret.kind === 'appKey' ? `${strings.fields.appKey} ${secret.id} · ${strings.appSecretLabel}` : secret.id}`,
    ),
    code,
    el('span', ' '),
    button(strings.copy, () => send({ type: 'copy', text: secret.secret }), `copy-${secret.kind}`),
    el('div', strings.shownOnce, 'muted'),
  );
  return box;
}

function renderTokens(): void {
  if (!state) return;
  const { strings, tokens, service } = state;
  const description = el('input');
  description.id = 'tokenDescription';
  description.placeholder = strings.fields.description;
  const perMinute = el('input');
  perMinute.id = 'tokenPerMinute';
  perMinute.type = 'number';
  perMinute.min = '1';
  perMinute.placeholder = strings.fields.tokensPerMinute;
  const perDay = el('input');
  perDay.id = 'tokenPerDay';
  perDay.type = 'number';
  perDay.min = '1';
  perDay.placeholder = strings.fields.tokensPerDay;
  const row = el('div', undefined, 'row');
  row.append(
    description,
    perMinute,
    perDay,
    button(
      strings.createToken,
      () => {
        const limit = (input: HTMLInputElement) => (input.value ? Number(input.value) : undefined);
        const tokensPerMinute = limit(perMinute);
        const tokensPerDay = limit(perDay);
        send({
          type: 'createToken',
          ...(description.value.trim() ? { description: description.value.trim() } : {}),
          ...(tokensPerMinute ? { tokensPerMinute } : {}),
          ...(tokensPerDay ? { tokensPerDay } : {}),
        });
      },
      'createToken',
    ),
  );
  const children: Node[] = [];
  if (!service.auth.includes('token')) children.push(el('p', strings.tokenAuthOff, 'muted'));
  children.push(row);
  if (state.secret?.kind === 'token') children.push(secretBox(state.secret, strings));
  if (tokens.length === 0) children.push(el('p', strings.noTokens, 'muted'));
  else {
    const rows = tokens.map((t) => {
      const actions = el('span');
      actions.append(
        button(t.enabled ? strings.disable : strings.enable, () =>
          send({ type: 'setTokenEnabled', id: t.id, enabled: !t.enabled }),
        ),
        button(strings.delete, () => send({ type: 'deleteToken', id: t.id })),
      );
      const limits = [t.tokensPerMinute ?? '∞', t.tokensPerDay ?? '∞'].join(' / ');
      return [
        `${t.prefix}…`,
        t.description ?? '',
        t.enabled ? strings.yes : strings.no,
        `${t.usedThisMinute} / ${t.usedToday}`,
        limits,
        actions,
      ];
    });
    const t = table(
      [
        strings.fields.prefix,
        strings.fields.description,
        strings.fields.enabled,
        strings.fields.usage,
        `${strings.fields.tokensPerMinute} / ${strings.fields.tokensPerDay}`,
        '',
      ],
      rows,
      'tokens',
    );
    children.push(t);
  }
  byId('tokens-body').replaceChildren(...children);
}

function renderAppKeys(): void {
  if (!state) return;
  const { strings, appKeys, service } = state;
  const description = el('input');
  description.id = 'appKeyDescription';
  description.placeholder = strings.fields.description;
  const row = el('div', undefined, 'row');
  row.append(
    description,
    button(
      strings.createAppKey,
      () =>
        send({
          type: 'createAppKey',
          ...(description.value.trim() ? { description: description.value.trim() } : {}),
        }),
      'createAppKey',
    ),
  );
  const children: Node[] = [];
  if (!service.auth.includes('appkey')) children.push(el('p', strings.appKeyAuthOff, 'muted'));
  children.push(row);
  if (state.secret?.kind === 'appKey') children.push(secretBox(state.secret, strings));
  if (appKeys.length === 0) children.push(el('p', strings.noAppKeys, 'muted'));
  else {
    const rows = appKeys.map((k) => {
      const actions = el('span');
      actions.append(
        button(k.enabled ? strings.disable : strings.enable, () =>
          send({ type: 'setAppKeyEnabled', appKey: k.appKey, enabled: !k.enabled }),
        ),
        button(strings.delete, () => send({ type: 'deleteAppKey', appKey: k.appKey })),
      );
      return [
        k.appKey,
        k.description ?? '',
        k.enabled ? strings.yes : strings.no,
        k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : '',
        actions,
      ];
    });
    children.push(
      table(
        [strings.fields.appKey, strings.fields.description, strings.fields.enabled, strings.fields.lastUsed, ''],
        rows,
        'appkeys',
      ),
    );
  }
  byId('appkeys-body').replaceChildren(...children);
  // The curl form offers the enabled keys; the one chosen stays chosen.
  const select = document.getElementById('curlAppKey') as HTMLSelectElement | null;
  if (select) {
    const chosen = select.value;
    select.replaceChildren(...appKeys.filter((k) => k.enabled).map((k) => new Option(k.appKey, k.appKey)));
    if (appKeys.some((k) => k.appKey === chosen)) select.value = chosen;
  }
}

function renderAll(): void {
  renderActions();
  renderOverview();
  renderMetrics();
  renderVersions();
  renderReplicas();
  renderEvents();
  renderTokens();
  renderAppKeys();
}

function renderResponse(response: TestResponse): void {
  byId('testStatus').textContent = `${response.status} ${response.statusText} · ${response.elapsedMs} ms`;
  let body = response.body;
  try {
    if (response.headers.some(([k, v]) => k === 'content-type' && v.includes('json'))) {
      body = JSON.stringify(JSON.parse(body), null, 2);
    }
  } catch {
    // shown as it came
  }
  const output = byId('testResponse');
  output.dataset.status = String(response.status);
  output.textContent = response.truncated ? `${body}\n…` : body;
}

const handlers: MessageHandlers<HostMessage> = {
  init: (m) => {
    // Kept by VS Code with the panel, so a window reload restores this service's page.
    vscodeApi.setState({ name: m.service.name });
    const first = !state;
    state = {
      service: m.service,
      summary: m.summary,
      events: m.events,
      points: m.points,
      tokens: m.tokens,
      appKeys: m.appKeys,
      strings: m.strings,
      deleted: false,
    };
    if (first) buildPage(m.strings);
    showError('');
    renderAll();
  },
  service: (m) => {
    if (!state) return;
    state.service = m.service;
    state.summary = m.summary;
    state.events = m.events;
    renderActions();
    renderOverview();
    renderVersions();
    renderReplicas();
    renderEvents();
  },
  metrics: (m) => {
    if (!state) return;
    state.points = m.points;
    renderMetrics();
  },
  metricPoint: (m) => {
    if (!state) return;
    state.points = addPoint(state.points, m.point);
    renderMetrics();
  },
  tokens: (m) => {
    if (!state) return;
    state.tokens = m.tokens;
    renderTokens();
  },
  appKeys: (m) => {
    if (!state) return;
    state.appKeys = m.appKeys;
    renderAppKeys();
  },
  secret: (m) => {
    if (!state) return;
    state.secret = m.secret;
    if (m.secret.kind === 'token') renderTokens();
    else renderAppKeys();
  },
  curl: (m) => {
    byId('curlCommand').textContent = m.command;
  },
  testResponse: (m) => renderResponse(m.response),
  chatDelta: (m) => {
    if (chat.pending?.id !== m.id) return;
    chat.pending.text += m.text;
    chat.pending.node.textContent = chat.pending.text;
  },
  chatDone: (m) => {
    if (chat.pending?.id !== m.id) return;
    if (m.usage && state) {
      byId('chatUsage').textContent = state.strings.chatUsage
        .replace('{0}', String(m.usage.prompt_tokens ?? 0))
        .replace('{1}', String(m.usage.completion_tokens ?? 0));
    }
    endChat();
  },
  chatError: (m) => {
    if (chat.pending?.id !== m.id) return;
    chat.pending.node.classList.add('error');
    chat.pending.node.textContent = m.message;
    chat.pending.text = '';
    // The question stays out of the history: it got no answer.
    chat.messages.pop();
    endChat();
  },
  deleted: () => {
    if (!state) return;
    state.deleted = true;
    renderActions();
    renderOverview();
  },
  error: (m) => {
    showError(m.message);
    const status = document.getElementById('testStatus');
    if (status && status.textContent === state?.strings.sending) status.textContent = '';
  },
};

window.addEventListener('message', (event: MessageEvent<HostMessage>) => void dispatch(handlers, event.data));
send({ type: 'ready' });
