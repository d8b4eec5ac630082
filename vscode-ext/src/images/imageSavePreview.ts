import { formatBytes, type ImageSavePreview } from '@aiplat/api';
import * as vscode from 'vscode';

type SkipReason = ImageSavePreview['skipped'][number]['reason'];

/** How many of the largest folders and of the paths left out the summary names. */
export const PREVIEW_FOLDERS_SHOWN = 5;
export const PREVIEW_SKIPPED_SHOWN = 5;

/** Why a path is left out of the new layer, for people. */
export function skipReasonLabel(reason: SkipReason): string {
  switch (reason) {
    case 'system':
      return vscode.l10n.t('system folder');
    case 'mount':
      return vscode.l10n.t('mounted');
    case 'exclude':
      return vscode.l10n.t('excluded');
    case 'agent':
      return vscode.l10n.t("the snapshot agent's own");
    case 'socket':
      return vscode.l10n.t('socket');
    case 'unreadable':
      return vscode.l10n.t('unreadable');
  }
}

/** The preview's headline: size, files and what changed. */
export function previewHeadline(preview: ImageSavePreview): string {
  return vscode.l10n.t(
    '{0} in {1} files: {2} added, {3} modified, {4} deleted',
    formatBytes(preview.bytes),
    preview.files.toLocaleString('en-US'),
    preview.added.toLocaleString('en-US'),
    (preview.modified + preview.replaced).toLocaleString('en-US'),
    preview.deleted.toLocaleString('en-US'),
  );
}

/**
 * The preview as lines for the confirmation (a modal's detail, which must fit a window): the
 * headline, the largest folders, the excludes in force, and the first paths left out and why.
 */
export function previewDetail(preview: ImageSavePreview): string {
  const lines = [previewHeadline(preview)];
  if (preview.largestDirectories.length > 0) {
    lines.push('', vscode.l10n.t('Largest folders:'));
    for (const dir of preview.largestDirectories.slice(0, PREVIEW_FOLDERS_SHOWN)) {
      lines.push(
        `  ${dir.path}  ${formatBytes(dir.bytes)} · ${vscode.l10n.t('{0} files', dir.files.toLocaleString('en-US'))}`,
      );
    }
  }
  // One line: a modal taller than the window hides its buttons (the default excludes alone are ten).
  if (preview.excludes.length > 0) {
    lines.push('', vscode.l10n.t('Excluded by pattern: {0}', preview.excludes.map((e) => e.pattern).join(', ')));
  }
  if (preview.skipped.length > 0) {
    lines.push('', vscode.l10n.t('Left out:'));
    for (const skipped of preview.skipped.slice(0, PREVIEW_SKIPPED_SHOWN)) {
      const why = skipped.detail
        ? `${skipReasonLabel(skipped.reason)}: ${skipped.detail}`
        : skipReasonLabel(skipped.reason);
      lines.push(`  ${skipped.path} (${why})`);
    }
    const more = preview.skipped.length - PREVIEW_SKIPPED_SHOWN;
    if (more > 0) lines.push(`  ${vscode.l10n.t('and {0} more', more)}`);
  }
  if (preview.entries === 0)
    lines.push('', vscode.l10n.t('Nothing changed since the dev machine started: the image would be its base image.'));
  return lines.join('\n');
}
