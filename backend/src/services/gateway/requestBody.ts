import type http from 'node:http';
import { Readable } from 'node:stream';

/**
 * A caller's request body as the upstream client reads it: nothing is read from the caller before
 * the client asks (once the replica's connection is up), the caller is paused while the replica
 * reads slowly, and a body growing past `maxBytes` stops at the limit (`tooLarge`). Ending this
 * stream never ends the caller's request, so the gateway can still answer 413 or retry the call on
 * another replica with a new RequestBody.
 */
export class RequestBody extends Readable {
  private started = false;
  private bytes = 0;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly maxBytes: number,
    private readonly owner: { bodyTooLarge(): void },
  ) {
    super();
  }

  override _read(): void {
    if (this.started) {
      this.req.resume();
      return;
    }
    this.started = true;
    this.req.on('data', this.onData);
    this.req.once('end', this.onEnd);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stop();
    callback(error);
  }

  /** Stops reading the caller's body (left as it is: paused, or flowing into nothing). */
  stop(): void {
    if (!this.started) return;
    this.req.off('data', this.onData);
    this.req.off('end', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.stop();
      this.owner.bodyTooLarge();
      return;
    }
    if (!this.push(chunk)) this.req.pause();
  };

  private readonly onEnd = (): void => {
    this.push(null);
  };
}
