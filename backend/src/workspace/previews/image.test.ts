import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@aiplat/api';
import { pngBytes, tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { previewPath } from './index.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;

const gif = Buffer.from('474946383961030005000000002c00000000030005000002024401003b', 'hex'); // 3×5 GIF89a

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  await writeTree(path.join(work.workRoot, 'home', 'alice'), {
    'img/cat.png': pngBytes(7, 3),
    'img/no-extension': pngBytes(4, 9),
    'img/tiny.gif': gif,
    'img/logo.svg':
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40"/></svg>',
    'img/broken.jpg': 'not really a jpeg',
  });
});
afterAll(() => cleanup());

async function preview(name: string): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', `home/img/${name}`, { access: 'read' }), {
    limit: 50,
    maxBytes: 1024,
  });
}

describe('image previews', () => {
  it('give the type and dimensions from the header', async () => {
    expect(await preview('cat.png')).toEqual({
      kind: 'image',
      mimeType: 'image/png',
      width: 7,
      height: 3,
      size: pngBytes(7, 3).length,
    });
    expect(await preview('tiny.gif')).toMatchObject({ kind: 'image', mimeType: 'image/gif', width: 3, height: 5 });
    expect(await preview('logo.svg')).toMatchObject({
      kind: 'image',
      mimeType: 'image/svg+xml',
      width: 120,
      height: 40,
    });
  });

  it('sniff images without an extension', async () => {
    expect(await preview('no-extension')).toMatchObject({ kind: 'image', mimeType: 'image/png', width: 4, height: 9 });
  });

  it('still answer for an unreadable image, without dimensions', async () => {
    expect(await preview('broken.jpg')).toEqual({ kind: 'image', mimeType: 'image/jpeg', size: 17 });
  });
});
