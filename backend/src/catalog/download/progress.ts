export interface DownloadProgress {
  bytesDone: number;
  /** Size of the whole file, when the server said. */
  bytesTotal?: number;
  /** Times the download resumed after a dropped connection. */
  resumed: number;
}

export const PROGRESS_INTERVAL_MS = 100;

/** Passes progress on at most every PROGRESS_INTERVAL_MS, and always the final state. */
export class ProgressThrottle {
  private last = -Infinity;

  constructor(private readonly report: ((progress: DownloadProgress) => void) | undefined) {}

  update(progress: DownloadProgress): void {
    if (!this.report) return;
    const now = performance.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    this.report(progress);
  }

  finish(progress: DownloadProgress): void {
    this.report?.(progress);
  }
}
