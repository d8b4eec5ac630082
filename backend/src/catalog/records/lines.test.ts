import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines, type Line } from './lines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'record-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function linesOf(content: string | Buffer, encoding = 'UTF-8', maxChars?: number): Promise<Line[]> {
  const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, content);
  const bomLength = encoding.startsWith('UTF-16') ? 2 : 0;
  const lines: Line[] = [];
  for await (const line of readLines(file, { encoding, bomLength }, undefined, maxChars)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('numbers lines from 1, strips \\r, and keeps a last line with no newline', async () => {
    expect(await linesOf('a\r\n\nb\nc')).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: '' },
      { number: 3, text: 'b' },
      { number: 4, text: 'c' },
    ]);
    expect(await linesOf('a\n')).toEqual([{ number: 1, text: 'a' }]);
  });

  it('joins a line split across read chunks', async () => {
    const long = 'x'.repeat(200_000);
    expect(await linesOf(`${long}\nshort\n`)).toEqual([
      { number: 1, text: long },
      { number: 2, text: 'short' },
    ]);
  });

  it('drops a line over the cap, whether or not it spans chunks, and goes on with the next', async () => {
    const long = 'y'.repeat(200_000);
    expect(await linesOf(`ok\n${long}\n${'z'.repeat(150)}\nok\n${long}`, 'UTF-8', 100)).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, overlong: true },
      { number: 3, overlong: true },
      { number: 4, text: 'ok' },
      { number: 5, overlong: true },
    ]);
  });

  it('decodes UTF-16 with its BOM', async () => {
    const bytes = iconv.encode('你好\n世界\n', 'utf-16le', { addBOM: true });
    expect(await linesOf(bytes, 'UTF-16LE')).toEqual([
      { number: 1, text: '你好' },
      { number: 2, text: '世界' },
    ]);
  });

  it('stops with the AbortError when the signal fires', async () => {
    const file = path.join(dir, 'abort.txt');
    await writeFile(file, 'a\nb\nc\n');
    const controller = new AbortController();
    const seen: Line[] = [];
    const reading = (async () => {
      for await (const line of readLines(file, { encoding: 'UTF-8', bomLength: 0 }, controller.signal)) {
        seen.push(line);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
  });
});
