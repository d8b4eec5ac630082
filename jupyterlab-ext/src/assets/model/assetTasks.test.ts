import { describe, expect, it } from 'vitest';
import { AssetTaskBook, mainDtype, taskFraction } from './assetTasks.js';
import { task } from './test/fakeCatalog.js';

describe('asset tasks', () => {
  it('tells how far a task got only when its total is known', () => {
    expect(taskFraction(task('1', { bytesDone: 50, bytesTotal: 200 }))).toBe(0.25);
    expect(taskFraction(task('1', { bytesDone: 500, bytesTotal: 200 }))).toBe(1);
    expect(taskFraction(task('1', { bytesDone: 50 }))).toBeUndefined();
    expect(taskFraction(task('1', { bytesDone: 0, bytesTotal: 0 }))).toBeUndefined();
  });

  it("shows a model's torch_dtype, else the dtype most of its tensors have", () => {
    expect(mainDtype(undefined)).toBeUndefined();
    expect(mainDtype({ torchDtype: 'bfloat16', dtypes: { F32: 9 } })).toBe('bfloat16');
    expect(mainDtype({ dtypes: { F32: 2, BF16: 30 } })).toBe('BF16');
    expect(mainDtype({})).toBeUndefined();
  });

  it('keeps each asset’s running tasks newest first and its last ended one until dismissed', () => {
    const book = new AssetTaskBook('datasets');
    let changes = 0;
    book.changed.connect(() => changes++);
    book.reset([task('1', { state: 'succeeded', records: undefined }), task('2'), task('3', { kind: 'models' })]);
    expect(book.running('as-000000000001').map((t) => t.id)).toEqual(['at-000000000002']);
    // A newer task runs: the ended one is not the asset's last word.
    expect(book.lastEnded('as-000000000001')).toBeUndefined();
    expect(book.put(task('2', { state: 'failed', message: 'no space' }))).toBe(true);
    expect(book.running('as-000000000001')).toEqual([]);
    expect(book.lastEnded('as-000000000001')?.message).toBe('no space');
    book.dismiss('at-000000000002');
    expect(book.lastEnded('as-000000000001')).toBeUndefined();
    // Other kinds' tasks are not this book's.
    expect(book.put(task('4', { kind: 'models' }))).toBe(false);
    expect(book.get('at-000000000003')).toBeUndefined();
    expect(changes).toBe(3);
  });

  it('never lets a late progress event bring an ended task back', () => {
    const book = new AssetTaskBook('datasets');
    book.put(task('5', { state: 'cancelled' }));
    expect(book.put(task('5', { state: 'running', bytesDone: 10 }))).toBe(false);
    expect(book.get('at-000000000005')?.state).toBe('cancelled');
    expect(book.running('as-000000000001')).toEqual([]);
  });
});

describe('reading the task list again', () => {
  it('keeps ended tasks the list lacks or shows older, and drops running ones it lacks', () => {
    const book = new AssetTaskBook('datasets');
    book.reset([task('1'), task('2')]);
    book.put(task('1', { state: 'succeeded' }));
    book.reset([task('1'), task('3')]);
    expect(book.get('at-000000000001')?.state).toBe('succeeded');
    expect(book.get('at-000000000002')).toBeUndefined();
    expect(book.get('at-000000000003')?.state).toBe('running');
  });
});
