import { X_AXES, type BoardOptions, type SourceState, type XAxis } from '@aiplat/api';
import { z } from 'zod';

/*
 * The message contract between the TensorBoard webview (app.ts) and the extension
 * (scalarsPanels.ts), declared once. What comes from the page (its messages, the state it saves for
 * a window reload) is checked here with zod before the extension acts on it; the page imports only
 * the types, so its script carries no zod.
 */

/** Everything the page says, translated by the extension (the webview has no `vscode.l10n`). */
export interface ScalarsStrings {
  tagFilter: string;
  tagFilterPlaceholder: string;
  smoothing: string;
  xAxis: string;
  xAxes: Record<XAxis, string>;
  logScale: string;
  runs: string;
  compare: string;
  remove: string;
  openTensorBoard: string;
  /** `{0}`: a source's label. */
  loading: string;
  /** `{0}`: a source's label, `{1}` its folder under /work. */
  empty: string;
  /** `{0}`: a source's label, `{1}` why it could not be read. */
  failed: string;
  noTags: string;
  warnings: string;
  tensorBoardStarting: string;
  tensorBoardOpened: string;
}

/** Where the page's "Open TensorBoard" stands. */
export type TensorBoardStatus =
  { status: 'starting' } | { status: 'opened' } | { status: 'unavailable' | 'failed'; message: string };

/** Extension → webview. */
export type HostMessage =
  /** After the page's `ready`, once connected: the strings and the options to start with. */
  | { type: 'init'; strings: ScalarsStrings; options: BoardOptions }
  /** Every source of the panel as it stands (each message has them all). */
  | { type: 'sources'; sources: SourceState[] }
  | { type: 'tensorboard'; tensorboard: TensorBoardStatus }
  | { type: 'error'; message: string };

const ScalarSourceSchema = z.object({
  path: z.string().min(1).max(4096),
  label: z.string().max(1024),
  jobId: z.string().min(1).max(64).optional(),
});

const BoardOptionsSchema = z.object({
  tagFilter: z.string().max(1024),
  smoothing: z.number().min(0).max(0.999),
  xAxis: z.enum(X_AXES),
  logScale: z.boolean(),
  hidden: z.array(z.string().max(8192)).max(1000),
});

/** The most log directories one panel compares. */
export const MAX_SOURCES = 16;

/** What the page keeps with `setState`, handed back by VS Code to restore the panel after a reload. */
const ScalarsStateSchema = z.object({
  sources: z.array(ScalarSourceSchema).min(1).max(MAX_SOURCES),
  options: BoardOptionsSchema.optional(),
});

export type ScalarsState = z.infer<typeof ScalarsStateSchema>;

const WebviewMessageSchema = z.discriminatedUnion('type', [
  /** The handshake: the extension sends `init` only after it. */
  z.object({ type: z.literal('ready') }),
  /** "Compare with…": the extension asks for another job or folder. */
  z.object({ type: z.literal('compare') }),
  /** Leave a compared source out again. */
  z.object({ type: z.literal('remove'), path: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('openTensorBoard') }),
]);

/** Webview → extension. */
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

/** A message from the page, or undefined for anything that is not a `WebviewMessage`. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  const parsed = WebviewMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The saved state of a restored panel (it comes from the page): undefined if unusable. */
export function parseScalarsState(value: unknown): ScalarsState | undefined {
  const parsed = ScalarsStateSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
