import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chooseBlockCoding, createParallelGzip, type ParallelGzipOptions } from './parallelGzip.js';

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

  it('codes bytes without repeats (base64) by entropy only, as small as level 6 makes them', async () => {
    const base64 = Buffer.from(randomBytes(3 << 20).toString('base64'));
    const text = Buffer.from('a line of a log file, again and again\n'.repeat(60_000));
    // Machine code: Node's own program, past its headers.
    const code = readFileSync(process.execPath).subarray(4 << 20, 5 << 20);
    expect(await chooseBlockCoding(base64.subarray(0, 1 << 20), 6)).toBe('entropy-only');
    expect(await chooseBlockCoding(randomBytes(1 << 20), 6)).toBe('stored');
    // zlib's "default level" (-1, what the layer writer asks for) is level 6, probes included.
    expect(await chooseBlockCoding(randomBytes(1 << 20), -1)).toBe('stored');
    expect(await chooseBlockCoding(base64.subarray(0, 1 << 20), -1)).toBe('entropy-only');
    expect(await chooseBlockCoding(text.subarray(0, 1 << 20), 6)).toBe('deflate');
    expect(await chooseBlockCoding(code, 6)).toBe('deflate');
    // Too short to judge, or no compression asked: plain deflate at the asked level.
    expect(await chooseBlockCoding(base64.subarray(0, 1000), 6)).toBe('deflate');
    expect(await chooseBlockCoding(base64.subarray(0, 1 << 20), 0)).toBe('deflate');

    const gz = await compress(base64, { blockBytes: 1 << 20, concurrency: 2 });
    expect(gunzipSync(gz).equals(base64)).toBe(true);
    expect(gz.length / gzipSync(base64, { level: 6 }).length).toBeLessThan(1.005);
  });

  it('makes a valid empty gzip of no input', async () => {
    const gz = await compress(Buffer.alloc(0), {});
    expect(gunzipSync(gz).length).toBe(0);
  });
});
