import { ApiError, type ErrorCode } from '@aiplat/api';

/** An error as the views show it: the backend's own message (never a stack) and its code. */
export interface WorkspaceError {
  readonly code: ErrorCode | 'not_connected' | 'unknown';
  readonly message: string;
}

export const NOT_CONNECTED: WorkspaceError = { code: 'not_connected', message: 'not connected' };

/** The first line of what went wrong, for a message in the panel. */
export function toWorkspaceError(cause: unknown): WorkspaceError {
  if (cause instanceof ApiError) return { code: cause.code, message: firstLine(cause.message) };
  if (cause instanceof Error) return { code: 'unknown', message: firstLine(cause.message) || cause.name };
  return { code: 'unknown', message: firstLine(String(cause)) };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim().slice(0, 500);
}

export function isAbort(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'AbortError';
}
