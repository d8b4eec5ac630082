import {
  appKeySignature,
  sendTestRequest,
  servicePathUrl,
  signedCurlCommand,
  streamChat,
  testRequestProblem,
  type ApiClient,
  type AppKey,
  type Service,
} from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../../connection/errorMessage.js';
import type { HostMessage, MessageHandlers, WebviewMessage } from './protocol.js';
import { serviceStrings, serviceSummary } from './serviceStrings.js';

/*
 * What the service page asks of the host besides its service: bearer tokens and AppKeys (created,
 * enabled or disabled, deleted), a signed curl, an online test request and a streamed chat. The
 * page never holds the connection's token: these run here.
 */

/** What the handlers need of their page. */
export interface ServicePageContext {
  readonly name: string;
  service(): Service | undefined;
  serverUrl(): string;
  token(): PromiseLike<string | undefined>;
  post(message: HostMessage): Promise<void>;
  /** Runs with the connection's client; a failure (or no connection) is shown on the page. */
  withClient(run: (client: ApiClient) => Promise<void>): Promise<void>;
  fetch?: typeof fetch;
  writeClipboard?: (text: string) => Thenable<void>;
}

type KeyMessage =
  'createToken' | 'setTokenEnabled' | 'deleteToken' | 'createAppKey' | 'setAppKeyEnabled' | 'deleteAppKey';

/** The AppKeys that may call this service. */
export function boundTo(appKeys: AppKey[], name: string): AppKey[] {
  return appKeys.filter((key) => key.services.includes(name));
}

/** Tokens and AppKeys: each change is followed by the list read again. */
export function keyHandlers(page: ServicePageContext): Pick<MessageHandlers<WebviewMessage>, KeyMessage> {
  const sendTokens = async (client: ApiClient) => {
    const { tokens } = await client.listServiceTokens({ params: { name: page.name } });
    await page.post({ type: 'tokens', tokens });
  };
  const sendAppKeys = async (client: ApiClient) => {
    const { appKeys } = await client.listAppKeys();
    await page.post({ type: 'appKeys', appKeys: boundTo(appKeys, page.name) });
  };
  return {
    createToken: (m) =>
      page.withClient(async (client) => {
        const created = await client.createServiceToken({
          params: { name: page.name },
          body: {
            ...(m.description ? { description: m.description } : {}),
            ...(m.tokensPerMinute !== undefined ? { tokensPerMinute: m.tokensPerMinute } : {}),
            ...(m.tokensPerDay !== undefined ? { tokensPerDay: m.tokensPerDay } : {}),
          },
        });
        await page.post({ type: 'secret', secret: { kind: 'token', id: created.id, secret: created.token } });
        await sendTokens(client);
      }),
    setTokenEnabled: (m) =>
      page.withClient(async (client) => {
        await client.updateServiceToken({ params: { name: page.name, id: m.id }, body: { enabled: m.enabled } });
        await sendTokens(client);
      }),
    deleteToken: (m) =>
      page.withClient(async (client) => {
        if (!(await confirmDelete(vscode.l10n.t('Delete token {0}? Callers using it get 401.', m.id)))) return;
        await client.deleteServiceToken({ params: { name: page.name, id: m.id } });
        await sendTokens(client);
      }),
    createAppKey: (m) =>
      page.withClient(async (client) => {
        const created = await client.createAppKey({
          body: { services: [page.name], ...(m.description ? { description: m.description } : {}) },
        });
        await page.post({ type: 'secret', secret: { kind: 'appKey', id: created.appKey, secret: created.appSecret } });
        await sendAppKeys(client);
      }),
    setAppKeyEnabled: (m) =>
      page.withClient(async (client) => {
        await client.updateAppKey({ params: { appKey: m.appKey }, body: { enabled: m.enabled } });
        await sendAppKeys(client);
      }),
    deleteAppKey: (m) =>
      page.withClient(async (client) => {
        const question = vscode.l10n.t('Delete AppKey {0}? Every service it is bound to refuses it.', m.appKey);
        if (!(await confirmDelete(question))) return;
        await client.deleteAppKey({ params: { appKey: m.appKey } });
        await sendAppKeys(client);
      }),
  };
}

/** The calls of the page: a signed curl, an online test and a chat, through the gateway. */
export function callHandlers(page: ServicePageContext): Pick<
  MessageHandlers<WebviewMessage>,
  'signCurl' | 'copy' | 'testRequest' | 'chat' | 'stopChat'
> & {
  dispose(): void;
} {
  const chats = new Map<string, AbortController>();
  /** The service's full URL, ending with `/`. */
  const url = (service: Service) => serviceSummary(service, page.serverUrl()).url;
  const fetchOption = page.fetch ? { fetch: page.fetch } : {};
  return {
    signCurl: async (m) => {
      const service = page.service();
      if (!service) return;
      // The secret lives in this call only: it signs and is dropped.
      const timestamp = String(Date.now());
      const sign = await appKeySignature(m.appKey, m.appSecret, timestamp);
      const target = servicePathUrl(url(service), pathOf(m.path));
      const body = m.body?.trim() ? m.body : undefined;
      await page.post({
        type: 'curl',
        command: signedCurlCommand({ url: target, appKey: m.appKey, timestamp, sign, ...(body ? { body } : {}) }),
        appKey: m.appKey,
      });
    },
    copy: async (m) => {
      await (page.writeClipboard ?? ((text: string) => vscode.env.clipboard.writeText(text)))(m.text);
    },
    testRequest: async (m) => {
      const service = page.service();
      if (!service) return;
      const problem = testRequestProblem(m);
      if (problem) {
        const strings = serviceStrings();
        const messages = { path: strings.badPath, json: strings.badJson, bodyWithGet: strings.bodyWithGet };
        await page.post({ type: 'testError', message: messages[problem] });
        return;
      }
      try {
        const response = await sendTestRequest(url(service), await page.token(), m, fetchOption);
        await page.post({ type: 'testResponse', response });
      } catch (error) {
        await page.post({ type: 'testError', message: describeError(error) });
      }
    },
    chat: async (m) => {
      const service = page.service();
      if (!service) return;
      const abort = new AbortController();
      chats.set(m.id, abort);
      try {
        const result = await streamChat({
          serviceUrl: url(service),
          token: await page.token(),
          messages: m.messages,
          ...(m.model ? { model: m.model } : {}),
          signal: abort.signal,
          ...fetchOption,
          onDelta: (text) => void page.post({ type: 'chatDelta', id: m.id, text }),
        });
        await page.post({ type: 'chatDone', id: m.id, ...(result.usage ? { usage: result.usage } : {}) });
      } catch (error) {
        if (abort.signal.aborted) await page.post({ type: 'chatDone', id: m.id });
        else await page.post({ type: 'chatError', id: m.id, message: describeError(error) });
      } finally {
        chats.delete(m.id);
      }
    },
    stopChat: (m) => {
      chats.get(m.id)?.abort();
    },
    dispose: () => {
      for (const chat of chats.values()) chat.abort();
      chats.clear();
    },
  };
}

/** A path as typed, made to start with `/`. */
function pathOf(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

async function confirmDelete(question: string): Promise<boolean> {
  const confirm = vscode.l10n.t('Delete');
  return (await vscode.window.showWarningMessage(question, { modal: true }, confirm)) === confirm;
}
