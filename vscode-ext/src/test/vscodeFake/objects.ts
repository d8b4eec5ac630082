import { Disposable, Uri } from './values.js';

/** The objects the `vscode` fake hands out: documents, output channels, status bar items, webviews. */

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
