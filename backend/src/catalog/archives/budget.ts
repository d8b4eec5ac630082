import { abortReason, ArchiveRefused } from './refusal.js';

export interface ExtractLimits {
  /** Most bytes the extracted files may hold together. */
  maxBytes: number;
  /** Most entries (files and folders) the archive may have. */
  maxEntries: number;
  /** Most uncompressed bytes per archive byte (whole archive past 1 MiB; each zip entry past 1 MiB). */
  maxRatio: number;
}

export interface ExtractProgress {
  entries: number;
  bytes: number;
  archiveBytesRead: number;
  archiveBytes: number;
}

const MiB = 1 << 20;
const PROGRESS_EVERY_MS = 100;
const PROGRESS_EVERY_BYTES = 4 * MiB;

const size = (bytes: number) =>
  bytes >= 10 * MiB ? `${Math.round(bytes / MiB).toLocaleString('en')} MiB` : `${bytes.toLocaleString('en')} bytes`;

/**
 * The running totals of one extraction, checked against its limits as the bytes arrive (declared
 * sizes are checked too, to refuse early, but never trusted), and the throttled progress reports.
 */
export class ExtractBudget {
  entries = 0;
  bytes = 0;
  archiveBytesRead = 0;
  private lastReportAt = 0;
  private lastReportBytes = 0;

  constructor(
    private readonly limits: ExtractLimits,
    private readonly archiveBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: ((progress: ExtractProgress) => void) | undefined,
  ) {}

  /** One more entry of any kind. */
  addEntry(name: string): void {
    this.checkAborted();
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveRefused(
        name,
        `the archive has more than ${this.limits.maxEntries.toLocaleString('en')} entries (the limit), reached at ` +
          `${JSON.stringify(name)}; split it into smaller archives or ask an administrator to raise the limit`,
      );
    }
  }

  /** Refuses an entry that says it is larger than what is left of the byte limit, or too compressed. */
  checkDeclared(name: string, uncompressed: number, compressed?: number): void {
    if (this.bytes + uncompressed > this.limits.maxBytes) this.refuseBytes(name, uncompressed);
    if (compressed !== undefined && uncompressed >= MiB && uncompressed > compressed * this.limits.maxRatio) {
      throw new ArchiveRefused(
        name,
        `${JSON.stringify(name)} expands ${compressed === 0 ? 'from nothing' : `${Math.round(uncompressed / compressed)} times`} ` +
          `(the limit is ${this.limits.maxRatio}), which looks like an archive bomb; archive it without it`,
      );
    }
  }

  /** `count` more bytes of `name` are about to be written. */
  addBytes(name: string, count: number): void {
    this.checkAborted();
    this.bytes += count;
    if (this.bytes > this.limits.maxBytes) this.refuseBytes(name, count);
    if (this.bytes >= MiB && this.bytes > this.archiveBytesRead * this.limits.maxRatio) {
      throw new ArchiveRefused(
        name,
        `the archive expands more than ${this.limits.maxRatio} times its size (at ${JSON.stringify(name)}), ` +
          'which looks like an archive bomb; import the files uncompressed or in a less compressed archive',
      );
    }
    if (this.bytes - this.lastReportBytes >= PROGRESS_EVERY_BYTES) this.report();
    else if (this.onProgress && Date.now() - this.lastReportAt >= PROGRESS_EVERY_MS) this.report();
  }

  addArchiveRead(count: number): void {
    this.archiveBytesRead += count;
  }

  checkAborted(): void {
    if (this.signal?.aborted) throw abortReason(this.signal);
  }

  report(): void {
    this.lastReportAt = Date.now();
    this.lastReportBytes = this.bytes;
    this.onProgress?.({
      entries: this.entries,
      bytes: this.bytes,
      archiveBytesRead: Math.min(this.archiveBytesRead, this.archiveBytes),
      archiveBytes: this.archiveBytes,
    });
  }

  private refuseBytes(name: string, adding: number): never {
    throw new ArchiveRefused(
      name,
      `the archive holds more than ${size(this.limits.maxBytes)} (the limit) once ${JSON.stringify(name)} ` +
        `(${size(adding)}) is added; import less at once or ask an administrator to raise the limit`,
    );
  }
}
