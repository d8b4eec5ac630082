import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecords } from './checkRecords.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'check-records-volume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = `${JSON.stringify({ instruction: '把下面的句子翻译成英文', input: '今天天气很好', output: 'The weather is nice today.' })}\n`;
const BAD = `${JSON.stringify({ instruction: '翻译', output: '' })}\n`;

/** Writes `blocks` blocks of `linesPerBlock` lines, the last line of each block bad; returns the bad lines' numbers. */
async function writeJsonl(file: string, blocks: number, linesPerBlock: number): Promise<number[]> {
  const block = GOOD.repeat(linesPerBlock - 1) + BAD;
  const out = createWriteStream(file);
  for (let i = 0; i < blocks; i++) if (!out.write(block)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return Array.from({ length: blocks }, (_, i) => (i + 1) * linesPerBlock);
}

describe('checkRecords at volume', () => {
  it('caps the problems listed but counts every bad record', async () => {
    const sub = await mkdtemp(path.join(dir, 'cap-'));
    await writeFile(path.join(sub, 'bad.jsonl'), BAD.repeat(250));
    const capped = await checkRecords({ dir: sub, annotationType: 'instruction' });
    expect(capped).toMatchObject({ recordsChecked: 250, badRecords: 250 });
    expect(capped.problems).toHaveLength(100);
    expect(capped.problems[99]).toEqual({ file: 'bad.jsonl', line: 100, message: 'output is empty' });

    const five = await checkRecords({ dir: sub, annotationType: 'instruction', maxProblems: 5 });
    expect(five).toMatchObject({ badRecords: 250 });
    expect(five.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('streams a 50 MB JSON Lines file', async () => {
    const sub = await mkdtemp(path.join(dir, 'big-'));
    const blocks = 50;
    const linesPerBlock = Math.ceil((1024 * 1024) / Buffer.byteLength(GOOD));
    const badLines = await writeJsonl(path.join(sub, 'train.jsonl'), blocks, linesPerBlock);
    const result = await checkRecords({ dir: sub, annotationType: 'instruction' });
    expect(result).toMatchObject({ filesChecked: 1, recordsChecked: blocks * linesPerBlock, badRecords: blocks });
    expect(result.problems.map((p) => p.line)).toEqual(badLines);
  }, 30_000);

  it('throws the AbortError when aborted before or during the check', async () => {
    const sub = await mkdtemp(path.join(dir, 'abort-'));
    await writeJsonl(path.join(sub, 'train.jsonl'), 20, Math.ceil((1024 * 1024) / Buffer.byteLength(GOOD)));

    await expect(
      checkRecords({ dir: sub, annotationType: 'instruction', signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });

    const controller = new AbortController();
    const checking = checkRecords({ dir: sub, annotationType: 'instruction', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(checking).rejects.toMatchObject({ name: 'AbortError' });
  }, 30_000);
});
