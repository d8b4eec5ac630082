import iconv from 'iconv-lite';
import { truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { detectDelimiter } from './csv.js';
import { previewPath } from './index.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  const home = path.join(work.workRoot, 'home', 'alice');
  await writeTree(home, {
    'quoted.csv': 'id,text,label\n1,"first line\nsecond line",pos\n2,"has, a comma and ""quotes""",neg\n3,plain,pos\n',
    'semi.csv': 'name;city;score\nAnna;Berlin;3,5\nBo;Paris;4,0\n',
    'pipe.csv': 'a|b|c\n1|2|3\n',
    'data.tsv': 'word\tcount, total\nthe\t10, 20\n',
    'gbk.csv': iconv.encode('城市,人口\n北京,2189\n上海,2487\n', 'gbk'),
    'bom.csv': '\ufeffx,y\n1,2\n',
    'unclosed.csv': 'a,b\n1,2\n3,"never closed\n',
    'big.csv': 'n,square\n' + Array.from({ length: 20_000 }, (_, i) => `${i},${i * i}`).join('\n') + '\n',
  });
  // Gigabytes of NUL bytes after the rows: reading them all would take seconds and fail to parse.
  await truncate(path.join(home, 'big.csv'), 4 * 1024 ** 3);
});
afterAll(() => cleanup());

async function preview(name: string, limit = 50): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', `home/${name}`, { access: 'read' }), {
    limit,
    maxBytes: 64 * 1024,
  });
}

describe('CSV previews', () => {
  it('parse a header and quoted fields with newlines, commas and escaped quotes', async () => {
    expect(await preview('quoted.csv')).toEqual({
      kind: 'csv',
      delimiter: ',',
      header: ['id', 'text', 'label'],
      rows: [
        ['1', 'first line\nsecond line', 'pos'],
        ['2', 'has, a comma and "quotes"', 'neg'],
        ['3', 'plain', 'pos'],
      ],
      truncated: false,
      size: expect.any(Number),
    });
  });

  it('detect ; and | delimiters, and take tabs for .tsv', async () => {
    expect(await preview('semi.csv')).toMatchObject({
      delimiter: ';',
      header: ['name', 'city', 'score'],
      rows: [
        ['Anna', 'Berlin', '3,5'],
        ['Bo', 'Paris', '4,0'],
      ],
    });
    expect(await preview('pipe.csv')).toMatchObject({ delimiter: '|', rows: [['1', '2', '3']] });
    expect(await preview('data.tsv')).toMatchObject({ delimiter: '\t', header: ['word', 'count, total'] });
  });

  it('decode GBK and drop a BOM', async () => {
    expect(await preview('gbk.csv')).toMatchObject({
      header: ['城市', '人口'],
      rows: [
        ['北京', '2189'],
        ['上海', '2487'],
      ],
    });
    expect(await preview('bom.csv')).toMatchObject({ header: ['x', 'y'] });
  });

  it('keep the rows before a parse error and report it', async () => {
    const result = await preview('unclosed.csv');
    expect(result).toMatchObject({ kind: 'csv', rows: [['1', '2']], truncated: true });
    if (result.kind !== 'csv') throw new Error(result.kind);
    expect(result.errors?.[0]?.message).toMatch(/quote/i);
  });

  it('stop reading once limit rows are in', async () => {
    const result = await preview('big.csv', 10);
    expect(result).toMatchObject({ truncated: true, size: 4 * 1024 ** 3 });
    if (result.kind !== 'csv') throw new Error(result.kind);
    expect(result.rows).toHaveLength(10);
    expect(result.rows[9]).toEqual(['9', '81']);
  });

  it('pick the delimiter consistent across lines, ignoring quoted ones', () => {
    expect(detectDelimiter('a;b\n"x,y,z";1\n"p,q";2\n')).toBe(';');
    expect(detectDelimiter('one column\nonly\n')).toBe(',');
    expect(detectDelimiter('a\tb\tc\n1\t2\t3\n4\t5', false)).toBe('\t');
  });
});
