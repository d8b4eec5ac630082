import * as vscode from 'vscode';
import type { ScalarsStrings } from './protocol.js';

export function scalarsStrings(): ScalarsStrings {
  return {
    tagFilter: vscode.l10n.t('Tags'),
    tagFilterPlaceholder: vscode.l10n.t('Filter tags (regular expression)'),
    smoothing: vscode.l10n.t('Smoothing'),
    xAxis: vscode.l10n.t('X axis'),
    xAxes: {
      step: vscode.l10n.t('Step'),
      relative: vscode.l10n.t('Relative time'),
      wall: vscode.l10n.t('Wall time'),
    },
    logScale: vscode.l10n.t('Log scale'),
    runs: vscode.l10n.t('Runs'),
    compare: vscode.l10n.t('Compare with…'),
    remove: vscode.l10n.t('Remove'),
    openTensorBoard: vscode.l10n.t('Open TensorBoard'),
    // Without arguments l10n.t leaves {0} and {1} as they are: the page fills them in (format).
    loading: vscode.l10n.t('Reading {0}…'),
    empty: vscode.l10n.t(
      'No scalars in {0} yet (/work/{1}): they appear as the job writes TensorBoard event files there.',
    ),
    failed: vscode.l10n.t('{0} could not be read: {1}'),
    noTags: vscode.l10n.t('No tag matches the filter.'),
    warnings: vscode.l10n.t('Records that could not be read'),
    tensorBoardStarting: vscode.l10n.t('Starting TensorBoard…'),
    tensorBoardOpened: vscode.l10n.t('TensorBoard is open in your browser.'),
  };
}
