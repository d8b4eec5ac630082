/// <reference lib="dom" />
/*
 * The service page, running inside the webview (bundled into dist/webviews/service.js). It renders
 * what the extension posts and asks the extension to act; it never talks to the server. The
 * sections that change with the service are drawn again on each message (serviceSections.ts,
 * serviceKeys.ts); the forms (serviceForms.ts: curl, test, chat) are built once so what the user
 * typed stays.
 */
import { byId, el, showError } from '../dom.js';
import type { MessageHandlers } from '../messages.js';
import { connectPage } from '../pageHost.js';
import type { HostMessage, ServicePageState, ServiceStrings, WebviewMessage } from './protocol.js';
import { addPoint } from './serviceCharts.js';
import {
  buildForms,
  chatDelta,
  chatDone,
  chatError,
  renderResponse,
  showCurlCommand,
  showTestError,
} from './serviceForms.js';
import { appKeyStates, secretAfterListChange, tokenStates } from './serviceKeyRules.js';
import { renderAppKeys, renderTokens } from './serviceKeys.js';
import type { ServicePage } from './servicePageState.js';
import {
  renderActions,
  renderEvents,
  renderMetrics,
  renderOverview,
  renderReplicas,
  renderVersions,
} from './serviceSections.js';

const host = connectPage<WebviewMessage, ServicePageState>();
const send = host.send;

let state: ServicePage | undefined;

function section(id: string, title: string): HTMLElement {
  const s = el('section');
  s.id = id;
  s.append(el('h3', title));
  const body = el('div');
  body.id = `${id}-body`;
  s.append(body);
  return s;
}

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
  buildForms(strings, send);
}

/** The sections that follow the service itself. */
function renderService(page: ServicePage): void {
  renderActions(page, send);
  renderOverview(page);
  renderVersions(page);
  renderReplicas(page);
  renderEvents(page);
}

const handlers: MessageHandlers<HostMessage> = {
  init: ({ type: _type, ...init }) => {
    // Kept by VS Code with the panel, so a window reload restores this service's page.
    host.save({ name: init.service.name });
    const first = !state;
    state = { ...init, deleted: false };
    if (first) buildPage(init.strings);
    showError('');
    renderService(state);
    renderMetrics(state);
    renderTokens(state, send);
    renderAppKeys(state, send);
  },
  service: (m) => {
    if (!state) return;
    // The keys sections say whether the service takes their kind; redrawn only then, to keep what is typed.
    const authChanged = state.service.auth.join() !== m.service.auth.join();
    state.service = m.service;
    state.summary = m.summary;
    state.events = m.events;
    renderService(state);
    if (authChanged) {
      renderTokens(state, send);
      renderAppKeys(state, send);
    }
  },
  metrics: (m) => {
    if (!state) return;
    state.points = m.points;
    renderMetrics(state);
  },
  metricPoint: (m) => {
    if (!state) return;
    state.points = addPoint(state.points, m.point);
    renderMetrics(state);
  },
  tokens: (m) => {
    if (!state) return;
    state.secret = secretAfterListChange(state.secret, 'token', tokenStates(state.tokens), tokenStates(m.tokens));
    state.tokens = m.tokens;
    renderTokens(state, send);
  },
  appKeys: (m) => {
    if (!state) return;
    const before = appKeyStates(state.appKeys);
    state.secret = secretAfterListChange(state.secret, 'appKey', before, appKeyStates(m.appKeys));
    state.appKeys = m.appKeys;
    renderAppKeys(state, send);
  },
  secret: (m) => {
    if (!state) return;
    state.secret = m.secret;
    if (m.secret.kind === 'token') renderTokens(state, send);
    else renderAppKeys(state, send);
  },
  curl: (m) => {
    if (state) showCurlCommand(state, m.command, m.appKey);
  },
  testResponse: (m) => renderResponse(m.response),
  testError: (m) => showTestError(m.message),
  chatDelta: (m) => chatDelta(m.id, m.text),
  chatDone: (m) => chatDone(m.id, m.usage, state?.strings),
  chatError: (m) => chatError(m.id, m.message),
  deleted: () => {
    if (!state) return;
    state.deleted = true;
    renderActions(state, send);
    renderOverview(state);
  },
  error: (m) => showError(m.message),
};

host.start(handlers, { type: 'ready' });
