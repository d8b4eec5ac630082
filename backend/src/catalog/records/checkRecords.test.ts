import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotationType } from '@aiplat/api';
import { RecordCheckSchema } from '@aiplat/api';
import { checkRecords } from './checkRecords.js';
import { INSTRUCTION_SHAPE, QA_SHAPE, RANKING_SHAPE } from './rules.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'check-records-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(relPath: string, content: string | Buffer): Promise<void> {
  const file = path.join(dir, relPath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

const jsonl = (...records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function check(annotationType: AnnotationType, maxProblems?: number) {
  const result = await checkRecords({ dir, annotationType, ...(maxProblems ? { maxProblems } : {}) });
  expect(RecordCheckSchema.parse(result)).toEqual(result);
  return result;
}

describe('checkRecords on JSON Lines', () => {
  it('checks instruction records, naming the bad lines (1-based, blank lines counted)', async () => {
    const good = { instruction: '翻译成英文', input: '你好', output: 'Hello' };
    await put(
      'train.jsonl',
      `${JSON.stringify(good)}\n\n${JSON.stringify({ prompt: 'p', completion: 'c' })}\n{"instruction": "x",\n` +
        `${JSON.stringify({ instruction: 'x', output: '' })}\n`,
    );
    const result = await check('instruction');
    expect(result).toMatchObject({ annotationType: 'instruction', filesChecked: 1, recordsChecked: 4, badRecords: 3 });
    expect(result.problems).toEqual([
      { file: 'train.jsonl', line: 3, message: `has prompt/completion; ${INSTRUCTION_SHAPE}` },
      { file: 'train.jsonl', line: 4, message: expect.stringMatching(/^not JSON: .+/) },
      { file: 'train.jsonl', line: 5, message: 'output is empty' },
    ]);
  });

  it('checks conversation records in both layouts', async () => {
    await put(
      'chat.jsonl',
      jsonl(
        {
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello' },
          ],
        },
        {
          conversations: [
            { from: 'human', value: 'hi' },
            { from: 'gpt', value: 'hello' },
          ],
        },
        { messages: [{ role: 'user', content: 'hi' }] },
        {
          conversations: [
            { from: 'human', value: 'hi' },
            { from: 'bot', value: 'hello' },
          ],
        },
      ),
    );
    const result = await check('conversation');
    expect(result).toMatchObject({ recordsChecked: 4, badRecords: 2 });
    expect(result.problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'has no assistant turn'],
      [4, expect.stringContaining('conversations[1].from is "bot", not one of human, user, gpt')],
    ]);
  });

  it('checks Q&A and ranking records', async () => {
    await put('qa.jsonl', jsonl({ Query: 'q', Answer: 'a', 'Similar-Question': ['q2'] }, { query: 'q', Answer: 'a' }));
    const qa = await check('qa');
    expect(qa).toMatchObject({ recordsChecked: 2, badRecords: 1 });
    expect(qa.problems).toEqual([
      {
        file: 'qa.jsonl',
        line: 2,
        message: `has "query" where "Query" is expected (names are case-sensitive); ${QA_SHAPE}`,
      },
    ]);

    await rm(path.join(dir, 'qa.jsonl'));
    await put(
      'pref.jsonl',
      jsonl(
        { prompt: 'p', answers: ['a', 'b'] },
        { prompt: 'p', chosen: 'c', rejected: 'r' },
        { prompt: 'p', answers: ['a'] },
      ),
    );
    const ranking = await check('ranking');
    expect(ranking).toMatchObject({ recordsChecked: 3, badRecords: 1 });
    expect(ranking.problems).toEqual([
      { file: 'pref.jsonl', line: 3, message: `answers has 1; ranking needs 2 or more; ${RANKING_SHAPE}` },
    ]);
  });

  it('reads GBK and UTF-16 files', async () => {
    const records = jsonl({ instruction: '请把这句话翻译成英文', input: '今天天气很好', output: '' });
    await put('gbk.jsonl', iconv.encode(records, 'gbk'));
    await put('utf16.jsonl', iconv.encode(records, 'utf-16le', { addBOM: true }));
    const result = await check('instruction');
    expect(result).toMatchObject({ filesChecked: 2, recordsChecked: 2, badRecords: 2 });
    expect(result.problems).toEqual([
      { file: 'gbk.jsonl', line: 1, message: 'output is empty' },
      { file: 'utf16.jsonl', line: 1, message: 'output is empty' },
    ]);
  });

  it('reports an over-long line and goes on', async () => {
    const good = JSON.stringify({ instruction: 'a', output: 'b' });
    const huge = JSON.stringify({ instruction: 'a', output: 'x'.repeat(9 * 1024 * 1024) });
    await put('big.jsonl', `${good}\n${huge}\n${good}\n`);
    const result = await check('instruction');
    expect(result).toMatchObject({ recordsChecked: 3, badRecords: 1 });
    expect(result.problems).toEqual([
      { file: 'big.jsonl', line: 2, message: 'line is longer than 8 Mi characters; not checked' },
    ]);
  });
});

describe('checkRecords on JSON files', () => {
  it('checks an array, naming the record and the line it starts on', async () => {
    await put(
      'data.json',
      '[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "a",\n   "output": ""},\n  "text"\n]\n',
    );
    const result = await check('instruction');
    expect(result).toMatchObject({ recordsChecked: 3, badRecords: 2 });
    expect(result.problems).toEqual([
      { file: 'data.json', line: 3, message: 'record 2: output is empty' },
      { file: 'data.json', line: 5, message: `record 3: is a string; ${INSTRUCTION_SHAPE}` },
    ]);
  });

  it('takes the data array of an object, and reports other documents as a whole', async () => {
    await put('a.json', JSON.stringify({ version: 1, data: [{ Query: 'q', Answer: 'a' }, { Query: 'q' }] }, null, 2));
    await put('b.json', '{"Query": "q", "Answer": "a"}');
    await put('c.json', '[{"Query": "q",\n "Answer": "a"},\n oops]');
    const result = await check('qa');
    expect(result).toMatchObject({ filesChecked: 3, recordsChecked: 2, badRecords: 1 });
    expect(result.problems).toEqual([
      { file: 'a.json', line: 8, message: `record 2: Answer is missing; ${QA_SHAPE}` },
      {
        file: 'b.json',
        line: 0,
        message:
          'is an object with keys Query, Answer; a .json file holds an array of records, or an object with a "data" array of records',
      },
      { file: 'c.json', line: 3, message: expect.stringMatching(/^not JSON: /) },
    ]);
  });
});

describe('checkRecords on CSV and TSV files', () => {
  it('checks Q&A rows by their header, with the line each row starts on', async () => {
    await put(
      'faq.csv',
      'text,Query,Answer,Similar-Question\nt,如何开户,带身份证,开户流程\n\nt,"多行\n问题",\nt,,答案\nt,q,a,s,extra\n',
    );
    const result = await check('qa');
    expect(result).toMatchObject({ recordsChecked: 4, badRecords: 3 });
    expect(result.problems).toEqual([
      { file: 'faq.csv', line: 4, message: 'Answer is empty' },
      { file: 'faq.csv', line: 6, message: 'Query is empty' },
      { file: 'faq.csv', line: 7, message: expect.stringContaining('has 5 fields where the header has 4') },
    ]);
  });

  it('reports a missing column once and counts every row bad', async () => {
    await put('no-answer.csv', 'Query;Reply\nq1;a1\nq2;a2\n');
    const result = await check('qa');
    expect(result).toMatchObject({ recordsChecked: 2, badRecords: 2 });
    expect(result.problems).toEqual([
      {
        file: 'no-answer.csv',
        line: 1,
        message: `the header has no "Answer" column (columns: "Query", "Reply"); ${QA_SHAPE}`,
      },
    ]);
  });

  it('says when a column name differs only in case', async () => {
    await put('case.tsv', iconv.encode('query\tAnswer\n问题\t回答\n', 'gbk'));
    const result = await check('qa');
    expect(result).toMatchObject({ recordsChecked: 1, badRecords: 1 });
    expect(result.problems[0]).toEqual({
      file: 'case.tsv',
      line: 1,
      message: `the header has "query" where "Query" is expected (column names are case-sensitive) (columns: "query", "Answer"); ${QA_SHAPE}`,
    });
  });

  it('checks instruction and ranking tables too', async () => {
    await put('sft.csv', 'instruction,input,output\nsay hi,,hi\nsay hi,,\n');
    const sft = await check('instruction');
    expect(sft.problems).toEqual([{ file: 'sft.csv', line: 3, message: 'output is empty' }]);
    await rm(path.join(dir, 'sft.csv'));
    await put('dpo.csv', 'prompt,chosen,rejected\np,good,bad\n');
    expect(await check('ranking')).toMatchObject({ recordsChecked: 1, badRecords: 0, problems: [] });
  });
});

describe('checkRecords over a folder', () => {
  it('walks nested folders, skips dot entries, symlinks and other files, and names files by relative path', async () => {
    await put('a/b/deep.jsonl', jsonl({ instruction: 'x', output: '' }));
    await put('top.jsonl', jsonl({ instruction: 'x', output: 'y' }));
    await put('.hidden/bad.jsonl', 'not json\n');
    await put('.bad.jsonl', 'not json\n');
    await put('images/cat.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await put('README.md', '# not records\n');
    const outside = await mkdtemp(path.join(tmpdir(), 'check-records-outside-'));
    await writeFile(path.join(outside, 'evil.jsonl'), 'not json\n');
    await symlink(outside, path.join(dir, 'linked'));
    await symlink(path.join(outside, 'evil.jsonl'), path.join(dir, 'linked.jsonl'));
    try {
      const result = await check('instruction');
      expect(result).toMatchObject({ filesChecked: 2, recordsChecked: 2, badRecords: 1 });
      expect(result.problems).toEqual([{ file: 'a/b/deep.jsonl', line: 1, message: 'output is empty' }]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("only counts records for annotation type 'none'", async () => {
    await put('x.jsonl', 'not json\n\n{"a": 1}\n');
    await put('y.json', '[1, 2, 3]');
    await put('bad.json', '{oops');
    await put('z.csv', 'a,b\n1,2\n3,4\n');
    expect(await check('none')).toEqual({
      annotationType: 'none',
      filesChecked: 4,
      recordsChecked: 7,
      badRecords: 0,
      problems: [],
    });
  });

  it('reports an empty folder as nothing checked', async () => {
    expect(await check('qa')).toEqual({
      annotationType: 'qa',
      filesChecked: 0,
      recordsChecked: 0,
      badRecords: 0,
      problems: [],
    });
  });
});
