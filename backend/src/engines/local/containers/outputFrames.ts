import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { OutputChunk } from './containerRuntime.js';

const HEADER_BYTES = 8;
const STREAMS = { 1: 'stdout', 2: 'stderr' } as const;

/**
 * The output of a container without a TTY as the Docker API sends it (logs, exec): frames of an
 * 8-byte header (stream 1 or 2, three zero bytes, the payload's length, big-endian) and a payload.
 * Payloads are yielded as slices of the chunks read, never gathered whole, so gigabytes pass in
 * bounded memory and a slow consumer stops the reading.
 */
export async function* outputFrames(source: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<OutputChunk> {
  let header = Buffer.alloc(0);
  let stream: OutputChunk['stream'] = 'stdout';
  let remaining = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0) {
        const take = Math.min(HEADER_BYTES - header.length, chunk.length - at);
        header = Buffer.concat([header, chunk.subarray(at, at + take)]);
        at += take;
        if (header.length < HEADER_BYTES) break;
        const type = header[0] as number;
        if (type !== 1 && type !== 2)
          throw new Error(`the container's output is not framed (stream byte ${type}): was it created with a TTY?`);
        stream = STREAMS[type];
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length - at);
      yield { stream, data: chunk.subarray(at, at + take) };
      at += take;
      remaining -= take;
    }
  }
  if (header.length > 0 || remaining > 0) throw new Error("the container's output ended in the middle of a frame");
}

/** Writes each frame to its stream, waiting whenever one asks to (back-pressure). */
export async function demultiplex(
  source: AsyncIterable<Buffer>,
  targets: { stdout: Writable; stderr: Writable },
  signal?: AbortSignal,
): Promise<void> {
  for await (const { stream, data } of outputFrames(source)) {
    const target = targets[stream];
    // The signal also ends a wait on a consumer that stopped reading.
    if (!target.write(data)) await once(target, 'drain', signal ? { signal } : {});
  }
}
