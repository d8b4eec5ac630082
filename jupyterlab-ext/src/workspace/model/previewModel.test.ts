import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import type { PreviewContent } from './previewContent.js';
import { pickDataFile, PreviewModel, type PreviewState } from './previewModel.js';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
  await backend.writeFile('home/alice/p/notes.txt', 'hello\nworld\n');
  await backend.writeFile('home/alice/p/data.csv', 'name,score\nann,1\nbob,2,extra\n');
  await backend.writeFile(
    'home/alice/p/chat.jsonl',
    '{"instruction":"hi","input":"","output":"hello"}\n{"instruction":"bye","output":{"text":"ok"}}\nnot json\n',
  );
  await backend.writeFile('home/alice/p/one.json', JSON.stringify([{ a: 1, b: [1, 2] }, { a: 2 }]));
  await backend.writeFile('home/alice/p/dot.png', PNG_1X1);
});
afterAll(() => backend?.close());

async function preview(path: string): Promise<PreviewContent> {
  const model = new PreviewModel({ client: backend.client() });
  await model.show(path);
  const state = model.state;
  model.dispose();
  if (state.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(state)}`);
  return state.content;
}

describe('PreviewModel against the real backend', () => {
  it('previews text', async () => {
    expect(await preview('home/p/notes.txt')).toMatchObject({ kind: 'text', text: 'hello\nworld\n', truncated: false });
  });

  it('previews CSV as a table, padding short headers', async () => {
    expect(await preview('home/p/data.csv')).toMatchObject({
      kind: 'table',
      format: 'csv',
      columns: ['name', 'score', '3'],
      rows: [
        ['ann', '1', ''],
        ['bob', '2', 'extra'],
      ],
    });
  });

  it('previews JSONL records as a table with the lines that did not parse', async () => {
    const content = await preview('home/p/chat.jsonl');
    expect(content).toMatchObject({
      kind: 'table',
      format: 'jsonl',
      recordFormat: 'instruction',
      columns: ['instruction', 'input', 'output'],
      rows: [
        ['hi', '', 'hello'],
        ['bye', '', '{"text":"ok"}'],
      ],
    });
    expect(content.kind === 'table' && content.errors.map((e) => e.line)).toEqual([3]);
  });

  it('previews a JSON array as records', async () => {
    expect(await preview('home/p/one.json')).toMatchObject({
      kind: 'table',
      format: 'json',
      columns: ['a', 'b'],
      rows: [
        ['1', '[1,2]'],
        ['2', ''],
      ],
    });
  });

  it('previews an image with its bytes fetched through the client', async () => {
    const content = await preview('home/p/dot.png');
    expect(content).toMatchObject({ kind: 'image', mimeType: 'image/png', width: 1, height: 1 });
    const data = content.kind === 'image' ? content.data : undefined;
    expect(data?.type).toBe('image/png');
    expect(Buffer.from(await (data as Blob).arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it('summarises a model folder with its parameter count', async () => {
    const content = await preview('mount/models/tiny-gpt2');
    expect(content).toMatchObject({
      kind: 'model',
      architecture: 'GPT2LMHeadModel',
      parameterCount: 59520,
      parameterLabel: '59.5K',
      tensorCount: 28,
      dtypes: [{ dtype: 'F32', tensors: 28 }],
    });
    expect(content.kind === 'model' && content.config).toContainEqual({ key: 'hidden_size', value: '32' });
    expect(content.kind === 'model' && content.files.map((f) => f.path)).toContain('model.safetensors');
  });

  it('previews a dataset folder through its data file', async () => {
    const model = new PreviewModel({ client: backend.client() });
    await model.show('mount/datasets/iris', { dataset: { format: 'csv' } });
    const state = model.state;
    expect(state.status === 'ready' && state.file).toMatch(/^mount\/datasets\/iris\/.*\.csv$/);
    expect(state.status === 'ready' && state.path).toBe('mount/datasets/iris');
    expect(state.status === 'ready' && state.content).toMatchObject({ kind: 'table', format: 'csv' });
    const rows = state.status === 'ready' && state.content.kind === 'table' ? state.content.rows : [];
    expect(rows.length).toBe(50);
    model.dispose();
  });

  it('picks the data file of a dataset folder by its format', () => {
    const entry = (name: string, type: 'file' | 'directory' = 'file') => ({
      name,
      path: `d/${name}`,
      type,
      size: 1,
      mtime: '',
      writable: true,
    });
    expect(pickDataFile([entry('README.md'), entry('a.csv'), entry('b.jsonl')], 'jsonl')).toBe('d/b.jsonl');
    expect(pickDataFile([entry('README.md'), entry('x.json', 'directory'), entry('a.csv')], 'parquet')).toBe('d/a.csv');
    expect(pickDataFile([entry('README.md')], 'csv')).toBeUndefined();
  });

  it('describes a folder', async () => {
    expect(await preview('home/p')).toEqual({ kind: 'directory', entryCount: 5 });
  });

  it('shows the backend’s message for a missing file, and the last path asked for wins', async () => {
    const model = new PreviewModel({ client: backend.client() });
    const states: PreviewState['status'][] = [];
    model.changed.connect((_, state) => states.push(state.status));
    await model.show('home/p/missing.txt');
    expect(model.state).toEqual({
      status: 'error',
      path: 'home/p/missing.txt',
      error: { code: 'not_found', message: 'home/p/missing.txt does not exist' },
    });

    const first = model.show('home/p/data.csv');
    const second = model.show('home/p/notes.txt');
    await Promise.all([first, second]);
    expect(model.path).toBe('home/p/notes.txt');
    expect(model.state.status === 'ready' && model.state.content.kind).toBe('text');
    expect(states).toEqual(['loading', 'error', 'loading', 'loading', 'ready']);
    model.dispose();
  });
});
