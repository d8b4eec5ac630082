/// <reference lib="dom" />
/*
 * The service page's forms, built once so what the user typed stays: a signed curl for an AppKey
 * (its secret only passes through to the host), an online test request and an OpenAI chat whose
 * answer streams in as the host posts its deltas.
 */
import { TEST_METHODS, type ChatMessage, type ChatUsage, type TestMethod, type TestResponse } from '@aiplat/api';
import { button, byId, el, labelled } from '../dom.js';
import type { ServiceStrings, WebviewMessage } from './protocol.js';
import { signingAppKeys } from './serviceKeyRules.js';
import type { ServicePage } from './servicePageState.js';

export type Send = (message: WebviewMessage) => void;

/** The chat so far (the page's own; the host keeps none). */
const chat: { messages: ChatMessage[]; pending?: { id: string; text: string; node: HTMLElement } } = { messages: [] };
let chatCount = 0;

/** Builds the curl, test and chat forms in their sections. */
export function buildForms(strings: ServiceStrings, send: Send): void {
  buildCurl(strings, send);
  buildTest(strings, send);
  buildChat(strings, send);
}

/** A piece of the streamed answer. */
export function chatDelta(id: string, text: string): void {
  if (chat.pending?.id !== id) return;
  chat.pending.text += text;
  chat.pending.node.textContent = chat.pending.text;
}

/** The answer is complete; its usage shown when the server counted it. */
export function chatDone(id: string, usage: ChatUsage | undefined, strings: ServiceStrings | undefined): void {
  if (chat.pending?.id !== id) return;
  if (usage && strings) {
    byId('chatUsage').textContent = strings.chatUsage
      .replace('{0}', String(usage.prompt_tokens ?? 0))
      .replace('{1}', String(usage.completion_tokens ?? 0));
  }
  endChat();
}

export function chatError(id: string, message: string): void {
  if (chat.pending?.id !== id) return;
  chat.pending.node.classList.add('error');
  chat.pending.node.textContent = message;
  chat.pending.text = '';
  // The question stays out of the history: it got no answer.
  chat.messages.pop();
  endChat();
}

/** Why the test request was not sent or got no answer, in the test panel. */
export function showTestError(message: string): void {
  byId('testStatus').textContent = '';
  byId('testError').textContent = message;
}

/** The test request's answer: status, time and the body (JSON pretty-printed). */
export function renderResponse(response: TestResponse): void {
  byId('testError').textContent = '';
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

function buildCurl(strings: ServiceStrings, send: Send): void {
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
  const problem = el('div', '', 'error');
  problem.id = 'curlError';
  const row1 = el('div', undefined, 'row');
  const row2 = el('div', undefined, 'row');
  body.append(
    el('p', strings.appSecretHint, 'muted'),
    row1,
    labelled(strings.bodyLabel, payload),
    row2,
    problem,
    output,
  );
  row1.append(
    labelled(strings.fields.appKey, key),
    labelled(strings.appSecretLabel, secret),
    labelled(strings.pathLabel, path),
  );
  row2.append(
    button(
      strings.makeCurl,
      () => {
        problem.textContent = !key.value ? strings.noSigningAppKey : !secret.value ? strings.pasteAppSecret : '';
        if (problem.textContent) return;
        send({
          type: 'signCurl',
          appKey: key.value,
          appSecret: secret.value,
          path: path.value,
          ...(payload.value.trim() ? { body: payload.value } : {}),
        });
        secret.value = '';
      },
      'makeCurl',
    ),
    button(strings.copy, () => output.textContent && send({ type: 'copy', text: output.textContent }), 'copyCurl'),
    el('span', strings.curlExpires, 'muted'),
  );
}

/**
 * The curl form offers the AppKeys that may sign (the one chosen stays chosen), says so when there
 * is none, and drops a command signed with a key no longer enabled.
 */
export function offerSigningAppKeys(state: ServicePage): void {
  const select = document.getElementById('curlAppKey') as HTMLSelectElement | null;
  if (!select) return;
  const signing = signingAppKeys(state.appKeys);
  const chosen = select.value;
  select.replaceChildren(...signing.map((appKey) => new Option(appKey, appKey)));
  if (signing.includes(chosen)) select.value = chosen;
  (byId('makeCurl') as HTMLButtonElement).disabled = signing.length === 0;
  byId('curlError').textContent = signing.length === 0 ? state.strings.noSigningAppKey : '';
  if (state.curlAppKey && !signing.includes(state.curlAppKey)) showCurlCommand(state, '', undefined);
}

/** The signed command shown, and the AppKey it is signed with. */
export function showCurlCommand(state: ServicePage, command: string, appKey: string | undefined): void {
  state.curlAppKey = appKey;
  byId('curlCommand').textContent = command;
}

function buildTest(strings: ServiceStrings, send: Send): void {
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
  const problem = el('div', '', 'error');
  problem.id = 'testError';
  const output = el('pre');
  output.id = 'testResponse';
  const row = el('div', undefined, 'row');
  const sendButton = button(
    strings.send,
    () => {
      const found = requestProblem(method.value as TestMethod, path.value, payload.value, strings);
      problem.textContent = found ?? '';
      if (found) return;
      status.textContent = strings.sending;
      output.textContent = '';
      send({ type: 'testRequest', method: method.value as TestMethod, path: path.value, body: payload.value });
    },
    'testSend',
  );
  row.append(labelled(strings.methodLabel, method), labelled(strings.pathLabel, path), sendButton);
  body.append(el('p', strings.callsAsYou, 'muted'), row, labelled(strings.bodyLabel, payload), problem, status, output);
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

function buildChat(strings: ServiceStrings, send: Send): void {
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
  const sendButton = button(strings.chatSend, () => startChat(strings, send), 'chatSend');
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
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) startChat(strings, send);
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

function startChat(strings: ServiceStrings, send: Send): void {
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

/** The answer ended (done, failed or stopped): the next question may be asked. */
function endChat(): void {
  if (chat.pending && chat.pending.text) chat.messages.push({ role: 'assistant', content: chat.pending.text });
  chat.pending = undefined;
  (byId('chatSend') as HTMLButtonElement).disabled = false;
  (byId('chatStop') as HTMLButtonElement).disabled = true;
}
