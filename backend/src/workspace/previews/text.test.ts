import iconv from 'iconv-lite';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { previewPath } from './index.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;
const CHINESE = '很多用户用中文写数据说明。第二句：模型、数据集与评测。';

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  await writeTree(path.join(work.workRoot, 'home', 'alice'), {
    'utf8.txt': `hello ${CHINESE}\n`,
    'bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE)]),
    'le.txt': iconv.encode(CHINESE, 'utf-16le', { addBOM: true }),
    'be.txt': iconv.encode(CHINESE, 'utf-16be', { addBOM: true }),
    'gbk.txt': iconv.encode(CHINESE, 'gbk'),
    'short-gbk.md': iconv.encode('# 说明\n你好，世界', 'gbk'),
    'long.txt': '中'.repeat(1000),
    'blob.dat': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x41]),
    'empty.txt': '',
  });
});
afterAll(() => cleanup());

async function preview(name: string, maxBytes = 64 * 1024): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', `home/${name}`, { access: 'read' }), { limit: 50, maxBytes });
}

describe('text previews', () => {
  it('decode UTF-8, UTF-8 with BOM, UTF-16LE/BE with BOM and GBK', async () => {
    expect(await preview('utf8.txt')).toMatchObject({
      kind: 'text',
      encoding: 'UTF-8',
      content: `hello ${CHINESE}\n`,
      truncated: false,
    });
    expect(await preview('bom.txt')).toMatchObject({ kind: 'text', encoding: 'UTF-8', bom: true, content: CHINESE });
    expect(await preview('le.txt')).toMatchObject({ kind: 'text', encoding: 'UTF-16LE', bom: true, content: CHINESE });
    expect(await preview('be.txt')).toMatchObject({ kind: 'text', encoding: 'UTF-16BE', content: CHINESE });
    expect(await preview('gbk.txt')).toMatchObject({ kind: 'text', encoding: 'GB18030', content: CHINESE });
    expect(await preview('short-gbk.md')).toMatchObject({
      kind: 'text',
      encoding: 'GB18030',
      content: '# 说明\n你好，世界',
    });
  });

  it('stop at maxBytes without cutting a character, and say so', async () => {
    const result = await preview('long.txt', 100);
    expect(result).toMatchObject({ kind: 'text', truncated: true, size: 3000 });
    if (result.kind !== 'text') throw new Error(result.kind);
    expect(result.content).toBe('中'.repeat(33));
  });

  it('call files with NUL bytes binary, and show empty files as empty text', async () => {
    expect(await preview('blob.dat')).toEqual({ kind: 'binary', size: 9 });
    expect(await preview('empty.txt')).toMatchObject({ kind: 'text', content: '', truncated: false, size: 0 });
  });
});
