import { formatBytes, type ImageSave, type ImageSaveState } from '@aiplat/api';
import * as vscode from 'vscode';

/** A save that is over: it succeeded, failed or was cancelled. */
export function isSaveFinished(state: ImageSaveState): boolean {
  return state === 'Succeeded' || state === 'Failed' || state === 'Cancelled';
}

const ORDER: Readonly<Record<ImageSaveState, number>> = {
  Scanning: 0,
  Pushing: 1,
  Succeeded: 2,
  Failed: 2,
  Cancelled: 2,
};

/** What the progress notification shows next: its message and how far the bar moves (percent). */
export interface SaveProgressStep {
  message: string;
  increment?: number;
}

/** The notification's message for one state of a save. */
export function saveProgressText(save: ImageSave): string {
  const { bytes, files, totalBytes, totalFiles } = save.progress;
  const count = (n: number) => n.toLocaleString('en-US');
  switch (save.state) {
    case 'Scanning':
      return vscode.l10n.t('Scanning the changes…');
    case 'Pushing': {
      const size =
        totalBytes !== undefined
          ? vscode.l10n.t('{0} of {1}', formatBytes(bytes), formatBytes(totalBytes))
          : formatBytes(bytes);
      const fileCount =
        totalFiles !== undefined
          ? vscode.l10n.t('{0} of {1} files', count(files), count(totalFiles))
          : vscode.l10n.t('{0} files', count(files));
      return vscode.l10n.t('Pushing {0} · {1}', size, fileCount);
    }
    case 'Succeeded':
      return vscode.l10n.t('Saved {0}', save.ref);
    case 'Failed':
      return vscode.l10n.t('Failed: {0}', save.error ?? vscode.l10n.t('no reason given'));
    case 'Cancelled':
      return vscode.l10n.t('Cancelled');
  }
}

/** How far along a save is, 0 to 100 (bytes pushed of the preview's total; 100 once it is over). */
export function savePercent(save: ImageSave): number {
  if (isSaveFinished(save.state)) return 100;
  const { bytes, totalBytes } = save.progress;
  if (save.state !== 'Pushing' || !totalBytes) return 0;
  return Math.min(99, Math.floor((bytes / totalBytes) * 100));
}

/**
 * One save as it goes, from whatever tells of it (the `image-saves` topic, a poll, the answers of
 * save and cancel): updates for other saves, and updates that come late (an earlier state, fewer
 * bytes) and repeats of what is shown are dropped; once over it stays over. Each accepted update gives the notification's step.
 */
export class ImageSaveTracker {
  private current: ImageSave;
  private percent = 0;

  constructor(save: ImageSave) {
    this.current = save;
    this.percent = savePercent(save);
  }

  get save(): ImageSave {
    return this.current;
  }

  get finished(): boolean {
    return isSaveFinished(this.current.state);
  }

  /** The first step to show, for the save as it was started. */
  start(): SaveProgressStep {
    return { message: saveProgressText(this.current), ...(this.percent > 0 ? { increment: this.percent } : {}) };
  }

  /** Takes an update; the step to show, or undefined when it is dropped. */
  update(save: ImageSave): SaveProgressStep | undefined {
    if (save.id !== this.current.id || this.finished) return undefined;
    const before = ORDER[this.current.state];
    const after = ORDER[save.state];
    if (after < before) return undefined;
    if (after === before) {
      const { bytes, files } = this.current.progress;
      // Older than what is shown, or the same again (a poll): nothing to show.
      if (save.progress.bytes < bytes) return undefined;
      if (save.progress.bytes === bytes && save.progress.files === files) return undefined;
    }
    this.current = save;
    const percent = Math.max(this.percent, savePercent(save));
    const increment = percent - this.percent;
    this.percent = percent;
    return { message: saveProgressText(save), ...(increment > 0 ? { increment } : {}) };
  }
}
