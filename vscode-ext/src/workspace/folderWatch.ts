import { filesTopic, type FileChanges } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import type { Subscription } from '../model/emitter.js';

export type FolderChangeListener = (folder: string, changes: FileChanges['changes']) => void;

/**
 * Folders under /work followed on the server's `files/<path>` topic, each once however many
 * parts of the extension ask for it (the tree's open folders, the folders of open previews).
 * Free of `vscode`; the event source re-subscribes after reconnects.
 */
export class FolderWatch {
  private readonly folders = new Map<string, { subscription: Subscription; listeners: Set<FolderChangeListener> }>();

  constructor(private readonly events: EventSource) {}

  get watched(): string[] {
    return [...this.folders.keys()];
  }

  /** Calls `listener` with the changes of `folder`'s entries until the returned subscription ends. */
  watch(folder: string, listener: FolderChangeListener): Subscription {
    let watched = this.folders.get(folder);
    if (!watched) {
      const listeners = new Set<FolderChangeListener>();
      const subscription = this.events.subscribe(filesTopic(folder), (event) => {
        if (event.kind !== 'files') return;
        for (const each of [...listeners]) each(folder, event.data.changes);
      });
      watched = { subscription, listeners };
      this.folders.set(folder, watched);
    }
    const entry = watched;
    entry.listeners.add(listener);
    let ended = false;
    return {
      dispose: () => {
        if (ended) return;
        ended = true;
        entry.listeners.delete(listener);
        if (entry.listeners.size > 0 || this.folders.get(folder) !== entry) return;
        this.folders.delete(folder);
        entry.subscription.dispose();
      },
    };
  }

  dispose(): void {
    for (const { subscription } of this.folders.values()) subscription.dispose();
    this.folders.clear();
  }
}

/** The folder of a /work path (`home/a/b.txt` → `home/a`). */
export function folderOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}
