import iconv from 'iconv-lite';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { previewPath } from './index.js';
import { jsonErrorLine, MAX_JSON_PARSE_BYTES } from './json.js';
import { detectRecordFormat } from './recordFormat.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;
let base: string;

const alpaca = (i: number) => ({ instruction: `翻译第 ${i} 句`, input: `sentence ${i}`, output: `句子 ${i}` });

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  base = path.join(work.workRoot, 'home', 'alice');
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify(alpaca(i + 1)));
  lines.splice(3, 0, '{"instruction": "broken', ''); // line 4 is broken, line 5 blank
  await writeTree(path.join(work.workRoot, 'home', 'alice'), {
    'array.json': JSON.stringify(Array.from({ length: 5 }, (_, i) => alpaca(i))),
    'object.json': '{\n  "name": "x",\n  "value": 1\n}',
    'broken.json': '{\n  "a": 1,\n  "b": \n}',
    'chat.jsonl': [
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
      },
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: '1+1?' },
          { role: 'assistant', content: '2' },
        ],
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\r\n'),
    'sharegpt.json': JSON.stringify([
      {
        id: 'a',
        conversations: [
          { from: 'human', value: '你好' },
          { from: 'gpt', value: '你好！' },
        ],
      },
    ]),
    'train.jsonl': lines.join('\n') + '\n',
    'gbk.jsonl': iconv.encode('{"text": "中文数据"}\n{"text": "第二行"}\n', 'gbk'),
    'prompt.ndjson': '{"prompt": "Q", "completion": "A", "extra": true}\n{"prompt": "Q2", "completion": "A2"}',
    'big.jsonl':
      Array.from({ length: 5000 }, (_, i) => JSON.stringify({ text: `record ${i}`.padEnd(40, '.') })).join('\n') + '\n',
  });
  // Gigabytes of NUL bytes after the records: reading them would take seconds and report errors.
  await truncate(path.join(work.workRoot, 'home', 'alice', 'big.jsonl'), 4 * 1024 ** 3);
});
afterAll(() => cleanup());

async function preview(name: string, limit = 50): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', `home/${name}`, { access: 'read' }), {
    limit,
    maxBytes: 64 * 1024,
  });
}

describe('JSON previews', () => {
  it('give the first records of an array and recognise the instruction format', async () => {
    const result = await preview('array.json', 3);
    expect(result).toMatchObject({
      kind: 'json',
      format: 'json',
      recordFormat: 'instruction',
      fields: ['instruction', 'input', 'output'],
      truncated: true,
      errors: [],
    });
    if (result.kind !== 'json') throw new Error(result.kind);
    expect(result.records).toEqual([alpaca(0), alpaca(1), alpaca(2)]);
  });

  it('show an object as one record and ShareGPT as a conversation', async () => {
    expect(await preview('object.json')).toMatchObject({
      records: [{ name: 'x', value: 1 }],
      fields: ['name', 'value'],
      recordFormat: 'generic',
      truncated: false,
    });
    expect(await preview('sharegpt.json')).toMatchObject({
      recordFormat: 'conversation',
      fields: ['id', 'conversations'],
    });
  });

  it('show the first bytes of a JSON file too large to parse as text', async () => {
    const big = path.join(base, 'big.json');
    await writeFile(big, '[' + '{"n": 1},'.repeat(2 * 1024 * 1024) + '{"n": 1}]');
    const result = await preview('big.json');
    expect(result).toMatchObject({ kind: 'text', encoding: 'UTF-8', truncated: true });
    if (result.kind !== 'text') throw new Error(result.kind);
    expect(result.content.startsWith('[{"n": 1},')).toBe(true);
    expect(result.content.length).toBe(64 * 1024);
    expect(result.size).toBeGreaterThan(MAX_JSON_PARSE_BYTES);
  });

  it('report a syntax error with its line', async () => {
    const result = await preview('broken.json');
    expect(result).toMatchObject({ kind: 'json', records: [], errors: [{ line: 4 }] });
  });

  it('map V8 error positions to lines', () => {
    expect(jsonErrorLine('Unexpected token } in JSON at position 6', 'a\nb\ncd}')).toBe(3);
    expect(jsonErrorLine("Expected ',' (line 7 column 2)", '')).toBe(7);
    expect(jsonErrorLine('Unexpected end of JSON input', '{\n\n')).toBe(3);
  });
});

describe('JSONL previews', () => {
  it('stream until the limit, reporting bad lines with 1-based numbers', async () => {
    const result = await preview('train.jsonl', 5);
    if (result.kind !== 'json') throw new Error(result.kind);
    expect(result).toMatchObject({ format: 'jsonl', recordFormat: 'instruction', truncated: true });
    expect(result.records).toEqual([1, 2, 3, 4, 5].map(alpaca));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(4);
  });

  it('do not read past the records they return', async () => {
    const result = await preview('big.jsonl', 3);
    expect(result).toMatchObject({ kind: 'json', truncated: true, errors: [], size: 4 * 1024 ** 3 });
    if (result.kind !== 'json') throw new Error(result.kind);
    expect(result.records).toHaveLength(3);
  });

  it('are not truncated when every record fits', async () => {
    const result = await preview('train.jsonl', 10);
    expect(result).toMatchObject({ truncated: false });
    if (result.kind !== 'json') throw new Error(result.kind);
    expect(result.records).toHaveLength(10);
  });

  it('recognise chat messages (CRLF lines), prompt/completion, and GBK-encoded lines', async () => {
    expect(await preview('chat.jsonl')).toMatchObject({
      recordFormat: 'conversation',
      fields: ['messages'],
      errors: [],
    });
    expect(await preview('prompt.ndjson')).toMatchObject({
      recordFormat: 'instruction',
      fields: ['prompt', 'completion', 'extra'],
    });
    expect(await preview('gbk.jsonl')).toMatchObject({ records: [{ text: '中文数据' }, { text: '第二行' }] });
  });

  it('classify by the majority of records', () => {
    expect(
      detectRecordFormat([{ instruction: 'a', output: 'b' }, { text: 'x' }, { instruction: 'c', output: 'd' }]),
    ).toBe('instruction');
    expect(detectRecordFormat([{ text: 'x' }, { messages: [{ role: 'user', content: 'y' }] }])).toBe('generic');
    expect(detectRecordFormat([])).toBe('generic');
  });
});
