import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { previewPath } from './index.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  const home = path.join(work.workRoot, 'home', 'alice');
  await writeTree(home, {
    'folder/a.txt': 'a',
    'folder/b.txt': 'b',
    'folder/sub/c.txt': 'c',
    'data.parquet': Buffer.from([0x50, 0x41, 0x52, 0x31, 0x00, 0x00, 0x50, 0x41, 0x52, 0x31]),
    'notes.csv.bak': 'just text',
    'binary.csv': Buffer.from([0x00, 0x01, 0x02]),
  });
  execFileSync('mkfifo', [path.join(home, 'pipe')]);
});
afterAll(() => cleanup());

async function preview(apiPath: string): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', apiPath, { access: 'read' }), { limit: 50, maxBytes: 1024 });
}

describe('previewPath', () => {
  it('counts the entries of a plain folder, and of a root', async () => {
    expect(await preview('home/folder')).toEqual({ kind: 'directory', entryCount: 3 });
    expect(await preview('home')).toMatchObject({ kind: 'directory' });
  });

  it('names known binary types, and sniffs content over extensions', async () => {
    expect(await preview('home/data.parquet')).toEqual({
      kind: 'binary',
      size: 10,
      mimeType: 'application/vnd.apache.parquet',
    });
    expect(await preview('home/binary.csv')).toEqual({ kind: 'binary', size: 3 });
    expect(await preview('home/notes.csv.bak')).toMatchObject({ kind: 'text', content: 'just text' });
  });

  it('never opens a FIFO', async () => {
    expect(await preview('home/pipe')).toEqual({ kind: 'binary', size: 0 });
  });
});
