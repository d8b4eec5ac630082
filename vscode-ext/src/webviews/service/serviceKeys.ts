/// <reference lib="dom" />
/*
 * The service page's keys: its bearer tokens and the AppKeys bound to it (created, enabled or
 * disabled, deleted by the host), a new secret shown once with Copy until its key is disabled or
 * deleted, and each token's ID (what the CLI's `aiplat service token` commands take).
 */
import { button, byId, el, table } from '../dom.js';
import type { ServiceStrings, ShownSecret } from './protocol.js';
import { offerSigningAppKeys, type Send } from './serviceForms.js';
import { parseTokenLimit } from './serviceKeyRules.js';
import type { ServicePage } from './servicePageState.js';

function secretBox(secret: ShownSecret, strings: ServiceStrings, send: Send): HTMLElement {
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

/** The start of a keys section: its create rows, then the secret of the key just created, shown once. */
function keysHead(state: ServicePage, kind: ShownSecret['kind'], rows: Node[], send: Send): Node[] {
  const head: Node[] = [...rows];
  if (state.secret?.kind === kind) head.push(secretBox(state.secret, state.strings, send));
  return head;
}

/** A key's Enable/Disable and Delete buttons. */
function keyActions(strings: ServiceStrings, enabled: boolean, toggle: () => void, remove: () => void): HTMLElement {
  const actions = el('span');
  actions.append(button(enabled ? strings.disable : strings.enable, toggle), button(strings.delete, remove));
  return actions;
}

export function renderTokens(state: ServicePage, send: Send): void {
  const { strings, tokens, service } = state;
  const description = el('input');
  description.id = 'tokenDescription';
  description.placeholder = strings.fields.description;
  const perMinute = limitInput('tokenPerMinute', strings.fields.tokensPerMinute);
  const perDay = limitInput('tokenPerDay', strings.fields.tokensPerDay);
  const problem = el('div', '', 'error');
  problem.id = 'tokenError';
  const row = el('div', undefined, 'row');
  row.append(
    description,
    perMinute,
    perDay,
    button(
      strings.createToken,
      () => {
        const minute = parseTokenLimit(perMinute.value);
        const day = parseTokenLimit(perDay.value);
        const badField = !minute ? strings.fields.tokensPerMinute : !day ? strings.fields.tokensPerDay : undefined;
        problem.textContent = badField ? strings.badTokenLimit.replace('{0}', badField) : '';
        if (!minute || !day) return;
        send({
          type: 'createToken',
          ...(description.value.trim() ? { description: description.value.trim() } : {}),
          ...(minute.limit !== undefined ? { tokensPerMinute: minute.limit } : {}),
          ...(day.limit !== undefined ? { tokensPerDay: day.limit } : {}),
        });
      },
      'createToken',
    ),
  );
  const children = keysHead(state, 'token', [row, problem], send);
  if (!service.auth.includes('token')) children.unshift(el('p', strings.tokenAuthOff, 'muted'));
  if (tokens.length === 0) children.push(el('p', strings.noTokens, 'muted'));
  else {
    const rows = tokens.map((t) => {
      const actions = keyActions(
        strings,
        t.enabled,
        () => send({ type: 'setTokenEnabled', id: t.id, enabled: !t.enabled }),
        () => send({ type: 'deleteToken', id: t.id }),
      );
      const limits = [t.tokensPerMinute ?? '∞', t.tokensPerDay ?? '∞'].join(' / ');
      return [
        t.id,
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
        strings.fields.tokenId,
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

export function renderAppKeys(state: ServicePage, send: Send): void {
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
  const children = keysHead(state, 'appKey', [row], send);
  if (!service.auth.includes('appkey')) children.unshift(el('p', strings.appKeyAuthOff, 'muted'));
  if (appKeys.length === 0) children.push(el('p', strings.noAppKeys, 'muted'));
  else {
    const rows = appKeys.map((k) => {
      const actions = keyActions(
        strings,
        k.enabled,
        () => send({ type: 'setAppKeyEnabled', appKey: k.appKey, enabled: !k.enabled }),
        () => send({ type: 'deleteAppKey', appKey: k.appKey }),
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
  offerSigningAppKeys(state);
}

/** A box for an LLM token limit: typed as text, so what the user typed is what is checked. */
function limitInput(id: string, placeholder: string): HTMLInputElement {
  const input = el('input');
  input.id = id;
  input.inputMode = 'numeric';
  input.placeholder = placeholder;
  return input;
}
