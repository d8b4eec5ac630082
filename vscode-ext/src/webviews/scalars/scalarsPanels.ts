import { DEFAULT_BOARD_OPTIONS, ScalarBoard, type ApiClient, type EventSocket, type ScalarSource } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../../connection/liveEvents.js';
import { createNonce } from '../html.js';
import { scriptsFolder } from '../livePanels.js';
import { dispatch, type MessageHandlers } from '../messages.js';
import {
  MAX_SOURCES,
  parseScalarsState,
  parseWebviewMessage,
  type HostMessage,
  type ScalarsState,
  type TensorBoardStatus,
  type WebviewMessage,
} from './protocol.js';
import { renderScalarsHtml } from './scalarsHtml.js';
import { scalarsStrings } from './scalarsStrings.js';

export const SCALARS_VIEW_TYPE = 'aiplat.scalars';
/** The page gets the sources at most this often while points stream in. */
export const SOURCES_POST_MS = 200;

export interface ScalarsPanelsOptions {
  extensionUri: vscode.Uri;
  client: () => ApiClient | undefined;
  events: EventSource;
  /** "Compare with…": another job or folder, not one of `exclude` (paths). */
  pickSource: (exclude: readonly string[]) => Promise<ScalarSource | undefined>;
  /** "Open TensorBoard": the real one, for the panel's first source (tensorBoardOpener.ts). */
  openTensorBoard: (source: ScalarSource) => Promise<TensorBoardStatus>;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((path) => b.includes(path));

/** The TensorBoard panels: one per set of log directories (a job's, a folder's, and those compared). */
export class ScalarsPanels implements vscode.Disposable {
  private readonly open = new Set<ScalarsPanel>();

  constructor(private readonly options: ScalarsPanelsOptions) {}

  get panels(): readonly ScalarsPanel[] {
    return [...this.open];
  }

  /** Shows the panel of these sources: the open one with exactly these paths, or a new one. */
  show(sources: readonly ScalarSource[]): ScalarsPanel {
    const paths = sources.map((s) => s.path);
    const existing = this.panels.find((panel) => sameSet(panel.paths, paths));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SCALARS_VIEW_TYPE, panelTitle(sources), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [scriptsFolder(this.options.extensionUri)],
      retainContextWhenHidden: false,
    });
    return this.adopt(panel, { sources: [...sources] });
  }

  /**
   * Rebuilds a panel VS Code kept over a window reload (the serializer's `deserializeWebviewPanel`)
   * from the state its page saved; without a usable state, or when those sources are shown, it closes.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): ScalarsPanel | undefined {
    const saved = parseScalarsState(state);
    const paths = saved?.sources.map((s) => s.path) ?? [];
    if (!saved || this.panels.some((open) => sameSet(open.paths, paths))) {
      panel.dispose();
      return undefined;
    }
    return this.adopt(panel, saved);
  }

  private adopt(panel: vscode.WebviewPanel, state: ScalarsState): ScalarsPanel {
    const scalars = new ScalarsPanel(this.options, panel, state, () => this.open.delete(scalars));
    this.open.add(scalars);
    return scalars;
  }

  dispose(): void {
    for (const panel of this.panels) panel.dispose();
    this.open.clear();
  }
}

function panelTitle(sources: readonly ScalarSource[]): string {
  return vscode.l10n.t('TensorBoard: {0}', sources.map((s) => s.label).join(', '));
}

/**
 * One panel's host side. Its sources are read and followed (ScalarBoard of the contract) once the
 * page said ready and the extension is connected (a panel restored after a reload may be ready
 * before the connection is); the page gets them all again after each change, at most every
 * SOURCES_POST_MS.
 */
export class ScalarsPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sources: ScalarSource[];
  private board: ScalarBoard | undefined;
  private pageReady = false;
  private disposed = false;
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** The jobs of job sources, by path: their folder may appear only once they start. */
  private readonly jobWatches = new Map<string, vscode.Disposable>();

  private readonly handlers: MessageHandlers<WebviewMessage> = {
    ready: () => {
      this.pageReady = true;
      return this.start();
    },
    compare: async () => {
      if (this.sources.length >= MAX_SOURCES) return;
      const source = await this.options.pickSource(this.paths);
      if (source) this.add(source);
    },
    remove: (message) => {
      const index = this.sources.findIndex((s) => s.path === message.path);
      if (index <= 0) return; // the panel's own source stays
      this.sources.splice(index, 1);
      this.jobWatches.get(message.path)?.dispose();
      this.jobWatches.delete(message.path);
      this.board?.remove(message.path);
      this.panel.title = panelTitle(this.sources);
    },
    openTensorBoard: async () => {
      const first = this.sources[0];
      if (!first) return;
      await this.post({ type: 'tensorboard', tensorboard: { status: 'starting' } });
      const status = await this.options.openTensorBoard(first);
      await this.post({ type: 'tensorboard', tensorboard: status });
    },
  };

  constructor(
    private readonly options: ScalarsPanelsOptions,
    readonly panel: vscode.WebviewPanel,
    private readonly state: ScalarsState,
    onDispose: () => void,
  ) {
    this.sources = [...state.sources];
    const scripts = scriptsFolder(options.extensionUri);
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    this.panel.title = panelTitle(this.sources);
    this.panel.webview.html = renderScalarsHtml({
      title: this.panel.title,
      scriptUri: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'scalars.js')).toString(),
      cspSource: this.panel.webview.cspSource,
      nonce: createNonce(),
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        return message ? dispatch(this.handlers, message) : undefined;
      }),
      this.panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
      // Confirmed once connected (again): a page still waiting for its charts gets them now.
      options.events.subscribe('tensorboards', () => undefined, { onSubscribed: () => void this.start() }),
    );
    for (const source of this.sources) this.watchJob(source);
  }

  /** The log directories shown, the panel's own first. */
  get paths(): string[] {
    return this.sources.map((s) => s.path);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Adds a job's or folder's log directory to compare with (its lines labelled `<source>/<run>`). */
  add(source: ScalarSource): void {
    if (this.paths.includes(source.path) || this.sources.length >= MAX_SOURCES) return;
    this.sources.push(source);
    this.panel.title = panelTitle(this.sources);
    this.watchJob(source);
    this.board?.add(source);
  }

  /**
   * A job's summaries folder is made when the job starts: a queued job's cannot be read yet. When
   * such a job changes, the sources are read again (and followed from then on).
   */
  private watchJob(source: ScalarSource): void {
    if (!source.jobId) return;
    const watch = this.options.events.subscribe(`jobs/${source.jobId}`, (event) => {
      if (event.kind !== 'jobs') return;
      const state = this.board?.sources.find((s) => s.source.path === source.path);
      if (state?.error !== undefined) this.reloadSoon();
    });
    this.jobWatches.set(source.path, watch);
  }

  private async start(): Promise<void> {
    if (!this.pageReady || this.board || this.disposed) return;
    if (!this.options.client()) {
      await this.post({ type: 'error', message: vscode.l10n.t('Not connected to the AI Platform.') });
      return;
    }
    const options = this.options;
    this.board = new ScalarBoard(
      {
        get client() {
          return options.client();
        },
        events: this.followEvents(),
      },
      () => this.schedulePost(),
    );
    await this.post({ type: 'init', strings: scalarsStrings(), options: this.state.options ?? DEFAULT_BOARD_OPTIONS });
    for (const source of this.sources) this.board.add(source);
    this.postSources();
  }

  /**
   * The board's topics through the extension's one event socket, which re-subscribes by itself
   * after a reconnect; a confirmation after the first means the socket was lost meanwhile, so the
   * board reads every source again (points written while it was away come with that read).
   */
  private followEvents(): Pick<EventSocket, 'subscribe'> {
    return {
      subscribe: (topic, handler) => {
        let confirmed = false;
        const subscription = this.options.events.subscribe(topic, handler, {
          onSubscribed: () => {
            if (confirmed) this.reloadSoon();
            confirmed = true;
          },
        });
        return () => subscription.dispose();
      },
    };
  }

  /** One reload for what asks at once (the confirmations of every source's topic after a reconnect). */
  private reloadSoon(): void {
    this.reloadTimer ??= setTimeout(() => {
      this.reloadTimer = undefined;
      this.board?.reload();
    }, 0);
  }

  private schedulePost(): void {
    this.postTimer ??= setTimeout(() => {
      this.postTimer = undefined;
      this.postSources();
    }, SOURCES_POST_MS);
  }

  private postSources(): void {
    if (this.board) void this.post({ type: 'sources', sources: this.board.sources });
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.disposed || (!this.board && message.type !== 'error')) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.postTimer) clearTimeout(this.postTimer);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.board?.dispose();
    for (const watch of this.jobWatches.values()) watch.dispose();
    this.jobWatches.clear();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
