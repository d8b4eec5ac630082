import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ApiError, type FileChangeKind } from '@aiplat/api';

export interface FolderChange {
  name: string;
  change: FileChangeKind;
}

export type FolderListener = (changes: FolderChange[]) => void;

export interface FolderWatchersOptions {
  /** Changes within this window reach listeners as one batch. */
  debounceMs: number;
  /** Folders watched at once across all clients; more are refused. */
  maxFolders: number;
  /** Told of each folder with changes before its listeners (e.g. to drop cached listings). */
  onChange?: (absFolder: string) => void;
}

interface WatchedFolder {
  watcher: FSWatcher;
  /** Settles once the watcher has read the folder: changes made after that are all seen. */
  ready: Promise<void>;
  listeners: Set<FolderListener>;
  pending: Map<string, FileChangeKind>;
  timer: NodeJS.Timeout | undefined;
}

/** A change seen after another change of the same name within one batch. */
function merged(before: FileChangeKind | undefined, after: FileChangeKind): FileChangeKind | undefined {
  if (before === 'created' && after === 'deleted') return undefined;
  if (before === 'created') return 'created';
  if (before === 'deleted' && after === 'created') return 'changed';
  return after;
}

const EVENT_CHANGES: Record<string, FileChangeKind | undefined> = {
  add: 'created',
  addDir: 'created',
  change: 'changed',
  unlink: 'deleted',
  unlinkDir: 'deleted',
};

/**
 * Watches folders one level deep for the clients that have them open: one watcher per folder,
 * shared by its listeners and closed with the last one, and bursts of changes coalesced per name.
 */
export class FolderWatchers {
  private readonly folders = new Map<string, WatchedFolder>();

  constructor(private readonly options: FolderWatchersOptions) {}

  get watchedCount(): number {
    return this.folders.size;
  }

  /**
   * Calls `listener` with the changes of `absFolder`'s entries; resolves with the disposer once the
   * folder is being watched, so a change made after it resolves is never missed.
   */
  async watch(absFolder: string, listener: FolderListener): Promise<() => void> {
    let folder = this.folders.get(absFolder);
    if (!folder) {
      if (this.folders.size >= this.options.maxFolders) {
        throw new ApiError(
          'bad_request',
          `at most ${this.options.maxFolders} folders are watched at once; close some views`,
        );
      }
      folder = this.open(absFolder);
      this.folders.set(absFolder, folder);
    }
    const watched = folder;
    watched.listeners.add(listener);
    await watched.ready;
    return () => {
      if (!watched.listeners.delete(listener) || watched.listeners.size > 0) return;
      this.folders.delete(absFolder);
      clearTimeout(watched.timer);
      void watched.watcher.close();
    };
  }

  async close(): Promise<void> {
    const closing = [...this.folders.values()].map((folder) => {
      clearTimeout(folder.timer);
      return folder.watcher.close();
    });
    this.folders.clear();
    await Promise.all(closing);
  }

  private open(absFolder: string): WatchedFolder {
    const watcher = watch(absFolder, { depth: 0, ignoreInitial: true, followSymlinks: false, persistent: true });
    const folder: WatchedFolder = {
      watcher,
      // An error before the first scan ends (the folder vanished) must not hold the subscriber.
      ready: new Promise((resolve) => {
        watcher.once('ready', resolve);
        watcher.once('error', () => resolve());
      }),
      listeners: new Set(),
      pending: new Map(),
      timer: undefined,
    };
    folder.watcher.on('all', (event, changedPath) => {
      const change = EVENT_CHANGES[event];
      // Only the folder's own entries: not the folder itself, nothing deeper.
      if (!change || path.dirname(changedPath) !== absFolder) return;
      const name = path.basename(changedPath);
      const next = merged(folder.pending.get(name), change);
      if (next === undefined) folder.pending.delete(name);
      else folder.pending.set(name, next);
      folder.timer ??= setTimeout(() => this.flush(absFolder, folder), this.options.debounceMs);
    });
    // A watcher error (the folder vanished, too many watches) leaves the listing to the next refresh.
    folder.watcher.on('error', () => undefined);
    return folder;
  }

  private flush(absFolder: string, folder: WatchedFolder): void {
    folder.timer = undefined;
    if (folder.pending.size === 0) return;
    const changes = [...folder.pending].map(([name, change]) => ({ name, change }));
    folder.pending.clear();
    this.options.onChange?.(absFolder);
    for (const listener of folder.listeners) listener(changes);
  }
}
