import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { createHostileFixture, HOSTILE_PATHS, type HostileFixture } from '../../../testing/src/backend/hostilePaths.js';
import { RecordingPublisher, startTestServer, type TestServer } from '../../../testing/src/backend/fileTestServer.js';
import { createFileHandlers } from './fileHandlers.js';
import { PathResolver } from './pathResolver.js';

let base: string;
let work: string;
let fixture: HostileFixture;
let resolver: PathResolver;
let server: TestServer;
let before: Map<string, string>;

/** Everything outside alice's roots: path -> type, size, mtime and content hash (or link target). */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const p = path.join(dir, name);
      if (p === work) continue;
      const s = await lstat(p);
      if (s.isDirectory()) {
        out.set(p, `dir ${s.mtimeMs}`);
        await walk(p);
      } else if (s.isSymbolicLink()) out.set(p, `link ${await readlink(p)}`);
      else
        out.set(
          p,
          `file ${s.size} ${s.mtimeMs} ${createHash('sha256')
            .update(await readFile(p))
            .digest('hex')}`,
        );
    }
  };
  await walk(base);
  await walk(fixture.otherHome);
  return out;
}

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'aiplat-hostile-')));
  work = path.join(base, 'work');
  fixture = await createHostileFixture(work, 'alice');
  await writeFile(path.join(base, 'secret.txt'), 'top secret');
  await writeFile(path.join(work, 'home', 'alice', 'victim.txt'), 'victim');
  resolver = new PathResolver(work);
  server = await startTestServer(
    createFileHandlers({ resolver, events: new RecordingPublisher(), maxUploadBytes: 1024 }),
  );
  before = await snapshot();
});
afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

async function resolverStatus(p: string, access: 'read' | 'write'): Promise<number | 'ok'> {
  try {
    await resolver.resolve('alice', p, { access, mustExist: access === 'read' });
    return 'ok';
  } catch (e) {
    if (e instanceof ApiError) return e.status;
    throw e;
  }
}

/** Every file route, with the hostile path in each position it can take. */
function calls(p: string): [string, () => Promise<Response>][] {
  const url = (route: string, params: Record<string, string>) =>
    `${server.url}${route}?${new URLSearchParams(params).toString()}`;
  const post = (route: string, body: unknown) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return [
    ['list', () => fetch(url('/api/files', { path: p }))],
    ['stat', () => fetch(url('/api/files/stat', { path: p }))],
    ['download', () => fetch(url('/api/files/content', { path: p }))],
    [
      'upload',
      () => fetch(url('/api/files/content', { path: p, overwrite: 'true' }), { method: 'PUT', body: 'pwned' }),
    ],
    ['mkdir', () => post('/api/files/mkdir', { path: p, parents: true })],
    ['rename from', () => post('/api/files/rename', { from: p, to: 'home/moved-here', overwrite: true })],
    ['rename to', () => post('/api/files/rename', { from: 'home/victim.txt', to: p, overwrite: true })],
    ['delete', () => fetch(url('/api/files', { path: p, recursive: 'true' }), { method: 'DELETE' })],
  ];
}

describe('hostile paths', () => {
  it('has a corpus of at least 60 distinct paths', () => {
    expect(new Set(HOSTILE_PATHS.map((h) => h.path)).size).toBeGreaterThanOrEqual(60);
    expect(HOSTILE_PATHS.length).toBe(new Set(HOSTILE_PATHS.map((h) => h.path)).size);
  });

  it.each(HOSTILE_PATHS.map((h) => [JSON.stringify(h.path).slice(0, 60), h] as const))(
    'refuses %s',
    async (_, hostile) => {
      expect(await resolverStatus(hostile.path, 'read')).toBe(hostile.status);
      expect(await resolverStatus(hostile.path, 'write')).toBe(hostile.status);
      for (const [name, call] of calls(hostile.path)) {
        const res = await call();
        const body = (await res.json()) as { error?: { code: string } };
        expect([name, res.status]).toEqual([name, hostile.status]);
        expect(body.error?.code).toBeDefined();
      }
    },
  );

  it('left everything outside the root as it was, and the victim in place', async () => {
    expect(await snapshot()).toEqual(before);
    expect(await readFile(fixture.canaryPath, 'utf8')).toBe(fixture.canaryContent);
    expect(await readFile(path.join(work, 'home', 'alice', 'victim.txt'), 'utf8')).toBe('victim');
    const homeNames = await readdir(path.join(work, 'home', 'alice'));
    expect(homeNames.filter((n) => n.startsWith('.aiplat-upload-') || n === 'moved-here')).toEqual([]);
  });
});

describe('bare links that leave the root', () => {
  it('are refused for reads and writes through them, and deleted as links only', async () => {
    for (const link of ['home/escape-file', 'home/escape-dir', 'home/dangling', 'home/loop-a', 'home/other-home']) {
      for (const [name, call] of calls(link)) {
        if (name === 'rename from' || name === 'delete' || name === 'rename to') continue;
        const res = await call();
        await res.arrayBuffer();
        expect([link, name, res.status]).toEqual([link, name, 403]);
      }
    }
    // Overwriting a link by rename replaces the link itself, never its target.
    const renamed = await calls('home/escape-file').find(([n]) => n === 'rename to')?.[1]();
    expect(renamed?.status).toBe(200);
    expect(await readFile(path.join(work, 'home', 'alice', 'escape-file'), 'utf8')).toBe('victim');
    for (const link of ['home/escape-dir', 'home/dangling', 'home/loop-a', 'home/other-home']) {
      const res = await calls(link).find(([n]) => n === 'delete')?.[1]();
      expect([link, res?.status]).toEqual([link, 200]);
    }
    expect(await readFile(fixture.canaryPath, 'utf8')).toBe(fixture.canaryContent);
    expect(await readFile(path.join(fixture.otherHome, 'secret.txt'), 'utf8')).toBe('secret of another user');
    expect((await readdir(fixture.outsideDir)).sort()).toEqual(['canary.txt']);
  });
});
