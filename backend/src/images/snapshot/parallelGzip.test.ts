import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createParallelGzip, type ParallelGzipOptions } from './parallelGzip.js';

/** Feeds `input` in pieces of uneven sizes and collects what comes out. */
async function compress(input: Buffer, options: ParallelGzipOptions): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0, size = 1; at < input.length; at += size, size = (size * 7 + 13) % 100_003) {
    pieces.push(input.subarray(at, at + size));
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    createParallelGzip(options),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('gzip on every core', () => {
  // Text (compressible) and random bytes, so blocks take different times to compress.
  const input = Buffer.concat([
    Buffer.from('layer text '.repeat(200_000)),
    randomBytes(700_000),
    Buffer.from('more text '.repeat(50_000)),
  ]);

  it('writes the blocks in order as gzip members that zlib and GNU gzip read back whole', async () => {
    for (const concurrency of [1, 3]) {
      const gz = await compress(input, { blockBytes: 64 << 10, concurrency });
      expect(gunzipSync(gz).equals(input)).toBe(true);
      expect(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 64 << 20 }).equals(input)).toBe(true);
      // One member per 64 KiB block: each starts with gzip's magic bytes.
      expect(gz.subarray(0, 2).toString('hex')).toBe('1f8b');
    }
  });

  it('compresses about as well as one stream', async () => {
    const parallel = await compress(input, { blockBytes: 1 << 20, concurrency: 2 });
    const single = execFileSync('gzip', ['-6'], { input, maxBuffer: 64 << 20 });
    expect(parallel.length / single.length).toBeLessThan(1.01);
  });

  it('stores incompressible blocks rather than spend level 6 on them, and gives the same bytes each time', async () => {
    const random = randomBytes(2 << 20);
    const text = Buffer.from('a line of a log file, again and again\n'.repeat(60_000));
    const mixed = Buffer.concat([random, text]);
    const gz = await compress(mixed, { blockBytes: 1 << 20, concurrency: 2 });
    expect(gunzipSync(gz).equals(mixed)).toBe(true);
    // Random megabytes are stored: a few bytes of framing per 64 KiB, not deflate's attempt.
    const stored = await compress(random, { blockBytes: 1 << 20, concurrency: 2 });
    expect(stored.length).toBeGreaterThan(random.length);
    expect(stored.length).toBeLessThan(random.length * 1.001);
    // gzip's XFL byte: 4 where zlib wrote at level 0 or 1, 0 at the default level.
    expect(stored[8]).toBe(4);
    // The text still shrinks as much as ever.
    const compressed = await compress(text, { blockBytes: 1 << 20, concurrency: 2 });
    expect(compressed.length).toBeLessThan(text.length / 20);
    expect(compressed[8]).toBe(0);
    expect((await compress(mixed, { blockBytes: 1 << 20, concurrency: 1 })).equals(gz)).toBe(true);
  });

  it('makes a valid empty gzip of no input', async () => {
    const gz = await compress(Buffer.alloc(0), {});
    expect(gunzipSync(gz).length).toBe(0);
  });
});
