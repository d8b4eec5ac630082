/// <reference lib="dom" />
/*
 * The service page's keys: its bearer tokens and the AppKeys bound to it (created, enabled or
 * disabled, deleted by the host), a new secret shown once with Copy.
 */
import { button, byId, el, table } from '../dom.js';
import type { ServiceStrings, ShownSecret } from './protocol.js';
import type { Send } from './serviceForms.js';
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

/** The start of a keys section: its create row, then the secret of the key just created, shown once. */
function keysHead(state: ServicePage, kind: ShownSecret['kind'], row: HTMLElement, send: Send): Node[] {
  const head: Node[] = [row];
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
  const children = keysHead(state, 'token', row, send);
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
  const children = keysHead(state, 'appKey', row, send);
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
  // The curl form offers the enabled keys; the one chosen stays chosen.
  const select = document.getElementById('curlAppKey') as HTMLSelectElement | null;
  if (select) {
    const chosen = select.value;
    select.replaceChildren(...appKeys.filter((k) => k.enabled).map((k) => new Option(k.appKey, k.appKey)));
    if (appKeys.some((k) => k.appKey === chosen)) select.value = chosen;
  }
}
