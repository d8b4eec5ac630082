import { describe, expect, it } from 'vitest';
import type { EventMessage, EventSocket } from '@aiplat/api';
import { FolderSubscriptions } from './folderSubscriptions.js';

/** An in-memory socket at the seam: records topics, delivers events by hand. */
function fakeSocket() {
  const handlers = new Map<string, (e: EventMessage) => void>();
  const socket = {
    subscribe: (topic: string, handler: (e: EventMessage) => void) => {
      handlers.set(topic, handler);
      return () => handlers.delete(topic);
    },
  } as unknown as EventSocket;
  const emit = (path: string, name: string) =>
    handlers.get(`files/${path}`)?.({
      type: 'event',
      topic: `files/${path}`,
      kind: 'files',
      data: { path, changes: [{ name, change: 'created' }] },
    });
  return { socket, handlers, emit };
}

describe('FolderSubscriptions', () => {
  it('follows each folder once, never the roots list, and stops on unwatch', () => {
    const { socket, handlers, emit } = fakeSocket();
    const seen: string[] = [];
    const subs = new FolderSubscriptions({ client: undefined, events: socket }, (path, changes) =>
      seen.push(`${path}:${changes[0]?.name}`),
    );
    subs.watch('');
    subs.watch('home/out');
    subs.watch('home/out');
    expect([...handlers.keys()]).toEqual(['files/home/out']);
    emit('home/out', 'a.txt');
    expect(seen).toEqual(['home/out:a.txt']);
    subs.unwatch('home/out');
    expect(handlers.size).toBe(0);
  });

  it('subscribes every folder again on the socket a reconnect brought', () => {
    const first = fakeSocket();
    const second = fakeSocket();
    const source = { client: undefined, events: first.socket as EventSocket | undefined };
    const subs = new FolderSubscriptions(source, () => undefined);
    subs.watch('home/a');
    subs.watch('cache/b');
    source.events = second.socket;
    subs.sync();
    expect([...second.handlers.keys()].sort()).toEqual(['files/cache/b', 'files/home/a']);
    subs.dispose();
    expect(second.handlers.size).toBe(0);
  });
});
