import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { FileTreeModel, type TreeRow } from './fileTreeModel.js';

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
  for (let i = 0; i < 12; i++) await backend.writeFile(`home/alice/big/f${String(i).padStart(2, '0')}.txt`, `${i}`);
});
afterAll(() => backend?.close());

const describeRow = (row: TreeRow) => {
  switch (row.kind) {
    case 'entry':
      return `${'  '.repeat(row.depth)}${row.entry.name}${row.expanded ? '/' : ''}`;
    case 'more':
      return `${'  '.repeat(row.depth)}[more ${row.shown}/${row.total}]`;
    case 'loading':
      return `${'  '.repeat(row.depth)}[loading]`;
    case 'error':
      return `${'  '.repeat(row.depth)}[error ${row.error.message}]`;
  }
};

describe('FileTreeModel against the real backend', () => {
  it('lists the roots, expands a folder and pages through a large one', async () => {
    const model = new FileTreeModel({ client: backend.client() }, { pageSize: 5 });
    let changes = 0;
    model.changed.connect(() => changes++);
    expect(model.rows().map(describeRow)).toEqual(['[loading]']);

    await model.refresh();
    expect(model.rows().map(describeRow)).toEqual(['cache', 'home', 'mount']);

    await model.expand('home');
    await model.expand('home/big');
    expect(model.rows().map(describeRow)).toEqual([
      'cache',
      'home/',
      '  README.md',
      '  big/',
      '    f00.txt',
      '    f01.txt',
      '    f02.txt',
      '    f03.txt',
      '    f04.txt',
      '    [more 5/12]',
      '  ddp-example',
      'mount',
    ]);

    await model.loadMore('home/big');
    await model.loadMore('home/big');
    const big = model.folder('home/big');
    expect(big?.entries.map((e) => e.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`),
    );
    expect(big?.nextCursor).toBeUndefined();
    expect(model.rows().some((r) => r.kind === 'more')).toBe(false);
    expect(changes).toBeGreaterThan(6);

    await backend.writeFile('home/alice/big/f12.txt', '12');
    await model.refresh('home');
    expect(model.folder('home/big')?.entries).toHaveLength(12);
    expect(model.rows().map(describeRow).slice(-4)).toEqual([
      '    f11.txt',
      '    [more 12/13]',
      '  ddp-example',
      'mount',
    ]);
    model.dispose();
  });

  it('collapses and re-expands without fetching again, and refresh keeps open folders open', async () => {
    const model = new FileTreeModel({ client: backend.client() });
    await model.refresh();
    await model.toggle('mount');
    expect(model.isExpanded('mount')).toBe(true);
    await model.toggle('mount');
    expect(model.rows().map(describeRow)).toEqual(['cache', 'home', 'mount']);
    await model.expand('mount');
    await backend.writeFile('home/alice/new.txt', 'x');
    await model.expand('home');
    await backend.writeFile('home/alice/newer.txt', 'x');
    await model.refresh();
    expect(model.rows().map(describeRow)).toContain('  newer.txt');
    expect(model.rows().map(describeRow)).toContain('  datasets');
    model.dispose();
  });

  it('shows the backend’s message when a folder cannot be listed, and “not connected” without a client', async () => {
    const model = new FileTreeModel({ client: backend.client() });
    await model.refresh();
    await model.expand('home/nope');
    expect(model.folder('home/nope')?.error).toEqual({ code: 'not_found', message: 'home/nope does not exist' });

    const offline = new FileTreeModel({ client: undefined });
    await offline.refresh();
    expect(offline.rows().map(describeRow)).toEqual(['[error not connected]']);
    model.dispose();
    offline.dispose();
  });

  it('is safe to dispose twice and ignores answers arriving afterwards', async () => {
    const model = new FileTreeModel({ client: backend.client() });
    let changes = 0;
    model.changed.connect(() => changes++);
    const pending = model.refresh();
    model.dispose();
    model.dispose();
    await pending;
    expect(model.isDisposed).toBe(true);
    expect(changes).toBe(1);
  });
});
