import type { JobDetail, JobEvent, JobMetricsResponse, JobState } from '@aiplat/api';

/*
 * The message contract between the job details webview and the extension, declared once: the host
 * (`jobDetailsPanel.ts`) and the app (`app.ts`) both import these types, and each side handles
 * every message of the other through a handler map, so a new message without a handler is a
 * compile error. The webview never talks to the server; it asks the extension.
 */

/** Actions the page's buttons ask the extension for; the same as the Jobs view's context menu. */
export const JOB_ACTIONS = ['stop', 'startAgain', 'copy', 'delete', 'showLogs'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** Everything the page says, translated by the extension (the webview has no `vscode.l10n`). */
export interface JobDetailsStrings {
  state: string;
  progress: string;
  eta: string;
  created: string;
  started: string;
  finished: string;
  reason: string;
  waiting: string;
  instances: string;
  events: string;
  metrics: string;
  cpu: string;
  memory: string;
  noMetrics: string;
  deleted: string;
  instanceName: string;
  instanceState: string;
  host: string;
  exitCode: string;
  actions: Record<JobAction, string>;
  states: Record<JobState, string>;
}

/** What the host shows of a job besides the raw job: formatted on the extension side. */
export interface JobSummary {
  stateLabel: string;
  progressText?: string;
  etaText?: string;
  /** Actions allowed in the job's state. */
  actions: JobAction[];
}

/** Extension → webview. */
export type HostMessage =
  | {
      type: 'init';
      job: JobDetail;
      summary: JobSummary;
      events: JobEvent[];
      metrics: JobMetricsResponse;
      strings: JobDetailsStrings;
    }
  | { type: 'job'; job: JobDetail; summary: JobSummary }
  | { type: 'event'; event: JobEvent }
  | { type: 'metrics'; metrics: JobMetricsResponse }
  | { type: 'deleted' }
  | { type: 'error'; message: string };

/** Webview → extension. `ready` is the handshake: the host sends `init` only after it. */
export type WebviewMessage = { type: 'ready' } | { type: 'action'; action: JobAction } | { type: 'refresh' };

export type HostMessageType = HostMessage['type'];
export type WebviewMessageType = WebviewMessage['type'];

/** One handler per message type: a missing one is a compile error. */
export type MessageHandlers<M extends { type: string }> = {
  [K in M['type']]: (message: Extract<M, { type: K }>) => void | Promise<void>;
};

/** Dispatches a message to its handler. */
export function dispatch<M extends { type: string }>(handlers: MessageHandlers<M>, message: M): void | Promise<void> {
  const handler = handlers[message.type as M['type']] as (message: M) => void | Promise<void>;
  return handler(message);
}

/**
 * Checks what arrives from the webview before the extension acts on it (the page is less trusted
 * than the extension): `undefined` for anything that is not a `WebviewMessage`.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'refresh':
      return { type: 'refresh' };
    case 'action':
      return typeof message.action === 'string' && (JOB_ACTIONS as readonly string[]).includes(message.action)
        ? { type: 'action', action: message.action as JobAction }
        : undefined;
    default:
      return undefined;
  }
}
