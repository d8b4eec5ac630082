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
  password?: boolean;
}

interface ConfigurationChangeEvent {
  affectsConfiguration(section: string): boolean;
}

/** What the fake recorded, and the answers the tests script for the next prompts. */
export const fake = {
  commands: new Map<string, Handler>(),
  executed: [] as { command: string; args: unknown[] }[],
  messages: [] as ShownMessage[],
  inputBoxes: [] as InputBoxCall[],
  progressTitles: [] as string[],
  /** Answers for the next `showInputBox` calls, in order; `undefined` means "cancelled". */
  inputBoxAnswers: [] as Answer[],
  /** Items chosen in the next `show*Message` calls, in order; none left means dismissed. */
  messageAnswers: [] as Answer[],
  config: new Map<string, unknown>(),
  configListeners: new Set<(event: ConfigurationChangeEvent) => void>(),

  reset(): void {
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
    return Promise.resolve(fake.inputBoxAnswers.shift());
  },
  async withProgress<T>(options: { title?: string }, task: (progress: { report(value: unknown): void }) => Promise<T>) {
    fake.progressTitles.push(options.title ?? '');
    return task({ report: () => undefined });
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
    };
  },
  onDidChangeConfiguration(listener: (event: ConfigurationChangeEvent) => void): Disposable {
    fake.configListeners.add(listener);
    return new Disposable(() => fake.configListeners.delete(listener));
  },
};
