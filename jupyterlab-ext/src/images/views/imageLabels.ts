import type { ImageSaveState, ImageSource } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';

export function imageSourceLabel(source: ImageSource, trans: TranslationBundle): string {
  const labels: Record<ImageSource, string> = {
    preset: trans.__('Preset'),
    saved: trans.__('Saved'),
    shared: trans.__('Shared with me'),
  };
  return labels[source];
}

export function imageSaveStateLabel(state: ImageSaveState, trans: TranslationBundle): string {
  const labels: Record<ImageSaveState, string> = {
    Scanning: trans.__('Scanning the changes'),
    Pushing: trans.__('Pushing'),
    Succeeded: trans.__('Saved'),
    Failed: trans.__('Failed'),
    Cancelled: trans.__('Cancelled'),
  };
  return labels[state];
}
