import type { EventMessage } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../tokens.js';
import { LiveListModel } from './liveListModel.js';

interface Item {
  key: string;
  at: number;
}

/** A connection whose topic handlers the test calls, with a list it reads from `items`. */
function fakeConnection(items: Item[]) {
  const handlers = new Map<string, (event: EventMessage) => void>();
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    client: {},
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void) => {
        handlers.set(topic, handler);
        return () => handlers.delete(topic);
      },
    },
  };
  const send = (data: unknown) => handlers.get('things')?.({ kind: 'things', data } as unknown as EventMessage);
  return { connection: connection as unknown as IConnectionModel, raw: connection, handlers, send, items };
}

class Things extends LiveListModel<Item> {
  constructor(connection: IConnectionModel, items: Item[], fail?: Error) {
    super(connection, {
      topic: 'things',
      load: () => (fail ? Promise.reject(fail) : Promise.resolve(items)),
      changeOf: (event) => {
        const data = (event as unknown as { data: { put?: Item; removed?: string } }).data;
        if (data.put) return { put: data.put };
        return data.removed ? { removed: data.removed } : undefined;
      },
      keyOf: (item) => item.key,
      order: (a, b) => b.at - a.at,
    });
  }

  fail(key: string): Promise<void> {
    return this.act(key, () => Promise.reject(new Error(`${key} cannot`)));
  }
}

describe('a live list', () => {
  it('reads the list in its order, then follows its topic', async () => {
    const fake = fakeConnection([]);
    const list = new Things(fake.connection, [
      { key: 'a', at: 1 },
      { key: 'b', at: 2 },
    ]);
    await list.refresh();
    expect(list.items.map((i) => i.key)).toEqual(['b', 'a']);
    fake.send({ put: { key: 'c', at: 3 } });
    fake.send({ put: { key: 'a', at: 4 } });
    expect(list.items.map((i) => i.key)).toEqual(['a', 'c', 'b']);
    fake.send({ removed: 'c' });
    fake.send({ other: true });
    expect(list.items.map((i) => i.key)).toEqual(['a', 'b']);
  });

  it('keeps what an action failed with on its item, until the item goes', async () => {
    const fake = fakeConnection([]);
    const list = new Things(fake.connection, [{ key: 'a', at: 1 }]);
    await list.refresh();
    await list.fail('a');
    expect(list.actionError('a')).toBe('a cannot');
    fake.send({ removed: 'a' });
    expect(list.actionError('a')).toBeUndefined();
  });

  it('says why the list could not be read, empties when disconnected, and lets go on dispose', async () => {
    const fake = fakeConnection([]);
    const list = new Things(fake.connection, [], new Error('server down'));
    await list.refresh();
    expect(list.error).toBe('server down');
    list.put({ key: 'x', at: 1 });
    fake.raw.state = { status: 'disconnected' };
    fake.raw.stateChanged.emit(undefined);
    expect(list.items).toEqual([]);
    expect(list.connected).toBe(false);
    list.dispose();
    expect(fake.handlers.size).toBe(0);
  });
});
