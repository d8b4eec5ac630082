import { formatBytes, type Image, type ImageSource } from '@aiplat/api';
import * as vscode from 'vscode';

/** A group's name in the Images view. */
export function imageSourceLabel(source: ImageSource): string {
  switch (source) {
    case 'preset':
      return vscode.l10n.t('Presets');
    case 'saved':
      return vscode.l10n.t('Saved by you');
    case 'shared':
      return vscode.l10n.t('Shared with you');
  }
}

/** The `contextValue` of an image item: which actions its menu offers (Share only for saved ones). */
export function imageContextValue(image: Pick<Image, 'source'>): string {
  return `aiplat.image.${image.source}`;
}

/** What an item says beside the reference: its size and layers when known. */
export function imageDescription(image: Image): string {
  const parts: string[] = [];
  if (image.sizeBytes !== undefined) parts.push(formatBytes(image.sizeBytes));
  if (image.layers !== undefined) parts.push(vscode.l10n.t('{0} layers', image.layers));
  if (parts.length === 0 && image.description) parts.push(image.description);
  return parts.join(' · ');
}

/**
 * The tooltip: the reference and digest, size and layers, where it was saved from, and the history
 * (newest last, as the image's config records it).
 */
export function imageTooltip(image: Image): string {
  const lines = [image.ref];
  if (image.description) lines.push(image.description);
  if (image.digest) lines.push(image.digest);
  const size = [
    image.sizeBytes !== undefined ? formatBytes(image.sizeBytes) : undefined,
    image.layers !== undefined ? vscode.l10n.t('{0} layers', image.layers) : undefined,
  ].filter(Boolean);
  if (size.length > 0) lines.push(size.join(' · '));
  if (image.savedFrom) {
    lines.push(
      vscode.l10n.t(
        'Saved from dev machine {0} ({1}), based on {2}',
        image.savedFrom.devMachineName,
        image.savedFrom.devMachineId,
        image.savedFrom.baseRef,
      ),
    );
  }
  if (image.source !== 'preset') lines.push(vscode.l10n.t('Added {0}', new Date(image.createdAt).toLocaleString()));
  const history = image.history ?? [];
  if (history.length > 0) {
    lines.push('', vscode.l10n.t('History (newest last):'));
    for (const entry of history) {
      const what = entry.comment || entry.createdBy || (entry.emptyLayer ? vscode.l10n.t('(no layer)') : '');
      const who = entry.author ? ` · ${entry.author}` : '';
      lines.push(`  ${entry.created ?? '?'}${who}  ${what}`.trimEnd());
    }
  }
  return lines.join('\n');
}
