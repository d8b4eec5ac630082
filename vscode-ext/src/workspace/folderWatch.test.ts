import { describe, expect, it } from 'vitest';
import type { EventMessage } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { FolderWatch } from './folderWatch.js';
import { OpenFilesFollower } from './openFilesFollower.js';

/** An event source at the seam: records topics, delivers `files` events by hand. */
function fakeEvents() {
  const handlers = new Map<string, (e: EventMessage) => void>();
  const events: EventSource = {
    subscribe: (topic, handler) => {
      handlers.set(topic, handler);
      return { dispose: () => handlers.delete(topic) };
    },
  };
  const change = (path: string, name: string, kind: 'created' | 'changed' | 'deleted' = 'changed') =>
    handlers.get(`files/${path}`)?.({
      type: 'event',
      topic: `files/${path}`,
      kind: 'files',
      data: { path, changes: [{ name, change: kind }] },
    });
  return { events, handlers, change };
}

describe('FolderWatch and OpenFilesFollower', () => {
  it('subscribe a folder once for all who follow it, until the last lets go', () => {
    const { events, handlers, change } = fakeEvents();
    const folders = new FolderWatch(events);
    const seen: string[] = [];
    const first = folders.watch('home/out', (folder, changes) => seen.push(`1:${folder}/${changes[0]?.name}`));
    const second = folders.watch('home/out', (folder, changes) => seen.push(`2:${folder}/${changes[0]?.name}`));
    expect([...handlers.keys()]).toEqual(['files/home/out']);
    change('home/out', 'a.txt');
    expect(seen).toEqual(['1:home/out/a.txt', '2:home/out/a.txt']);
    first.dispose();
    first.dispose();
    expect(handlers.size).toBe(1);
    second.dispose();
    expect(handlers.size).toBe(0);
  });

  it('tell an open file that changed, not its neighbours, and follow it while it is open anywhere', () => {
    const { events, handlers, change } = fakeEvents();
    const changed: string[] = [];
    const files = new OpenFilesFollower(new FolderWatch(events), (path) => changed.push(path));
    files.opened('home/out/log.txt');
    files.opened('home/out/log.txt');
    change('home/out', 'other.txt');
    change('home/out', 'log.txt', 'deleted');
    expect(changed).toEqual(['home/out/log.txt']);
    files.closed('home/out/log.txt');
    expect(handlers.size).toBe(1);
    files.closed('home/out/log.txt');
    expect(handlers.size).toBe(0);
    expect(files.followed).toEqual([]);
  });
});
