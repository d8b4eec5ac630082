import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { filesTopic } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { rawSocket } from '../../../testing/src/backend/rawSocket.js';

let fx: PlatformFixture;
let outDir: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  fx = await startPlatform();
  outDir = path.join(fx.workRoot, 'home', 'alice', 'out');
  await mkdir(path.join(outDir, 'deeper'), { recursive: true });
  await mkdir(path.join(fx.workRoot, 'home', 'bob', 'private'), { recursive: true });
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await fx?.close();
});

/** A raw WebSocket whose `changes()` is the next files event. */
async function socket(user: 'alice' | 'bob' = 'alice') {
  const raw = await rawSocket(fx, user);
  sockets.push(raw.ws);
  return { ...raw, changes: () => raw.event('files') };
}

describe('the files/<path> topic', () => {
  it('tells a subscriber which entries of its folder were created, changed and deleted (not deeper ones)', async () => {
    const client = await socket();
    const topic = filesTopic('home/out');
    client.subscribe(topic);
    await client.acknowledged(topic);

    await writeFile(path.join(outDir, 'metrics.json'), '{}');
    expect(await client.changes()).toEqual({
      path: 'home/out',
      changes: [{ name: 'metrics.json', change: 'created' }],
    });

    // Listed (and cached) by size first: a rewrite in place does not change the folder's mtime.
    const bySize = async () =>
      (await fx.client().listFiles({ query: { path: 'home/out', sort: 'size' } })).entries.find(
        (e) => e.name === 'metrics.json',
      )?.size;
    expect(await bySize()).toBe(2);
    await writeFile(path.join(outDir, 'metrics.json'), '{"loss": 1}');
    expect((await client.changes()).changes).toEqual([{ name: 'metrics.json', change: 'changed' }]);
    expect(await bySize()).toBe(11);

    await writeFile(path.join(outDir, 'deeper', 'not-seen.txt'), 'x');
    await rm(path.join(outDir, 'metrics.json'));
    expect((await client.changes()).changes).toEqual([{ name: 'metrics.json', change: 'deleted' }]);
  });

  it('coalesces a burst into few events naming every entry once', async () => {
    const client = await socket();
    await mkdir(path.join(outDir, 'burst'));
    const topic = filesTopic('home/out/burst');
    client.subscribe(topic);
    await client.acknowledged(topic);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writeFile(path.join(outDir, 'burst', `f${i}.txt`), 'x')));
    const seen = new Set<string>();
    let events = 0;
    while (seen.size < 50) {
      for (const c of (await client.changes()).changes) seen.add(c.name);
      events++;
    }
    expect(events).toBeLessThan(10);
    // A listing right after the event shows the new files.
    const listing = await fx.client().listFiles({ query: { path: 'home/out/burst' } });
    expect(listing.entries.map((e) => e.name)).toHaveLength(50);
  });

  it('shares one watcher per folder and closes it with the last subscriber (unsubscribe or a closed socket)', async () => {
    await mkdir(path.join(outDir, 'shared'));
    const first = await socket();
    const second = await socket();
    const topic = filesTopic('home/out/shared');
    const watched = () => fx.platform.folderWatchers.watchedCount;
    const before = watched();
    first.subscribe(topic);
    second.subscribe(topic);
    await Promise.all([first.acknowledged(topic), second.acknowledged(topic)]);
    expect(watched()).toBe(before + 1);
    first.ws.send(JSON.stringify({ type: 'unsubscribe', topic }));
    await new Promise((r) => setTimeout(r, 100));
    expect(watched()).toBe(before + 1);
    second.ws.close();
    for (let i = 0; i < 100 && watched() !== before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(watched()).toBe(before);
  });

  it.each([
    ['home/../../etc', /outside|\.\./],
    ['home/does-not-exist', /does not exist/],
    ['mount/../home', /outside|\.\./],
    ['home/out/deeper/../../../bob', /outside|\.\./],
    ['nowhere', /no root named "nowhere"/],
  ])('refuses %s with a message, and keeps the connection', async (folder, message) => {
    const client = await socket();
    client.subscribe(`files/${folder}`);
    const error = await client.error();
    expect(error.message).toMatch(message);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("refuses a file, and never shows another user's home", async () => {
    await writeFile(path.join(outDir, 'a-file.txt'), 'x');
    const client = await socket();
    client.subscribe(filesTopic('home/out/a-file.txt'));
    expect((await client.error()).message).toMatch(/is a file; watch the folder it is in/);
    // bob's "home" is bob's own: alice's out folder is not there.
    const bob = await socket('bob');
    bob.subscribe(filesTopic('home/out'));
    expect((await bob.error()).message).toMatch(/does not exist/);
  });
});
