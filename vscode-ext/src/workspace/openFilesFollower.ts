import type { Subscription } from '../model/emitter.js';
import { folderOf, type FolderWatch } from './folderWatch.js';

/**
 * Files shown somewhere (an editor, a preview) followed through their folder's `files/<path>`
 * topic: `onChanged(path)` when one of them is written again, created or deleted on the server.
 * Counts openings, so a file shown twice is followed until both are closed.
 */
export class OpenFilesFollower {
  private readonly files = new Map<string, { count: number; subscription: Subscription }>();

  constructor(
    private readonly folders: FolderWatch,
    private readonly onChanged: (path: string) => void,
  ) {}

  get followed(): string[] {
    return [...this.files.keys()];
  }

  opened(path: string): void {
    const known = this.files.get(path);
    if (known) {
      known.count++;
      return;
    }
    const folder = folderOf(path);
    const subscription = this.folders.watch(folder, (_, changes) => {
      if (changes.some((change) => `${folder}/${change.name}` === path)) this.onChanged(path);
    });
    this.files.set(path, { count: 1, subscription });
  }

  closed(path: string): void {
    const known = this.files.get(path);
    if (!known || --known.count > 0) return;
    known.subscription.dispose();
    this.files.delete(path);
  }

  dispose(): void {
    for (const { subscription } of this.files.values()) subscription.dispose();
    this.files.clear();
  }
}
