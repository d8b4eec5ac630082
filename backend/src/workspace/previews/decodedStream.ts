import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createDecodeStream, type DetectedEncoding } from './encoding.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * Streams a file decoded from `detected` to strings, through `sink` when given (a parser taking
 * strings). Iterate the result and `break` to stop early: that destroys the whole chain, so no
 * more of the file is read. Read errors surface in the iteration.
 */
export function openDecodedStream(absPath: string, detected: DetectedEncoding): AsyncIterable<string>;
export function openDecodedStream<T>(
  absPath: string,
  detected: DetectedEncoding,
  sink: NodeJS.ReadWriteStream,
): AsyncIterable<T>;
export function openDecodedStream(
  absPath: string,
  detected: DetectedEncoding,
  sink?: NodeJS.ReadWriteStream,
): AsyncIterable<unknown> {
  const source = createReadStream(absPath, { highWaterMark: CHUNK_BYTES });
  const decoder = createDecodeStream(detected);
  // Errors reach the consumer through the destroyed last stream; the callback only has to exist.
  const ignore = () => {};
  return sink ? pipeline(source, decoder, sink, ignore) : pipeline(source, decoder, ignore);
}
