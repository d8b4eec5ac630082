import { open, rm, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { ResolveAll } from './addressPolicy.js';
import { DownloadRefused, displayUrl, formatBytes } from './downloadRefused.js';
import { downloadFileName } from './fileName.js';
import { discard, GuardedClient, header, parseDownloadUrl, statusText } from './guardedClient.js';
import { ProgressThrottle, type DownloadProgress } from './progress.js';

export { DownloadRefused, type DownloadRefusedCode } from './downloadRefused.js';
export type { DownloadProgress } from './progress.js';

/** The operator's limits (config `catalog.download`). */
export interface DownloadPolicy {
  maxBytes: number;
  /** Host names, IP addresses or CIDR ranges that may be reached although internal. */
  allowHosts: readonly string[];
  idleTimeoutMs: number;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  policy: DownloadPolicy;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Resumptions after a dropped connection; default 5. */
  maxAttempts?: number;
  /** DNS resolution, replaceable in tests. */
  resolve?: ResolveAll;
}

export interface DownloadResult {
  bytes: number;
  /** From Content-Disposition or the final URL, a plain file name; 'download' when neither helps. */
  fileName: string;
  contentType?: string;
  finalUrl: string;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const IDLE = 'DOWNLOAD_IDLE_TIMEOUT';
/** Answers to a resume request worth waiting out like a dropped connection. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

/**
 * Downloads an http(s) link a user typed into `dest`, refusing internal addresses (see
 * addressPolicy.ts), files over `policy.maxBytes`, and non-2xx answers; resumes dropped
 * connections with Range requests. On any failure or cancellation `dest` is removed.
 */
export async function downloadToFile(options: DownloadOptions): Promise<DownloadResult> {
  validateOptions(options);
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const start = parseDownloadUrl(options.url);
  const transfer = new Transfer(options, start);
  let succeeded = false;
  try {
    const result = await transfer.run();
    succeeded = true;
    return result;
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  } finally {
    await transfer.close(!succeeded);
  }
}

function validateOptions(options: DownloadOptions): void {
  if (typeof options.url !== 'string' || options.url.trim() === '') {
    throw new DownloadRefused('bad_url', 'the link is empty; type an http:// or https:// address');
  }
  if (typeof options.dest !== 'string' || options.dest === '') {
    throw new TypeError('downloadToFile: dest must be the path of the file to write');
  }
  const { maxBytes, idleTimeoutMs, allowHosts } = options.policy ?? {};
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new RangeError('downloadToFile: policy.maxBytes must be a positive number of bytes');
  }
  if (!(Number.isFinite(idleTimeoutMs) && idleTimeoutMs > 0)) {
    throw new RangeError('downloadToFile: policy.idleTimeoutMs must be a positive number of milliseconds');
  }
  if (!Array.isArray(allowHosts)) {
    throw new TypeError('downloadToFile: policy.allowHosts must be a list (possibly empty)');
  }
  const { maxAttempts } = options;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 0)) {
    throw new RangeError('downloadToFile: maxAttempts must be a whole number, 0 or more');
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The download was cancelled', 'AbortError');
}

/** What one request achieved. */
type Outcome = { kind: 'complete' } | { kind: 'dropped'; reason: unknown } | { kind: 'restart' };

interface ContentRange {
  start: number;
  end: number;
  size?: number;
}

function parseContentRange(value: string | undefined): ContentRange | undefined {
  const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  const [, start, end, size] = match;
  return { start: Number(start), end: Number(end), size: size === '*' ? undefined : Number(size) };
}

/** One download's state across the requests that resume it. */
class Transfer {
  private readonly client: GuardedClient;
  private readonly progress: ProgressThrottle;
  private readonly maxAttempts: number;
  private file: FileHandle | undefined;
  private url: URL;
  private done = 0;
  /** Size of the whole file, when known. */
  private total: number | undefined;
  /** Where the current response's body ends, when known. */
  private expectedEnd: number | undefined;
  /** A strong ETag or Last-Modified of the file being resumed, for If-Range. */
  private validator: string | undefined;
  private resumed = 0;
  private result: Omit<DownloadResult, 'bytes'> | undefined;

  constructor(
    private readonly options: DownloadOptions,
    start: URL,
  ) {
    this.url = start;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.progress = new ProgressThrottle(options.onProgress);
    this.client = new GuardedClient({
      allowHosts: options.policy.allowHosts,
      idleTimeoutMs: options.policy.idleTimeoutMs,
      resolve: options.resolve,
    });
  }

  async run(): Promise<DownloadResult> {
    for (;;) {
      const outcome = await this.attempt();
      if (outcome.kind === 'complete') break;
      if (outcome.kind === 'restart') {
        await this.restartFile();
        continue;
      }
      if (this.resumed >= this.maxAttempts) {
        throw new DownloadRefused(
          'network',
          `the connection to ${this.url.host} kept dropping (${this.resumed + 1} times) while downloading ` +
            `${displayUrl(this.url)}: ${describe(outcome.reason, this.options.policy)}. Try again later.`,
          { cause: outcome.reason },
        );
      }
      this.resumed++;
      this.reportProgress();
      const backoff = Math.min(BACKOFF_MS * 2 ** (this.resumed - 1), MAX_BACKOFF_MS);
      await sleep(backoff, undefined, { signal: this.options.signal });
    }
    const final = this.snapshot();
    this.progress.finish(final);
    if (!this.result) throw new Error('unreachable: a download completed without a response');
    return { bytes: this.done, ...this.result };
  }

  private async attempt(): Promise<Outcome> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (this.done > 0) {
      headers.range = `bytes=${this.done}-`;
      if (this.validator) headers['if-range'] = this.validator;
    }
    let response: Dispatcher.ResponseData;
    try {
      ({ response, url: this.url } = await this.client.get(this.url, headers, this.options.signal));
    } catch (err) {
      return this.dropped(err);
    }
    try {
      const placed = await this.place(response);
      if (placed === 'retry') {
        return { kind: 'dropped', reason: new Error(`the server answered ${statusText(response.statusCode)}`) };
      }
      if (placed !== 'body') return { kind: placed };
      try {
        await this.stream(response.body);
      } catch (err) {
        // Only the body failing is a dropped connection; a failed write or callback is final.
        if (err !== response.body.errored) throw err;
        return this.dropped(err);
      }
      if (this.expectedEnd !== undefined && this.done < this.expectedEnd) {
        return { kind: 'dropped', reason: new Error('the server closed the connection early') };
      }
      return { kind: 'complete' };
    } finally {
      discard(response);
    }
  }

  /** A network failure: worth resuming once a response was accepted, otherwise final. */
  private dropped(err: unknown): Outcome {
    if (err instanceof DownloadRefused || this.options.signal?.aborted) throw err;
    if (this.result) return { kind: 'dropped', reason: err };
    throw new DownloadRefused(
      'network',
      `could not download ${displayUrl(this.url)}: ${describe(err, this.options.policy)}`,
      { cause: err },
    );
  }

  /** Decides where `response`'s body goes in the file, or that the file is done or must restart. */
  private async place(response: Dispatcher.ResponseData): Promise<'body' | 'complete' | 'restart' | 'retry'> {
    const status = response.statusCode;
    const length = parseLength(header(response, 'content-length'));
    if (status === 206) {
      const range = parseContentRange(header(response, 'content-range'));
      const sameFile = range?.size === undefined || this.total === undefined || range.size === this.total;
      if (range && range.start === this.done && sameFile) {
        this.total = range.size ?? this.total;
        this.expectedEnd = range.end + 1;
        this.checkSize(this.total ?? (length === undefined ? undefined : this.done + length));
        await this.openFile(response);
        return 'body';
      }
      if (this.done > 0) return 'restart';
    }
    if (status === 416 && this.done > 0) {
      return this.total === this.done ? 'complete' : 'restart';
    }
    if (this.result && TRANSIENT_STATUSES.has(status)) return 'retry';
    if (status < 200 || status > 299 || status === 206) {
      throw new DownloadRefused('http_status', `the server answered ${statusText(status)} for ${displayUrl(this.url)}`);
    }
    // The whole file, from the first byte (a server that ignores Range lands here too).
    this.total = length;
    this.expectedEnd = length;
    this.checkSize(length);
    const etag = header(response, 'etag');
    this.validator = etag && !etag.startsWith('W/') ? etag : header(response, 'last-modified');
    if (this.done > 0) await this.restartFile();
    await this.openFile(response);
    return 'body';
  }

  private checkSize(size: number | undefined): void {
    const { maxBytes } = this.options.policy;
    if (size === undefined || size <= maxBytes) return;
    throw new DownloadRefused(
      'too_large',
      `${displayUrl(this.url)} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit ` +
        '(catalog.download.maxBytes); pick a smaller file or ask the operator to raise the limit',
    );
  }

  private async openFile(response: Dispatcher.ResponseData): Promise<void> {
    this.file ??= await open(this.options.dest, 'w');
    if (this.result && response.statusCode === 206) return;
    this.result = {
      fileName: downloadFileName(header(response, 'content-disposition'), this.url),
      contentType: header(response, 'content-type'),
      finalUrl: displayUrl(this.url),
    };
  }

  private async restartFile(): Promise<void> {
    await this.file?.truncate(0);
    this.done = 0;
    this.total = undefined;
    this.expectedEnd = undefined;
  }

  private async stream(body: Dispatcher.ResponseData['body']): Promise<void> {
    const { maxBytes, idleTimeoutMs } = this.options.policy;
    const file = this.file;
    if (!file) throw new Error('unreachable: streaming before the file was opened');
    // undici's own bodyTimeout only has ~1 s resolution; this one is exact.
    const idle = setTimeout(() => body.destroy(Object.assign(new Error('idle'), { code: IDLE })), idleTimeoutMs);
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (this.done + chunk.length > maxBytes) {
          throw new DownloadRefused(
            'too_large',
            `${displayUrl(this.url)} is larger than the ${formatBytes(maxBytes)} limit ` +
              '(catalog.download.maxBytes); pick a smaller file or ask the operator to raise the limit',
          );
        }
        await file.write(chunk, 0, chunk.length, this.done);
        idle.refresh();
        this.done += chunk.length;
        this.reportProgress();
      }
    } finally {
      clearTimeout(idle);
    }
  }

  private snapshot(): DownloadProgress {
    return { bytesDone: this.done, bytesTotal: this.total, resumed: this.resumed };
  }

  private reportProgress(): void {
    this.progress.update(this.snapshot());
  }

  async close(removeFile: boolean): Promise<void> {
    await this.client.close();
    await this.file?.close().catch(() => {});
    if (removeFile && this.file) await rm(this.options.dest, { force: true });
  }
}

function parseLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** A network error in words a user can act on. */
function describe(err: unknown, policy: DownloadPolicy): string {
  const code = (err as { code?: unknown }).code;
  switch (code) {
    case IDLE:
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `nothing arrived for ${policy.idleTimeoutMs / 1000} s`;
    case 'ECONNREFUSED':
      return 'the server refused the connection';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was reset';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
