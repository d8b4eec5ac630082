import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants as zlib, createGzip, deflateRaw, type ZlibOptions } from 'node:zlib';

const deflateRawBlock = promisify(deflateRaw);

/**
 * Each block is coded the cheapest way that loses nothing measurable, judged from its first 64 KiB
 * by two fast passes, so the choice depends on the bytes only and the same input gives the same layer:
 * - `stored`: a fast pass cannot shrink it by 3% (random bytes, compressed archives, model weights);
 * - `entropy-only` (zlib's Z_HUFFMAN_ONLY): finding repeats gains under 3% over coding the bytes
 *   alone (base64 and hex dumps, packed numbers). Deflate at level 6 spends four times the CPU on
 *   such a block for the same size;
 * - `deflate` at the asked level: everything else (text, code, binaries).
 */
const PROBE_BYTES = 64 << 10;
const INCOMPRESSIBLE_RATIO = 0.97;
const REPEATS_GAIN_RATIO = 0.97;

export type BlockCoding = 'stored' | 'entropy-only' | 'deflate';

/**
 * Room for a whole member in one output buffer (deflate's worst case is a few bytes per 16 KiB, plus
 * gzip's header and trailer). zlib's default of 16 KiB would send a 1 MiB block back and forth between
 * the thread pool and the main thread some 60 times and join the pieces: a third of a save's time.
 */
const outputBytesFor = (inputBytes: number) => inputBytes + (inputBytes >> 10) + 1024;

/** zlib's levels, with its "default" (-1) said as the level it means. */
const effectiveLevel = (level: number) => (level === zlib.Z_DEFAULT_COMPRESSION ? 6 : level);

export async function chooseBlockCoding(block: Buffer, asked: number): Promise<BlockCoding> {
  const level = effectiveLevel(asked);
  if (level <= 0 || block.length < PROBE_BYTES) return 'deflate';
  const sample = block.subarray(0, PROBE_BYTES);
  const chunkSize = outputBytesFor(PROBE_BYTES);
  const [repeats, entropyOnly] = await Promise.all([
    deflateRawBlock(sample, { level: 1, chunkSize }),
    deflateRawBlock(sample, { level, strategy: zlib.Z_HUFFMAN_ONLY, chunkSize }),
  ]);
  if (repeats.length > PROBE_BYTES * INCOMPRESSIBLE_RATIO) return 'stored';
  if (repeats.length > entropyOnly.length * REPEATS_GAIN_RATIO) return 'entropy-only';
  return 'deflate';
}

/** One gzip member as zlib gives it, in pieces: joining them would copy every byte once more. */
function gzipPieces(block: Buffer, options: ZlibOptions): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    const gzip = createGzip({ ...options, chunkSize: outputBytesFor(block.length) });
    gzip.on('data', (piece: Buffer) => pieces.push(piece));
    gzip.on('end', () => resolve(pieces));
    gzip.on('error', reject);
    gzip.end(block);
  });
}

async function compressBlock(block: Buffer, level: number): Promise<Buffer[]> {
  switch (await chooseBlockCoding(block, level)) {
    case 'stored':
      return gzipPieces(block, { level: 0 });
    case 'entropy-only':
      return gzipPieces(block, { level, strategy: zlib.Z_HUFFMAN_ONLY });
    case 'deflate':
      return gzipPieces(block, { level });
  }
}

/**
 * One block per pool thread, whatever the core count: while the main thread takes a finished block
 * and hands the next one over, the other threads keep the cores busy (measured: 2 cores compress
 * base64 text 20% faster with 4 blocks in flight than with 2).
 */
const THREAD_POOL_SIZE = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);

export interface ParallelGzipOptions {
  level?: number;
  /** Input bytes per gzip member. */
  blockBytes?: number;
  /** Blocks compressed at once (on libuv's thread pool, 4 threads unless UV_THREADPOOL_SIZE says otherwise). */
  concurrency?: number;
  /** Told of each chunk once its bytes are copied: the writer may fill that buffer again. */
  onConsumed?: (chunk: Buffer) => void;
}

/**
 * gzip on every core, as pigz --independent and the registries' own clients (pgzip) do: the input
 * is cut into blocks, each compressed on the thread pool as a gzip member of its own, and the
 * members are written in order. A series of members is one gzip file (RFC 1952 §2.2) that every
 * reader of image layers (Go's compress/gzip, zlib, GNU gzip) reads whole; the cost is a few bytes
 * per block and a dictionary that restarts at each block (well under 1% on a 1 MiB block). Memory
 * stays bounded: at most `concurrency` blocks are in flight, and back-pressure holds the rest.
 * Each block is stored, entropy-coded only or deflated (see `chooseBlockCoding`).
 */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  const blockBytes = options.blockBytes ?? 1 << 20;
  const concurrency = Math.max(1, options.concurrency ?? THREAD_POOL_SIZE);
  const level = effectiveLevel(options.level ?? 6);
  /*
   * Input is copied into blocks that are used again once compressed: fresh megabytes cost more
   * than the copy (the kernel zeroes each new page), and a save goes through hundreds of them.
   */
  const freeBlocks: Buffer[] = [];
  let block: Buffer | undefined;
  let filled = 0;
  /** Compressions under way, oldest first; each output is pushed once those before it are. */
  const inFlight: { block: Buffer; compressed: Promise<Buffer[]> }[] = [];

  const startBlock = (length: number) => {
    const full = block ?? Buffer.alloc(0);
    const compressed = compressBlock(full.subarray(0, length), level);
    // Awaited in order below; a rejection is handled there, not reported as unhandled meanwhile.
    compressed.catch(() => undefined);
    inFlight.push({ block: full, compressed });
    block = undefined;
    filled = 0;
  };
  const pushOldest = async (stream: Transform) => {
    const oldest = inFlight.shift()!;
    for (const piece of await oldest.compressed) stream.push(piece);
    if (oldest.block.length === blockBytes) freeBlocks.push(oldest.block);
  };

  return new Transform({
    async transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        for (let at = 0; at < chunk.length;) {
          block ??= freeBlocks.pop() ?? Buffer.allocUnsafeSlow(blockBytes);
          const copied = chunk.copy(block, filled, at);
          filled += copied;
          at += copied;
          if (filled === blockBytes) {
            startBlock(blockBytes);
            while (inFlight.length >= concurrency) await pushOldest(this);
          }
        }
        options.onConsumed?.(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    async flush(callback: TransformCallback) {
      try {
        if (filled > 0 || inFlight.length === 0) startBlock(filled);
        while (inFlight.length > 0) await pushOldest(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
