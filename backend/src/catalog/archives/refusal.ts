/** An archive the import will not extract; `message` says what is wrong and what to change. */
export class ArchiveRefused extends Error {
  constructor(
    readonly entry: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveRefused';
  }
}

/** The reason a signal was aborted with, as an Error named AbortError unless the caller gave its own. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the extraction was cancelled');
  error.name = 'AbortError';
  return error;
}
