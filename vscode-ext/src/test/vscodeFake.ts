/**
 * A small in-memory stand-in for the `vscode` module, for unit tests only:
 * `vi.mock('vscode', () => import('../test/vscodeFake.js'))`, then drive it through `fake`.
 * It implements just what the extension uses; add to it when the extension needs more.
 */

type Handler = (...args: unknown[]) => unknown;
type Answer = string | undefined;

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
}

export interface InputBoxCall {
  title?: string;
  prompt?: string;
  value?: string;
  password?: boolean;
  /** Multi-step inputs (`createInputBox`): "step/totalSteps" and whether Back is offered. */
  step?: number;
  totalSteps?: number;
  back?: boolean;
}

/** An answer for `createQuickPick`/`createInputBox` prompts: press their Back button. */
export const BACK_BUTTON = Symbol('press Back');

interface ConfigurationChangeEvent {
  affectsConfiguration(section: string): boolean;
}

export interface QuickPickCall {
  title?: string;
  placeHolder?: string;
  labels: string[];
  /** Multi-step picks (`createQuickPick`): "step/totalSteps", Back offered, the active item's label. */
  step?: number;
  totalSteps?: number;
  back?: boolean;
  active?: string;
}

/** A quick-pick answer: the label to pick, `undefined` for "cancelled", or Back (createQuickPick). */
export type QuickPickAnswer = string | undefined | typeof BACK_BUTTON;

/** What the fake recorded, and the answers the tests script for the next prompts. */
export const fake = {
  quickPicks: [] as QuickPickCall[],
  /** Labels picked in the next `showQuickPick` calls, in order; none left means cancelled. */
  quickPickAnswers: [] as QuickPickAnswer[],
  treeProviders: new Map<string, unknown>(),
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): unknown }>(),
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
  /** Answers for the next input boxes, in order; `undefined` means "cancelled", BACK_BUTTON (createInputBox) Back. */
  inputBoxAnswers: [] as (Answer | typeof BACK_BUTTON)[],
  /** Items chosen in the next `show*Message` calls, in order; none left means dismissed. */
  messageAnswers: [] as Answer[],
  config: new Map<string, unknown>(),
  configListeners: new Set<(event: ConfigurationChangeEvent) => void>(),

  reset(): void {
    this.quickPicks.length = 0;
    this.quickPickAnswers.length = 0;
    this.treeProviders.clear();
    this.contentProviders.clear();
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
    this.inputBoxAnswers.length = 0;
    this.messageAnswers.length = 0;
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

export class Disposable {
  private disposed = false;
  constructor(private readonly onDispose: () => void) {}
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
  }
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return message.replace(/\{(\d+)\}/g, (match, index: string) =>
      Number(index) < args.length ? String(args[Number(index)]) : match,
    );
  },
};

export const commands = {
  registerCommand(command: string, handler: Handler): Disposable {
    if (fake.commands.has(command)) throw new Error(`command '${command}' already exists`);
    fake.commands.set(command, handler);
    return new Disposable(() => fake.commands.delete(command));
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    fake.executed.push({ command, args });
    if (command === 'setContext') fake.context.set(String(args[0]), args[1]);
    const handler = fake.commands.get(command);
    return handler ? await handler(...args) : undefined;
  },
};

function showMessage(severity: ShownMessage['severity'], text: string, items: unknown[]): Promise<Answer> {
  const labels = items.filter((item): item is string => typeof item === 'string');
  fake.messages.push({ severity, text, items: labels });
  const answer = fake.messageAnswers.shift();
  return Promise.resolve(answer !== undefined && labels.includes(answer) ? answer : undefined);
}

export const window = {
  showInformationMessage: (text: string, ...items: unknown[]) => showMessage('info', text, items),
  showWarningMessage: (text: string, ...items: unknown[]) => showMessage('warning', text, items),
  showErrorMessage: (text: string, ...items: unknown[]) => showMessage('error', text, items),
  showInputBox(options: InputBoxCall = {}): Promise<Answer> {
    fake.inputBoxes.push(options);
    const answer = fake.inputBoxAnswers.shift();
    if (answer === BACK_BUTTON) throw new Error('showInputBox has no Back button');
    return Promise.resolve(answer);
  },
  createQuickPick(): FakeQuickPick {
    return new FakeQuickPick();
  },
  createInputBox(): FakeInputBox {
    return new FakeInputBox();
  },
  async withProgress<T>(options: { title?: string }, task: (progress: { report(value: unknown): void }) => Promise<T>) {
    fake.progressTitles.push(options.title ?? '');
    return task({ report: () => undefined });
  },
  async showQuickPick<T extends string | { label: string }>(
    items: readonly T[] | PromiseLike<readonly T[]>,
    options: { title?: string; placeHolder?: string } = {},
  ): Promise<T | undefined> {
    const list = await items;
    const label = (item: T) => (typeof item === 'string' ? item : item.label);
    fake.quickPicks.push({ title: options.title, placeHolder: options.placeHolder, labels: list.map(label) });
    const answer = fake.quickPickAnswers.shift();
    if (answer === BACK_BUTTON) throw new Error('showQuickPick has no Back button');
    if (answer === undefined) return undefined;
    const found = list.find((item) => label(item) === answer);
    if (!found) throw new Error(`quick pick has no item "${answer}": ${list.map(label).join(', ')}`);
    return found;
  },
  get activeTextEditor() {
    return fake.activeTextEditor;
  },
  registerTreeDataProvider(viewId: string, provider: unknown): Disposable {
    fake.treeProviders.set(viewId, provider);
    return new Disposable(() => fake.treeProviders.delete(viewId));
  },
  createTreeView(viewId: string, options: { treeDataProvider: unknown }) {
    fake.treeProviders.set(viewId, options.treeDataProvider);
    const view = new Disposable(() => fake.treeProviders.delete(viewId));
    const never = () => new Disposable(() => undefined);
    return Object.assign(view, { onDidExpandElement: never, onDidCollapseElement: never });
  },
  createOutputChannel(name: string, _language?: string): FakeOutputChannel {
    const channel = new FakeOutputChannel(name);
    fake.outputChannels.push(channel);
    return channel;
  },
  createStatusBarItem(_alignment?: StatusBarAlignment, _priority?: number): FakeStatusBarItem {
    const item = new FakeStatusBarItem();
    fake.statusBarItems.push(item);
    return item;
  },
  createWebviewPanel(viewType: string, title: string, _column: unknown, options: unknown): FakeWebviewPanel {
    const panel = new FakeWebviewPanel(viewType, title, options);
    fake.webviewPanels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer(
    viewType: string,
    serializer: { deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): PromiseLike<void> },
  ): Disposable {
    if (fake.serializers.has(viewType)) throw new Error(`a serializer for '${viewType}' is registered already`);
    fake.serializers.set(viewType, serializer);
    return new Disposable(() => fake.serializers.delete(viewType));
  },
  async showTextDocument(document: FakeTextDocument | Uri): Promise<unknown> {
    fake.shownDocuments.push(document instanceof Uri ? document.toString() : document.uri.toString());
    return Promise.resolve({ document });
  },
};

export const env = {
  clipboard: {
    writeText(text: string): Promise<void> {
      fake.clipboard = text;
      return Promise.resolve();
    },
  },
  asExternalUri(uri: Uri): Promise<Uri> {
    return Promise.resolve(uri);
  },
};

export const workspace = {
  getConfiguration(section?: string) {
    const prefix = section ? `${section}.` : '';
    return {
      get<T>(key: string, defaultValue?: T): T | undefined {
        const full = prefix + key;
        return fake.config.has(full) ? (fake.config.get(full) as T) : defaultValue;
      },
      update(key: string, value: unknown): Promise<void> {
        fake.configUpdates.push({ key: prefix + key, value });
        fake.setConfig(prefix + key, value);
        return Promise.resolve();
      },
    };
  },
  textDocuments: [] as unknown[],
  onDidOpenTextDocument: (): Disposable => new Disposable(() => undefined),
  onDidCloseTextDocument: (): Disposable => new Disposable(() => undefined),
  onDidChangeConfiguration(listener: (event: ConfigurationChangeEvent) => void): Disposable {
    fake.configListeners.add(listener);
    return new Disposable(() => fake.configListeners.delete(listener));
  },
  registerTextDocumentContentProvider(
    scheme: string,
    provider: { provideTextDocumentContent(uri: Uri): unknown },
  ): Disposable {
    fake.contentProviders.set(scheme, provider);
    return new Disposable(() => fake.contentProviders.delete(scheme));
  },
  async openTextDocument(arg: Uri | { content?: string; language?: string }): Promise<FakeTextDocument> {
    if (arg instanceof Uri) {
      const provider = fake.contentProviders.get(arg.scheme);
      const text = provider
        ? String(await provider.provideTextDocumentContent(arg))
        : (fake.files.get(arg.toString()) ?? '');
      fake.openedDocuments.push({ uri: arg.toString() });
      return new FakeTextDocument(arg, text);
    }
    fake.openedDocuments.push({ content: arg.content, language: arg.language });
    return new FakeTextDocument(
      Uri.from({ scheme: 'untitled', path: `/Untitled-${fake.openedDocuments.length}` }),
      arg.content ?? '',
    );
  },
  asRelativePath(uri: Uri | string): string {
    return typeof uri === 'string' ? uri : uri.path.replace(/^\/+/, '');
  },
  findFiles(_include: string): Promise<Uri[]> {
    return Promise.resolve([...fake.workspaceFiles]);
  },
  fs: {
    readFile(uri: Uri): Promise<Uint8Array> {
      const text = fake.files.get(uri.toString());
      if (text === undefined) return Promise.reject(new Error(`no file ${uri.toString()}`));
      return Promise.resolve(new TextEncoder().encode(text));
    },
  },
};

// ---- classes the extension constructs --------------------------------------------------------

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
  ) {}

  static from(parts: { scheme: string; authority?: string; path?: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.authority ?? '', parts.path ?? '', parts.query ?? '');
  }

  static file(path: string): Uri {
    return new Uri('file', '', path, '');
  }

  static parse(text: string): Uri {
    const url = new URL(text);
    return new Uri(
      url.protocol.replace(/:$/, ''),
      url.host,
      decodeURIComponent(url.pathname),
      url.search.replace(/^\?/, ''),
    );
  }

  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, base.authority, [base.path.replace(/\/+$/, ''), ...segments].join('/'), '');
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: { path?: string; query?: string }): Uri {
    return new Uri(this.scheme, this.authority, change.path ?? this.path, change.query ?? this.query);
  }

  toString(): string {
    return `${this.scheme}:${this.authority ? `//${this.authority}` : ''}${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

export class FakeTextDocument {
  constructor(
    readonly uri: Uri,
    private readonly text: string,
  ) {}

  get fileName(): string {
    return this.uri.path;
  }

  get languageId(): string {
    return /\.ya?ml$/.test(this.uri.path) ? 'yaml' : 'plaintext';
  }

  isUntitled = false;

  getText(): string {
    return this.text;
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  readonly event = (listener: (value: T) => void) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
  static readonly File = new ThemeIcon('file');
  static readonly Folder = new ThemeIcon('folder');
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  description?: string;
  tooltip?: unknown;
  contextValue?: string;
  iconPath?: unknown;
  command?: { command: string; title: string; arguments?: unknown[] };
  id?: string;
  resourceUri?: Uri;
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class MarkdownString {
  constructor(public value = '') {}
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export class FakeOutputChannel {
  text = '';
  shown = false;
  disposed = false;
  constructor(readonly name: string) {}
  append(value: string): void {
    this.text += value;
  }
  appendLine(value: string): void {
    this.text += `${value}\n`;
  }
  clear(): void {
    this.text = '';
  }
  show(): void {
    this.shown = true;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown;
  command: unknown;
  backgroundColor: unknown;
  visible = false;
  disposed = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export class FakeWebview {
  html = '';
  options: unknown;
  readonly cspSource = 'vscode-webview://fake';
  /** Messages the extension posted to the webview. */
  readonly posted: unknown[] = [];
  private readonly receivers = new Set<(message: unknown) => void>();

  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return Promise.resolve(true);
  }

  onDidReceiveMessage(listener: (message: unknown) => void): Disposable {
    this.receivers.add(listener);
    return new Disposable(() => this.receivers.delete(listener));
  }

  asWebviewUri(uri: Uri): Uri {
    return Uri.from({ scheme: 'https', authority: 'webview.fake', path: uri.path });
  }

  /** Test side: the webview sends a message to the extension. */
  async receive(message: unknown): Promise<void> {
    for (const listener of [...this.receivers]) await listener(message);
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  disposed = false;
  revealed = 0;
  private readonly disposeListeners = new Set<() => void>();
  constructor(
    readonly viewType: string,
    public title: string,
    readonly options: unknown,
  ) {}
  reveal(): void {
    this.revealed++;
  }
  onDidDispose(listener: () => void): Disposable {
    this.disposeListeners.add(listener);
    return new Disposable(() => this.disposeListeners.delete(listener));
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const listener of [...this.disposeListeners]) listener();
  }
}

export const QuickInputButtons = { Back: { iconPath: new ThemeIcon('arrow-left'), tooltip: 'Back' } } as const;

/**
 * The shared part of `createQuickPick`/`createInputBox`: on `show()` the next scripted answer
 * is given (after a tick, like a user): Back presses the Back button, `undefined` hides (Escape).
 */
abstract class FakeQuickInput {
  title?: string;
  step?: number;
  totalSteps?: number;
  ignoreFocusOut = false;
  buttons: readonly unknown[] = [];
  value = '';
  hidden = false;
  disposed = false;
  protected readonly accepted = new EventEmitter<void>();
  protected readonly hid = new EventEmitter<void>();
  protected readonly triggered = new EventEmitter<unknown>();
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hid.event;
  readonly onDidTriggerButton = this.triggered.event;

  protected abstract record(): void;
  protected abstract nextAnswer(): string | undefined | typeof BACK_BUTTON;
  protected abstract accept(answer: string): void;

  show(): void {
    this.record();
    setTimeout(() => this.answer(), 0);
  }

  private answer(): void {
    if (this.hidden || this.disposed) return;
    const answer = this.nextAnswer();
    if (answer === BACK_BUTTON) {
      if (!this.buttons.includes(QuickInputButtons.Back)) throw new Error('Back pressed where there is no Back button');
      this.triggered.fire(QuickInputButtons.Back);
    } else if (answer === undefined) this.hide();
    else {
      this.accept(answer);
      // Still shown (the value was refused): the user types the next answer.
      setTimeout(() => this.answer(), 0);
    }
  }

  hide(): void {
    if (this.hidden) return;
    this.hidden = true;
    this.hid.fire();
  }

  dispose(): void {
    if (this.disposed) return;
    this.hide();
    this.disposed = true;
  }

  protected get back(): boolean {
    return this.buttons.includes(QuickInputButtons.Back);
  }
}

export class FakeQuickPick extends FakeQuickInput {
  placeholder?: string;
  items: readonly { label: string }[] = [];
  activeItems: readonly { label: string }[] = [];
  selectedItems: readonly { label: string }[] = [];

  protected record(): void {
    fake.quickPicks.push({
      title: this.title,
      placeHolder: this.placeholder,
      labels: this.items.map((item) => item.label),
      step: this.step,
      totalSteps: this.totalSteps,
      back: this.back,
      ...(this.activeItems[0] ? { active: this.activeItems[0].label } : {}),
    });
  }

  protected nextAnswer() {
    return fake.quickPickAnswers.shift();
  }

  protected accept(answer: string): void {
    const found = this.items.find((item) => item.label === answer);
    if (!found) throw new Error(`quick pick has no item "${answer}": ${this.items.map((i) => i.label).join(', ')}`);
    this.selectedItems = [found];
    this.accepted.fire();
  }
}

export class FakeInputBox extends FakeQuickInput {
  prompt?: string;
  password = false;
  validationMessage: string | undefined;
  private readonly changed = new EventEmitter<string>();
  readonly onDidChangeValue = this.changed.event;

  protected record(): void {
    fake.inputBoxes.push({
      title: this.title,
      prompt: this.prompt,
      value: this.value,
      password: this.password,
      step: this.step,
      totalSteps: this.totalSteps,
      back: this.back,
    });
  }

  protected nextAnswer() {
    return fake.inputBoxAnswers.shift();
  }

  protected accept(answer: string): void {
    this.value = answer;
    this.changed.fire(answer);
    this.accepted.fire();
  }
}
