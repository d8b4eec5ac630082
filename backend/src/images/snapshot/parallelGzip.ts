import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { deflateRaw, gzip } from 'node:zlib';

const gzipBlock = promisify(gzip);
const deflateRawBlock = promisify(deflateRaw);

/**
 * Blocks whose first 64 KiB a fast pass cannot shrink by 3% (random bytes, compressed archives,
 * model weights) are stored rather than compressed: level 6 would spend most of a save's CPU on
 * them for nothing. The choice depends on the bytes only, so the same input gives the same layer.
 */
const PROBE_BYTES = 64 << 10;
const INCOMPRESSIBLE_RATIO = 0.97;

async function compressBlock(block: Buffer, level: number): Promise<Buffer> {
  if (level > 0 && block.length >= PROBE_BYTES) {
    const probe = await deflateRawBlock(block.subarray(0, PROBE_BYTES), { level: 1 });
    if (probe.length > PROBE_BYTES * INCOMPRESSIBLE_RATIO) return gzipBlock(block, { level: 0 });
  }
  return gzipBlock(block, { level });
}

export interface ParallelGzipOptions {
  level?: number;
  /** Input bytes per gzip member. */
  blockBytes?: number;
  /** Blocks compressed at once (on libuv's thread pool). */
  concurrency?: number;
}

/**
 * gzip on every core, as pigz --independent and the registries' own clients (pgzip) do: the input
 * is cut into blocks, each compressed on the thread pool as a gzip member of its own, and the
 * members are written in order. A series of members is one gzip file (RFC 1952 §2.2) that every
 * reader of image layers (Go's compress/gzip, zlib, GNU gzip) reads whole; the cost is a few bytes
 * per block and a dictionary that restarts at each block (well under 1% on a 1 MiB block). Memory
 * stays bounded: at most `concurrency` blocks are in flight, and back-pressure holds the rest.
 * Incompressible blocks are stored (see INCOMPRESSIBLE_RATIO).
 */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  const blockBytes = options.blockBytes ?? 1 << 20;
  const concurrency = Math.max(1, options.concurrency ?? Math.min(os.availableParallelism(), 4));
  const level = options.level ?? 6;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Compressions under way, oldest first; each output is pushed once those before it are. */
  const inFlight: Promise<Buffer>[] = [];

  const startBlock = (block: Buffer) => {
    const compressed = compressBlock(block, level);
    // Awaited in order below; a rejection is handled there, not reported as unhandled meanwhile.
    compressed.catch(() => undefined);
    inFlight.push(compressed);
  };

  return new Transform({
    async transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= blockBytes) {
          const all = Buffer.concat(pending);
          startBlock(all.subarray(0, blockBytes));
          const rest = all.subarray(blockBytes);
          pending = rest.length > 0 ? [rest] : [];
          pendingBytes = rest.length;
          while (inFlight.length >= concurrency) this.push(await inFlight.shift()!);
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    async flush(callback: TransformCallback) {
      try {
        if (pendingBytes > 0 || inFlight.length === 0) startBlock(Buffer.concat(pending));
        pending = [];
        while (inFlight.length > 0) this.push(await inFlight.shift()!);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
