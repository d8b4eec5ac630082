import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { FileTreeModel } from './fileTreeModel.js';
import { PreviewModel } from './previewModel.js';
import { parseRecollection, WORKSPACE_STATE_ID, WorkspaceMemory, type StateStore } from './workspaceMemory.js';

/** An in-memory IStateDB, as JupyterLab's keeps the page's state between reloads. */
function memoryStore(): StateStore & { values: Map<string, unknown>; saves: number } {
  const values = new Map<string, unknown>();
  const store = {
    values,
    saves: 0,
    fetch: (id: string) => Promise.resolve(values.get(id)),
    save: (id: string, value: unknown) => {
      store.saves += 1;
      values.set(id, structuredClone(value));
      return Promise.resolve();
    },
  };
  return store;
}

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
  await backend.writeFile('home/alice/proj/src/train.py', 'print(1)\n');
  await backend.writeFile('home/alice/proj/notes.txt', 'kept across reloads\n');
});
afterAll(() => backend?.close());

/** One page of the sidebar: its two models and their memory over a store that outlives it. */
function page(store: StateStore) {
  const source = { client: backend.client() };
  const tree = new FileTreeModel(source);
  const preview = new PreviewModel(source);
  const memory = new WorkspaceMemory(store, tree, preview);
  const close = () => {
    memory.dispose();
    tree.dispose();
    preview.dispose();
  };
  return { tree, preview, memory, close };
}

describe('WorkspaceMemory', () => {
  it('brings back the open folders and the preview after a reload', async () => {
    const store = memoryStore();
    const first = page(store);
    await first.memory.restore();
    await first.tree.refresh();
    await first.tree.expand('home');
    await first.tree.expand('home/proj');
    await first.tree.expand('home/proj/src');
    await first.preview.show('home/proj/notes.txt');
    first.close();
    expect(store.values.get(WORKSPACE_STATE_ID)).toEqual({
      expanded: ['home', 'home/proj', 'home/proj/src'],
      preview: { path: 'home/proj/notes.txt' },
    });

    const second = page(store);
    await second.tree.refresh();
    await second.memory.restore();
    expect(second.tree.expandedFolders).toEqual(['home', 'home/proj', 'home/proj/src']);
    expect(second.tree.rows().some((r) => r.kind === 'entry' && r.entry.path === 'home/proj/src/train.py')).toBe(true);
    expect(second.preview.state).toMatchObject({
      status: 'ready',
      path: 'home/proj/notes.txt',
      content: { kind: 'text', text: 'kept across reloads\n' },
    });
    second.close();
  });

  it('keeps how a dataset was previewed', async () => {
    const store = memoryStore();
    const first = page(store);
    await first.memory.restore();
    await first.preview.show('home/proj', { dataset: { format: 'txt' } });
    first.close();
    const second = page(store);
    await second.memory.restore();
    expect(second.preview.request).toEqual({ path: 'home/proj', options: { dataset: { format: 'txt' } } });
    expect(second.preview.state).toMatchObject({ status: 'ready', file: 'home/proj/notes.txt' });
    second.close();
  });

  it('writes nothing before it has read the saved state back, and once per change', async () => {
    const store = memoryStore();
    store.values.set(WORKSPACE_STATE_ID, { expanded: ['home'] });
    const one = page(store);
    await one.tree.refresh();
    expect(store.saves).toBe(0);
    expect(store.values.get(WORKSPACE_STATE_ID)).toEqual({ expanded: ['home'] });
    await one.memory.restore();
    expect(store.saves).toBe(0);
    await one.tree.expand('home/proj');
    await one.tree.refresh();
    expect(store.saves).toBe(1);
    expect(store.values.get(WORKSPACE_STATE_ID)).toEqual({ expanded: ['home', 'home/proj'] });
    one.close();
  });

  it('ignores a stored state it does not understand', () => {
    expect(parseRecollection(undefined)).toBeUndefined();
    expect(parseRecollection('x')).toBeUndefined();
    expect(parseRecollection({ expanded: [1, '', 'home'], preview: { path: 3 } })).toEqual({ expanded: ['home'] });
    expect(parseRecollection({ preview: { path: 'a', datasetFormat: 'csv' } })).toEqual({
      expanded: [],
      preview: { path: 'a', datasetFormat: 'csv' },
    });
  });
});
