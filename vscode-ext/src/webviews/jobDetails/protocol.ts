import type { InstanceState, JobDetail, JobEvent, JobEventType, JobMetricsResponse, JobState } from '@aiplat/api';
import type { ChartKind, ChartSeries } from './chartLayout.js';

/*
 * The message contract between the job details webview and the extension, declared once: the host
 * (`jobDetailsPanel.ts`) and the app (`app.ts`) both import these types, and each side handles
 * every message of the other through a handler map, so a new message without a handler is a
 * compile error. The webview never talks to the server; it asks the extension.
 */

/** Actions the page's buttons ask the extension for; the same as the Jobs view's context menu. */
export const JOB_ACTIONS = ['stop', 'forceStop', 'startAgain', 'copy', 'delete', 'showLogs', 'tensorboard'] as const;
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
  overview: string;
  metrics: string;
  /** The title of each metric chart (the webview adds the unit of byte charts). */
  charts: Record<ChartKind, string>;
  time: string;
  noMetrics: string;
  deleted: string;
  instanceName: string;
  instanceState: string;
  host: string;
  exitCode: string;
  actions: Record<JobAction, string>;
  /** The tooltip of Force Stop. */
  forceStopHint: string;
  states: Record<JobState, string>;
  instanceStates: Record<InstanceState, string>;
  eventTypes: Record<JobEventType, string>;
  queuePosition: string;
}

/** One line of the overview (mode, command, working folder, image, resources...). */
export interface OverviewRow {
  key: string;
  label: string;
  value: string;
}

/** What the host shows of a job besides the raw job: formatted on the extension side. */
export interface JobSummary {
  stateLabel: string;
  overview: OverviewRow[];
  progressText?: string;
  etaText?: string;
  /** Actions allowed in the job's state. */
  actions: JobAction[];
}

/** What the page keeps with `setState` and VS Code hands back to restore it after a reload. */
export interface JobDetailsState {
  jobId: string;
}

/** The saved state of a restored panel, checked (it comes from the page): undefined if unusable. */
export function parseJobDetailsState(value: unknown): JobDetailsState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const jobId = (value as Record<string, unknown>).jobId;
  return typeof jobId === 'string' && jobId.length > 0 ? { jobId } : undefined;
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
  /** The loss curves read from the job's logs so far (each message has them all). */
  | { type: 'loss'; series: ChartSeries[] }
  | { type: 'deleted' }
  | { type: 'error'; message: string };

/** Webview → extension. `ready` is the handshake: the host sends `init` only after it. */
export type WebviewMessage = { type: 'ready' } | { type: 'action'; action: JobAction } | { type: 'refresh' };

export type HostMessageType = HostMessage['type'];
export type WebviewMessageType = WebviewMessage['type'];

export { dispatch, type MessageHandlers } from '../messages.js';

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
