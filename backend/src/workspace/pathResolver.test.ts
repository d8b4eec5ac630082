import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { PathResolver } from './pathResolver.js';

let base: string;
let resolver: PathResolver;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-resolver-'));
  const work = path.join(base, 'work');
  await mkdir(path.join(work, 'home', 'alice', 'data'), { recursive: true });
  await mkdir(path.join(work, 'mount', 'datasets'), { recursive: true });
  await mkdir(path.join(work, 'cache'), { recursive: true });
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  await writeFile(path.join(work, 'home', 'alice', 'data', 'a.txt'), 'a');
  await symlink(path.join(base, 'secret.txt'), path.join(work, 'home', 'alice', 'escape'));
  await symlink(path.join(base, 'nowhere', 'x'), path.join(work, 'home', 'alice', 'dangling'));
  await symlink(path.join(work, 'home', 'alice', 'data'), path.join(work, 'home', 'alice', 'inside'));
  resolver = new PathResolver(work);
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function code(p: string, access: 'read' | 'write' = 'read', mustExist = true): Promise<string> {
  try {
    await resolver.resolve('alice', p, { access, mustExist });
    return 'ok';
  } catch (e) {
    return e instanceof ApiError ? e.code : String(e);
  }
}

describe('PathResolver', () => {
  it('resolves paths inside a root', async () => {
    const r = await resolver.resolve('alice', 'home/data/a.txt', { access: 'read' });
    expect(r.apiPath).toBe('home/data/a.txt');
    expect(r.exists).toBe(true);
    expect(await code('home/inside/a.txt')).toBe('ok');
  });
  it('refuses traversal, absolute paths and NUL bytes before touching the disk', async () => {
    expect(await code('home/../../secret.txt')).toBe('bad_request');
    expect(await code('/etc/passwd')).toBe('bad_request');
    expect(await code('home/%2e%2e/%2e%2e/secret.txt')).toBe('bad_request');
    expect(await code('home/a\0b')).toBe('bad_request');
  });
  it('refuses symlinks that leave the root, dangling ones included', async () => {
    expect(await code('home/escape')).toBe('path_outside_root');
    expect(await code('home/dangling', 'write', false)).toBe('path_outside_root');
    expect(await code('home/dangling/new-dir/file', 'write', false)).toBe('path_outside_root');
  });
  it('says a symlink loop loops, not that it leads outside', async () => {
    const home = path.join(base, 'work', 'home', 'alice');
    await symlink(path.join(home, 'loop-b'), path.join(home, 'loop-a'));
    await symlink(path.join(home, 'loop-a'), path.join(home, 'loop-b'));
    for (const [p, access, mustExist] of [
      ['home/loop-a', 'read', true],
      ['home/loop-a', 'write', false],
      ['home/loop-a/file.txt', 'write', false],
    ] as const) {
      const error = await resolver.resolve('alice', p, { access, mustExist }).catch((e: unknown) => e);
      expect(error, p).toBeInstanceOf(ApiError);
      expect((error as ApiError).code, p).toBe('forbidden');
      expect((error as ApiError).message, p).toMatch(/symlink loop/);
      expect((error as ApiError).message, p).not.toMatch(/outside/);
    }
  });
  it('refuses writes to mount', async () => {
    expect(await code('mount/datasets/x', 'write', false)).toBe('read_only');
    expect(await code('mount/datasets')).toBe('ok');
  });
  it('refuses Unicode that normalises to dots or separators, overlong escapes and overlong names', async () => {
    expect(await code('home/\u2025/secret.txt')).toBe('bad_request');
    expect(await code('home/\uff0e\uff0e/x', 'write', false)).toBe('bad_request');
    expect(await code('home/a\uff0fb', 'write', false)).toBe('bad_request');
    expect(await code('home/%c0%ae%c0%ae/x')).toBe('bad_request');
    expect(await code(`home/${'a'.repeat(256)}`, 'write', false)).toBe('bad_request');
    expect(await code(`home/${'a/'.repeat(2100)}`, 'write', false)).toBe('bad_request');
    // Ordinary non-ASCII names and percent signs are fine.
    expect(await code('home/données/été.csv', 'write', false)).toBe('ok');
    expect(await code('home/100%.txt', 'write', false)).toBe('ok');
  });
  it('turns a path the file system finds too long into a 400', async () => {
    const deep = `home/${Array.from({ length: 16 }, () => 'b'.repeat(254)).join('/')}`;
    expect(deep.length).toBeLessThanOrEqual(4096);
    // Under the API's 4096 characters, but past PATH_MAX once joined to the work root.
    expect(await code(deep, 'write', false)).toBe('bad_request');
    expect(await code(deep, 'read')).toBe('bad_request');
  });
  it('refuses user names that could climb out of home', async () => {
    for (const user of ['..', '../bob', 'a/b', '', '.hidden', 'x'.repeat(65)]) {
      const result = await resolver.resolve(user, 'home', { access: 'read' }).then(
        () => 'ok',
        (e: unknown) => (e instanceof ApiError ? e.code : String(e)),
      );
      expect([user, result]).toEqual([user, 'forbidden']);
    }
    expect((await resolver.resolve('alice.b-c_1', 'cache', { access: 'read' })).root).toBe('cache');
  });
});
