/**
 * A small in-memory stand-in for the `vscode` module, for unit tests only:
 * `vi.mock('vscode', () => import('../test/vscodeFake.js'))`, then drive it through `fake`.
 * It implements just what the extension uses; add to it when the extension needs more.
 */
import { FakeOutputChannel, FakeStatusBarItem, FakeTextDocument, FakeWebviewPanel } from './vscodeFake/objects.js';
import { FakeInputBox, FakeQuickPick } from './vscodeFake/quickInput.js';
import {
  BACK_BUTTON,
  fake,
  type Answer,
  type ConfigurationChangeEvent,
  type Handler,
  type InputBoxCall,
  type OpenDialogCall,
  type ProgressReport,
  type ProgressRun,
  type ShownMessage,
} from './vscodeFake/state.js';
import { Disposable, EventEmitter, Uri, type StatusBarAlignment } from './vscodeFake/values.js';

interface CancellationToken {
  isCancellationRequested: boolean;
  onCancellationRequested: EventEmitter<void>['event'];
}

export * from './vscodeFake/objects.js';
export * from './vscodeFake/quickInput.js';
export * from './vscodeFake/state.js';
export * from './vscodeFake/values.js';

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
  const options = items.find((item): item is { detail?: string } => typeof item === 'object' && item !== null);
  fake.messages.push({
    severity,
    text,
    items: labels,
    ...(options?.detail !== undefined ? { detail: options.detail } : {}),
  });
  const answer = fake.messageAnswers.shift();
  return Promise.resolve(answer !== undefined && labels.includes(answer) ? answer : undefined);
}

export const window = {
  onDidChangeActiveTextEditor: (): Disposable => new Disposable(() => undefined),
  showInformationMessage: (text: string, ...items: unknown[]) => showMessage('info', text, items),
  showWarningMessage: (text: string, ...items: unknown[]) => showMessage('warning', text, items),
  showErrorMessage: (text: string, ...items: unknown[]) => showMessage('error', text, items),
  showInputBox(options: InputBoxCall = {}): Promise<Answer> {
    fake.inputBoxes.push(options);
    const answer = fake.inputBoxAnswers.shift();
    if (answer === BACK_BUTTON) throw new Error('showInputBox has no Back button');
    return Promise.resolve(answer);
  },
  showOpenDialog(options: OpenDialogCall & { canSelectMany?: boolean } = {}): Promise<Uri[] | undefined> {
    const { canSelectMany: _many, ...call } = options;
    fake.openDialogs.push(call);
    return Promise.resolve(fake.openDialogAnswers.shift());
  },
  showSaveDialog(options: { title?: string; defaultUri?: Uri } = {}): Promise<Uri | undefined> {
    fake.saveDialogs.push({ title: options.title, defaultUri: options.defaultUri });
    return Promise.resolve(fake.saveDialogAnswers.shift());
  },
  createQuickPick(): FakeQuickPick {
    return new FakeQuickPick();
  },
  createInputBox(): FakeInputBox {
    return new FakeInputBox();
  },
  async withProgress<T>(
    options: { title?: string; cancellable?: boolean },
    task: (progress: { report(value: ProgressReport): void }, token: CancellationToken) => Promise<T>,
  ) {
    fake.progressTitles.push(options.title ?? '');
    const cancelled = new EventEmitter<void>();
    const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
    const run: ProgressRun = {
      title: options.title ?? '',
      cancellable: options.cancellable ?? false,
      reports: [],
      cancel: () => {
        if (!run.cancellable) throw new Error(`the progress "${run.title}" is not cancellable`);
        token.isCancellationRequested = true;
        cancelled.fire();
      },
    };
    fake.progressRuns.push(run);
    return task({ report: (value) => run.reports.push(value) }, token);
  },
  async showQuickPick<T extends string | { label: string; picked?: boolean }>(
    items: readonly T[] | PromiseLike<readonly T[]>,
    options: { title?: string; placeHolder?: string; canPickMany?: boolean } = {},
  ): Promise<T | T[] | undefined> {
    const list = await items;
    const label = (item: T) => (typeof item === 'string' ? item : item.label);
    const picked = list.filter((item) => typeof item !== 'string' && item.picked).map(label);
    fake.quickPicks.push({
      title: options.title,
      placeHolder: options.placeHolder,
      labels: list.map(label),
      ...(options.canPickMany ? { picked } : {}),
    });
    const answer = fake.quickPickAnswers.shift();
    if (answer === BACK_BUTTON) throw new Error('showQuickPick has no Back button');
    if (answer === undefined) return undefined;
    const find = (wanted: string) => {
      const found = list.find((item) => label(item) === wanted);
      if (!found) throw new Error(`quick pick has no item "${wanted}": ${list.map(label).join(', ')}`);
      return found;
    };
    // Several items: their labels joined by " + " (an empty answer picks none).
    if (options.canPickMany) return answer === '' ? [] : answer.split(' + ').map(find);
    return find(answer);
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
  openExternal(uri: Uri): Promise<boolean> {
    fake.openedExternal.push(uri.toString());
    return Promise.resolve(true);
  },
};

export const extensions = {
  getExtension(id: string): { id: string } | undefined {
    return fake.installedExtensions.has(id) ? { id } : undefined;
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
  get workspaceFolders() {
    return fake.workspaceFolders.map((folder, index) => ({ uri: Uri.file(folder), index, name: folder }));
  },
  getWorkspaceFolder(uri: Uri) {
    return this.workspaceFolders.find((f) => uri.path === f.uri.path || uri.path.startsWith(`${f.uri.path}/`));
  },
  updateWorkspaceFolders(start: number, deleteCount: number, ...added: { uri: Uri }[]): boolean {
    fake.workspaceFolders.splice(start, deleteCount, ...added.map((f) => f.uri.path));
    return true;
  },
  onDidOpenTextDocument: (): Disposable => new Disposable(() => undefined),
  onDidCloseTextDocument: (): Disposable => new Disposable(() => undefined),
  onDidChangeTextDocument: (): Disposable => new Disposable(() => undefined),
  registerFileSystemProvider(scheme: string, provider: unknown): Disposable {
    if (fake.fileSystemProviders.has(scheme)) throw new Error(`a file system provider for '${scheme}' exists`);
    fake.fileSystemProviders.set(scheme, provider);
    return new Disposable(() => fake.fileSystemProviders.delete(scheme));
  },
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
