import { setTimeout as delay } from 'node:timers/promises';
import { repositoryScope } from './auth.js';
import { cancelUploadSession, startUploadSession, uploadLocation, withDigest } from './blobs.js';
import { discard, type RegistryClient } from './registryClient.js';
import {
  errorForResponse,
  isAbortError,
  parseRegistryErrorBody,
  RegistryOperationAbortedError,
  RegistryProtocolError,
  RegistryUnreachableError,
  UploadInterruptedError,
} from './registryErrors.js';

/*
 * A blob of unknown length, arriving once as a stream, uploaded in chunks (POST, one PATCH per
 * chunk, PUT ?digest= once the stream's digest is known). Only the chunk in flight is kept, until
 * the registry acknowledges it. When the connection drops, the upload's status (GET, `Range: 0-N`)
 * says how much arrived, and the rest of the retained chunk is sent from there. A cancelled or
 * failed upload deletes its session, so nothing half-written stays in the repository.
 */

export const DEFAULT_CHUNK_SIZE_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_RETRY_DELAY_MS = 1_000;

export interface ChunkedUploadOptions {
  chunkSizeBytes?: number;
  /** Attempts to resume after one dropped connection before giving up. */
  maxRetries?: number;
  /** Wait before the n-th retry: n × this. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** Bytes the registry has acknowledged so far. */
  onProgress?: (bytesAcknowledged: number) => void;
}

export interface UploadedBlob {
  digest: string;
  size: number;
  /** How many times the upload continued after a dropped connection. */
  resumes: number;
}

export async function uploadBlobInChunks(
  client: RegistryClient,
  repository: string,
  data: AsyncIterable<Buffer>,
  digest: Promise<string> | string,
  options: ChunkedUploadOptions = {},
): Promise<UploadedBlob> {
  const { signal } = options;
  // Awaited only once the stream has ended; a stream that fails first is the error to report.
  if (typeof digest !== 'string') digest.catch(() => undefined);
  if (signal?.aborted) throw new RegistryOperationAbortedError(client.registry);
  const upload = new ChunkedUpload(client, repository, await startUploadSession(client, repository, signal), options);
  const chunkSize = options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES;
  const iterator = data[Symbol.asyncIterator]();
  // One chunk goes to the registry while the next is read, so the producer (the snapshot agent
  // compressing the layer) is not held up by each PATCH: at most two chunks are in memory.
  let sending: Promise<void> = Promise.resolve();
  const send = async (chunk: Buffer) => {
    await sending;
    sending = upload.sendChunk(chunk);
    sending.catch(() => undefined);
  };
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (;;) {
      const next = await nextOrAbort(iterator, signal);
      if (next.done) break;
      pending.push(next.value);
      pendingBytes += next.value.length;
      while (pendingBytes >= chunkSize) {
        const joined = Buffer.concat(pending, pendingBytes);
        await send(joined.subarray(0, chunkSize));
        pending = [joined.subarray(chunkSize)];
        pendingBytes -= chunkSize;
      }
    }
    if (pendingBytes > 0) await send(Buffer.concat(pending, pendingBytes));
    await sending;
    const finalDigest = await digest;
    await upload.finish(finalDigest);
    return { digest: finalDigest, size: upload.acknowledged, resumes: upload.resumes };
  } catch (error) {
    await sending.catch(() => undefined);
    await iterator.return?.().catch(() => undefined);
    await cancelUploadSession(client, repository, upload.location).catch(() => undefined);
    if (signal?.aborted || isAbortError(error)) throw new RegistryOperationAbortedError(client.registry);
    throw error;
  }
}

async function nextOrAbort(
  iterator: AsyncIterator<Buffer>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<Buffer>> {
  if (!signal) return iterator.next();
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

class ChunkedUpload {
  acknowledged = 0;
  resumes = 0;
  private readonly scopes: string[];

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    public location: string,
    private readonly options: ChunkedUploadOptions,
  ) {
    this.scopes = [repositoryScope(repository, 'pull,push')];
  }

  /** Sends `chunk` (the bytes after `acknowledged`) until the registry has all of it. */
  async sendChunk(chunk: Buffer): Promise<void> {
    const chunkStart = this.acknowledged;
    const chunkEnd = chunkStart + chunk.length;
    let failures = 0;
    while (this.acknowledged < chunkEnd) {
      const part = chunk.subarray(this.acknowledged - chunkStart);
      try {
        const response = await this.client.request('PATCH', this.location, {
          scopes: this.scopes,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${this.acknowledged}-${this.acknowledged + part.length - 1}`,
          },
          body: part,
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
        if (response.status === 202) {
          await discard(response);
          this.location = uploadLocation(this.client, response.headers.get('location'));
          const before = this.acknowledged;
          // After bytes were sent, `0-0` can only mean the first byte.
          const reported = acknowledgedFromRange(response.headers.get('range'));
          this.acknowledge(reported === 0 ? 1 : (reported ?? chunkEnd), chunkStart, chunkEnd);
          if (this.acknowledged <= before) {
            throw new RegistryProtocolError(
              `${this.client.registry} accepted a chunk of the upload to ${this.repository} without storing it (Range: ${response.headers.get('range')})`,
              this.client.registry,
              202,
            );
          }
          continue;
        }
        if (response.status !== 416) {
          throw errorForResponse(
            this.client.registry,
            `upload to ${this.repository}`,
            response.status,
            await response.text(),
          );
        }
        // 416: the registry holds a different amount than we thought; ask it how much.
        await discard(response);
      } catch (error) {
        if (!(error instanceof RegistryUnreachableError)) throw error;
      }
      failures = await this.resumeAfterFailure(failures + 1, chunkStart, chunkEnd);
    }
  }

  async finish(digest: string): Promise<void> {
    const response = await this.client.expect(
      'PUT',
      withDigest(this.location, digest),
      { scopes: this.scopes, ...(this.options.signal ? { signal: this.options.signal } : {}) },
      [201],
      `finish the upload of ${digest} to ${this.repository}`,
    );
    await discard(response);
  }

  /**
   * After a dropped connection (or a 416): waits, then asks the registry how much it has. Counts
   * attempts from `firstAttempt` (a failed status request is one too); returns the last one used.
   */
  private async resumeAfterFailure(firstAttempt: number, chunkStart: number, chunkEnd: number): Promise<number> {
    const maxRetries = this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    for (let attempt = firstAttempt; ; attempt += 1) {
      if (attempt > maxRetries) {
        throw new UploadInterruptedError(
          `the connection to ${this.client.registry} kept breaking while uploading to ${this.repository} (${maxRetries} retries): check the network and save again`,
          this.client.registry,
        );
      }
      await delay(attempt * (this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS), undefined, {
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      let response;
      try {
        response = await this.client.request('GET', this.location, {
          scopes: this.scopes,
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
      } catch (error) {
        if (error instanceof RegistryUnreachableError) continue;
        throw error;
      }
      const body = await response.text();
      if (response.status === 404) {
        const codes = parseRegistryErrorBody(body).map((detail) => detail.code);
        throw new UploadInterruptedError(
          `the connection to ${this.client.registry} broke mid-upload and the registry discarded the upload (${codes.join(', ') || 'HTTP 404'}): it cannot continue an upload that received part of a chunk; save again`,
          this.client.registry,
          404,
        );
      }
      if (response.status !== 204 && response.status !== 200) {
        throw errorForResponse(this.client.registry, `resume the upload to ${this.repository}`, response.status, body);
      }
      this.location = uploadLocation(this.client, response.headers.get('location') ?? this.location);
      const received = acknowledgedFromRange(response.headers.get('range')) ?? 0;
      if (received < chunkStart || received > chunkEnd) {
        throw new UploadInterruptedError(
          `${this.client.registry} reports ${received} bytes of the upload received, outside the chunk being resent (${chunkStart}–${chunkEnd}): save again`,
          this.client.registry,
        );
      }
      this.resumes += 1;
      this.acknowledge(received, chunkStart, chunkEnd);
      return attempt;
    }
  }

  private acknowledge(received: number, chunkStart: number, chunkEnd: number): void {
    // `Range: 0-0` means nothing or one byte (the spec's inclusive end); within a chunk it is nothing.
    this.acknowledged = Math.min(Math.max(received, chunkStart), chunkEnd);
    this.options.onProgress?.(this.acknowledged);
  }
}

/** `Range: 0-N` (inclusive) → N + 1 bytes received; `0-0` → 0 (what a fresh session answers). */
function acknowledgedFromRange(range: string | null): number | undefined {
  const match = range?.match(/^(?:bytes=)?0-(\d+)$/);
  if (!match) return undefined;
  const end = Number(match[1]);
  return end === 0 ? 0 : end + 1;
}
