import {
  TEST_METHODS,
  type AppKey,
  type ChatUsage,
  type ReplicaState,
  type Service,
  type ServiceEvent,
  type ServiceMetricPoint,
  type ServiceState,
  type ServiceToken,
  type TestResponse,
} from '@aiplat/api';
import { z } from 'zod';
import { SERVICE_ACTIONS, type ServiceAction } from './serviceActions.js';
import { MAX_TOKEN_LIMIT } from './serviceKeyRules.js';

/*
 * The message contract between the service webview (app.ts) and the extension (servicePanels.ts),
 * declared once. What comes from the page (its messages, the state it saves for a window reload) is
 * checked here with zod before the extension acts on it; the page imports only the types, so its
 * script carries no zod. The page never talks to the server: keys, calls and chats go through the
 * extension, which holds the connection's token.
 */

export type { ServiceAction } from './serviceActions.js';

/** Everything the page says, translated by the extension (the webview has no `vscode.l10n`). */
export interface ServiceStrings {
  actions: Record<ServiceAction, string>;
  states: Record<ServiceState, string>;
  replicaStates: Record<ReplicaState, string>;
  eventTypes: Record<ServiceEvent['type'], string>;
  sections: {
    overview: string;
    versions: string;
    replicas: string;
    events: string;
    metrics: string;
    tokens: string;
    appKeys: string;
    curl: string;
    test: string;
    chat: string;
  };
  fields: {
    state: string;
    url: string;
    version: string;
    auth: string;
    limits: string;
    engine: string;
    created: string;
    waiting: string;
    failure: string;
    model: string;
    command: string;
    resources: string;
    replicas: string;
    serving: string;
    replica: string;
    restarts: string;
    message: string;
    started: string;
    description: string;
    tokenId: string;
    prefix: string;
    enabled: string;
    usage: string;
    tokensPerMinute: string;
    tokensPerDay: string;
    appKey: string;
    lastUsed: string;
  };
  charts: {
    requests: string;
    latency: string;
    tokens: string;
    ttft: string;
    time: string;
    series: Record<string, string>;
  };
  noMetrics: string;
  noTokens: string;
  noAppKeys: string;
  deleted: string;
  yes: string;
  no: string;
  createToken: string;
  createAppKey: string;
  enable: string;
  disable: string;
  delete: string;
  copy: string;
  copied: string;
  /** Shown above a created token or AppSecret: it is not shown again. */
  shownOnce: string;
  /** A token limit that is not empty nor a whole number above 0; {0} is the field. */
  badTokenLimit: string;
  tokenAuthOff: string;
  appKeyAuthOff: string;
  appSecretLabel: string;
  appSecretHint: string;
  pathLabel: string;
  bodyLabel: string;
  methodLabel: string;
  makeCurl: string;
  noSigningAppKey: string;
  pasteAppSecret: string;
  curlExpires: string;
  send: string;
  sending: string;
  responseLabel: string;
  badPath: string;
  badJson: string;
  bodyWithGet: string;
  chatPlaceholder: string;
  chatModel: string;
  chatSend: string;
  chatStop: string;
  chatClear: string;
  chatUsage: string;
  you: string;
  assistant: string;
  callsAsYou: string;
}

/** What the host adds to the raw service: formatted on the extension side. */
export interface ServiceSummary {
  /** The full URL callers use: `<server>/services/<name>/`. */
  url: string;
  stateLabel: string;
  resourcesText: string;
  replicasText: string;
  /** Actions allowed in the service's state. */
  actions: ServiceAction[];
}

/** A secret the page shows once (a created token or AppSecret); never saved by the page. */
export type ShownSecret =
  { kind: 'token'; id: string; secret: string } | { kind: 'appKey'; id: string; secret: string };

/** Extension → webview. */
export type HostMessage =
  | {
      type: 'init';
      service: Service;
      summary: ServiceSummary;
      events: ServiceEvent[];
      points: ServiceMetricPoint[];
      tokens: ServiceToken[];
      appKeys: AppKey[];
      strings: ServiceStrings;
    }
  | { type: 'service'; service: Service; summary: ServiceSummary; events: ServiceEvent[] }
  /** Every point the charts show (a fresh read). */
  | { type: 'metrics'; points: ServiceMetricPoint[] }
  /** One bucket that just closed (the service-metrics topic). */
  | { type: 'metricPoint'; point: ServiceMetricPoint }
  | { type: 'tokens'; tokens: ServiceToken[] }
  | { type: 'appKeys'; appKeys: AppKey[] }
  | { type: 'secret'; secret: ShownSecret }
  /** A signed curl command and the AppKey it is signed with. */
  | { type: 'curl'; command: string; appKey: string }
  | { type: 'testResponse'; response: TestResponse }
  /** Why the online test was not sent or got no answer (shown in the test panel). */
  | { type: 'testError'; message: string }
  | { type: 'chatDelta'; id: string; text: string }
  | { type: 'chatDone'; id: string; usage?: ChatUsage }
  | { type: 'chatError'; id: string; message: string }
  | { type: 'deleted' }
  | { type: 'error'; message: string };

const NameSchema = z.string().min(1).max(200);
const TokenIdSchema = z.string().regex(/^tk-[a-f0-9]{12}$/);
const AppKeyIdSchema = z.string().regex(/^ak-[a-f0-9]{16}$/);
const LimitSchema = z.number().int().positive().max(MAX_TOKEN_LIMIT);
const ChatIdSchema = z.string().min(1).max(64);

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('action'), action: z.enum(SERVICE_ACTIONS) }),
  z.object({
    type: z.literal('createToken'),
    description: z.string().max(200).optional(),
    tokensPerMinute: LimitSchema.optional(),
    tokensPerDay: LimitSchema.optional(),
  }),
  z.object({ type: z.literal('setTokenEnabled'), id: TokenIdSchema, enabled: z.boolean() }),
  z.object({ type: z.literal('deleteToken'), id: TokenIdSchema }),
  z.object({ type: z.literal('createAppKey'), description: z.string().max(200).optional() }),
  z.object({ type: z.literal('setAppKeyEnabled'), appKey: AppKeyIdSchema, enabled: z.boolean() }),
  z.object({ type: z.literal('deleteAppKey'), appKey: AppKeyIdSchema }),
  /** The AppSecret is used for this one signature and forgotten. */
  z.object({
    type: z.literal('signCurl'),
    appKey: AppKeyIdSchema,
    appSecret: z.string().min(1).max(1024),
    path: z.string().max(4096),
    body: z
      .string()
      .max(1024 * 1024)
      .optional(),
  }),
  z.object({ type: z.literal('copy'), text: z.string().max(1024 * 1024) }),
  z.object({
    type: z.literal('testRequest'),
    method: z.enum(TEST_METHODS),
    path: z.string().max(4096),
    body: z.string().max(1024 * 1024),
  }),
  z.object({
    type: z.literal('chat'),
    id: ChatIdSchema,
    model: z.string().max(200).optional(),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(256 * 1024) }))
      .min(1)
      .max(200),
  }),
  z.object({ type: z.literal('stopChat'), id: ChatIdSchema }),
]);

/** Webview → extension. `ready` is the handshake: the host sends `init` only after it. */
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

/** Checks what arrives from the page: `undefined` for anything that is not a `WebviewMessage`. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  const parsed = WebviewMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** What the page keeps with `setState` and VS Code hands back to restore it after a reload. */
export interface ServicePageState {
  name: string;
}

const ServicePageStateSchema = z.object({ name: NameSchema.regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/) });

/** The saved state of a restored panel, checked (it comes from the page): undefined if unusable. */
export function parseServicePageState(value: unknown): ServicePageState | undefined {
  const parsed = ServicePageStateSchema.safeParse(value);
  return parsed.success ? { name: parsed.data.name } : undefined;
}

export { dispatch, type MessageHandlers } from '../messages.js';
