/** The value types of the `vscode` fake (what `vscode` exports as classes and enums), free of its state. */

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

export enum FileType {
  Unknown = 0,
  File = 1,
  Directory = 2,
  SymbolicLink = 64,
}

export enum FileChangeType {
  Changed = 1,
  Created = 2,
  Deleted = 3,
}

export class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  private static make(code: string, messageOrUri?: string | Uri): FileSystemError {
    return new FileSystemError(typeof messageOrUri === 'string' ? messageOrUri : String(messageOrUri ?? code), code);
  }
  static FileNotFound = (messageOrUri?: string | Uri) => FileSystemError.make('FileNotFound', messageOrUri);
  static FileExists = (messageOrUri?: string | Uri) => FileSystemError.make('FileExists', messageOrUri);
  static FileNotADirectory = (messageOrUri?: string | Uri) => FileSystemError.make('FileNotADirectory', messageOrUri);
  static FileIsADirectory = (messageOrUri?: string | Uri) => FileSystemError.make('FileIsADirectory', messageOrUri);
  static NoPermissions = (messageOrUri?: string | Uri) => FileSystemError.make('NoPermissions', messageOrUri);
  static Unavailable = (messageOrUri?: string | Uri) => FileSystemError.make('Unavailable', messageOrUri);
}
