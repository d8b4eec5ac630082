import type { FakeOutputChannel, FakeStatusBarItem, FakeTextDocument, FakeWebviewPanel } from './objects.js';
import type { Uri } from './values.js';

export type Handler = (...args: unknown[]) => unknown;
export type Answer = string | undefined;

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
  /** A modal's detail text, when given. */
  detail?: string;
}

/** What a `withProgress` task reported. */
export interface ProgressReport {
  message?: string;
  increment?: number;
}

/** One `withProgress` call: its title, what it reported, and its Cancel button (cancellable ones). */
export interface ProgressRun {
  title: string;
  cancellable: boolean;
  reports: ProgressReport[];
  cancel(): void;
}

export interface InputBoxCall {
  title?: string;
  prompt?: string;
  value?: string;
  password?: boolean;
  /** What the box said when shown (a server's issue at this step). */
  validationMessage?: string;
  /** `showInputBox`'s check of the value as typed (the fake never calls it; a test may). */
  validateInput?: (value: string) => string | undefined;
  /** Multi-step inputs (`createInputBox`): "step/totalSteps" and whether Back is offered. */
  step?: number;
  totalSteps?: number;
  back?: boolean;
}

export interface OpenDialogCall {
  title?: string;
  openLabel?: string;
  defaultUri?: Uri;
  filters?: Record<string, string[]>;
}

/** An answer for `createQuickPick`/`createInputBox` prompts: press their Back button. */
export const BACK_BUTTON = Symbol('press Back');

export interface ConfigurationChangeEvent {
  affectsConfiguration(section: string): boolean;
}

export interface QuickPickCall {
  title?: string;
  placeHolder?: string;
  labels: string[];
  /** canPickMany: the labels picked when it opened. */
  picked?: string[];
  /** Multi-step picks (`createQuickPick`): "step/totalSteps", Back offered, the active item's label. */
  step?: number;
  totalSteps?: number;
  back?: boolean;
  active?: string;
}

/** A quick-pick answer: the label to pick, `undefined` for "cancelled", or Back (createQuickPick). */
export type QuickPickAnswer = string | undefined | typeof BACK_BUTTON;

/** What the fake recorded, and the answers the tests script for the next prompts. */

/** What the fake recorded, and the answers the tests script for the next prompts. */
export const fake = {
  quickPicks: [] as QuickPickCall[],
  /** Labels picked in the next `showQuickPick` calls, in order; none left means cancelled. */
  quickPickAnswers: [] as QuickPickAnswer[],
  treeProviders: new Map<string, unknown>(),
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): unknown }>(),
  /** `registerFileSystemProvider`, by scheme. */
  fileSystemProviders: new Map<string, unknown>(),
  outputChannels: [] as FakeOutputChannel[],
  webviewPanels: [] as FakeWebviewPanel[],
  /** `registerWebviewPanelSerializer`, by view type. */
  serializers: new Map<
    string,
    { deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): PromiseLike<void> }
  >(),
  statusBarItems: [] as FakeStatusBarItem[],
  openedDocuments: [] as { uri?: string; content?: string; language?: string }[],
  shownDocuments: [] as string[],
  context: new Map<string, unknown>(),
  clipboard: '',
  activeTextEditor: undefined as { document: FakeTextDocument } | undefined,
  /** Files `workspace.findFiles` returns. */
  workspaceFiles: [] as Uri[],
  /** What `workspace.fs.readFile` answers, by `Uri.toString()`. */
  files: new Map<string, string>(),
  configUpdates: [] as { key: string; value: unknown }[],
  commands: new Map<string, Handler>(),
  executed: [] as { command: string; args: unknown[] }[],
  messages: [] as ShownMessage[],
  inputBoxes: [] as InputBoxCall[],
  progressTitles: [] as string[],
  progressRuns: [] as ProgressRun[],
  /** Answers for the next input boxes, in order; `undefined` means "cancelled", BACK_BUTTON (createInputBox) Back. */
  inputBoxAnswers: [] as (Answer | typeof BACK_BUTTON)[],
  /** Items chosen in the next `show*Message` calls, in order; none left means dismissed. */
  messageAnswers: [] as Answer[],
  /** URLs given to `env.openExternal`, in order. */
  openedExternal: [] as string[],
  /** `window.showOpenDialog` calls, and the files to answer the next ones with (none left: cancelled). */
  openDialogs: [] as OpenDialogCall[],
  openDialogAnswers: [] as (Uri[] | undefined)[],
  /** `window.showSaveDialog` calls (their titles), and the files to answer the next ones with. */
  saveDialogs: [] as { title?: string; defaultUri?: Uri }[],
  saveDialogAnswers: [] as (Uri | undefined)[],
  /** The folders open in the workspace (`workspace.workspaceFolders`), as file paths. */
  workspaceFolders: [] as string[],
  /** Ids of the extensions `extensions.getExtension` finds installed. */
  installedExtensions: new Set<string>(),
  config: new Map<string, unknown>(),
  configListeners: new Set<(event: ConfigurationChangeEvent) => void>(),

  reset(): void {
    this.quickPicks.length = 0;
    this.quickPickAnswers.length = 0;
    this.treeProviders.clear();
    this.contentProviders.clear();
    this.fileSystemProviders.clear();
    this.outputChannels.length = 0;
    this.webviewPanels.length = 0;
    this.serializers.clear();
    this.statusBarItems.length = 0;
    this.openedDocuments.length = 0;
    this.shownDocuments.length = 0;
    this.context.clear();
    this.clipboard = '';
    this.activeTextEditor = undefined;
    this.workspaceFiles.length = 0;
    this.files.clear();
    this.configUpdates.length = 0;
    this.commands.clear();
    this.executed.length = 0;
    this.messages.length = 0;
    this.inputBoxes.length = 0;
    this.progressTitles.length = 0;
    this.progressRuns.length = 0;
    this.inputBoxAnswers.length = 0;
    this.messageAnswers.length = 0;
    this.openedExternal.length = 0;
    this.openDialogs.length = 0;
    this.openDialogAnswers.length = 0;
    this.saveDialogs.length = 0;
    this.saveDialogAnswers.length = 0;
    this.workspaceFolders.length = 0;
    this.installedExtensions.clear();
    this.config.clear();
    this.configListeners.clear();
  },

  /** Sets a setting and fires `onDidChangeConfiguration` like VS Code does. */
  setConfig(key: string, value: unknown): void {
    this.config.set(key, value);
    const event = { affectsConfiguration: (section: string) => key === section || key.startsWith(`${section}.`) };
    for (const listener of [...this.configListeners]) listener(event);
  },
};
