import { ApiError } from '@aiplat/api';
import * as vscode from 'vscode';

/** One line for people about a failed call: what went wrong and, where we know, what to do. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'unauthorized':
      return vscode.l10n.t('The server rejected the access token. Run "Set Token" to enter a new one.');
    case 'network':
      return vscode.l10n.t('Cannot reach the AI Platform server: {0}', error.message);
    case 'forbidden':
      return vscode.l10n.t('Not allowed: {0}', error.message);
    case 'not_found':
      return vscode.l10n.t('Not found: {0}', error.message);
    case 'validation_failed': {
      const issues = (error.issues ?? []).map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      return vscode.l10n.t('The server refused it: {0}', issues || error.message);
    }
    default:
      return error.message;
  }
}
