import { describe, expect, it } from 'vitest';
import type { AssetTask } from '@aiplat/api';
import { assetMessageSets, assetMessagesFor } from './assetMessages.js';
import { archiveTotal } from './commands/assetArchive.js';
import { importSource } from './commands/assetImport.js';
import { parseRef, taskProgress } from './commands/assetLookup.js';
import { recordCheckText } from './commands/assetTaskFollow.js';

const en = assetMessageSets.en;
const zh = assetMessageSets['zh-CN'];

/** Every key path of a messages object, functions called with sample arguments. */
function shape(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [at];
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, at ? `${at}.${key}` : key));
}

const aTask = (change: Partial<AssetTask> = {}): AssetTask => ({
  id: 'at-0123456789ab',
  action: 'import',
  kind: 'datasets',
  assetId: 'as-0123456789ab',
  assetName: 'alpaca',
  owner: 'alice',
  source: 'home/raw',
  state: 'running',
  phase: 'copying',
  bytesDone: 0,
  filesDone: 0,
  createdAt: '2026-12-06T10:00:00.000Z',
  ...change,
});

describe('the CLI words for datasets and models', () => {
  it('has the same messages in English and Chinese, and picks Chinese by the locale', () => {
    expect(shape(zh)).toEqual(shape(en));
    for (const key of shape(zh)) expect(key).not.toBe('');
    expect(assetMessagesFor({ LANG: 'zh_CN.UTF-8' })).toBe(zh);
    expect(assetMessagesFor({ LC_ALL: 'zh_TW', LANG: 'en_US' })).toBe(zh);
    expect(assetMessagesFor({ AIPLAT_LANG: 'en', LANG: 'zh_CN' })).toBe(en);
    expect(assetMessagesFor({})).toBe(en);
    expect(zh.create.description('models')).toBe('创建一个空的模型。');
    expect(zh.task.progress('at-1', 'import', 'copying', '1.0 KiB')).toBe('at-1：import copying 1.0 KiB');
  });

  it('reads name@version references', () => {
    expect(parseRef(en, 'alpaca-zh@v12', true)).toEqual({ name: 'alpaca-zh', version: 'v12' });
    expect(parseRef(en, 'alpaca', false)).toEqual({ name: 'alpaca', version: undefined });
    expect(() => parseRef(en, 'alpaca', true)).toThrow('alpaca names no version: give name@v1');
    expect(() => parseRef(en, 'alpaca@2', false)).toThrow('alpaca@2 is not name or name@v1');
    expect(() => parseRef(en, '../x', false)).toThrow('is not name or name@v1');
  });

  it('takes exactly one import source, each with only its own options', () => {
    expect(importSource(en, 'datasets', { folder: 'home/raw', extract: true })).toEqual({
      type: 'folder',
      path: 'home/raw',
    });
    expect(importSource(en, 'models', { job: 'job-1', subPath: 'output', extract: true })).toEqual({
      type: 'job',
      jobId: 'job-1',
      subPath: 'output',
    });
    expect(importSource(en, 'datasets', { url: 'https://x.example/a.zip', extract: false })).toEqual({
      type: 'url',
      url: 'https://x.example/a.zip',
      extract: false,
    });
    expect(importSource(en, 'models', { shareToken: 't', extract: true })).toEqual({ type: 'share', token: 't' });
    expect(importSource(en, 'datasets', { file: 'a.tar', into: 'x', extract: true })).toEqual({
      type: 'upload',
      file: 'a.tar',
    });
    expect(() => importSource(en, 'datasets', { extract: true })).toThrow('say where to import from');
    expect(() => importSource(en, 'datasets', { folder: 'a', url: 'https://b', extract: true })).toThrow(
      'say where to import from',
    );
    expect(() => importSource(en, 'datasets', { shareToken: 't', extract: true })).toThrow('add-shared');
    expect(() => importSource(en, 'datasets', { folder: 'a', into: 'b', extract: true })).toThrow(
      '--into goes with --file',
    );
    expect(() => importSource(en, 'models', { folder: 'a', subPath: 'b', extract: true })).toThrow(
      '--sub-path goes with --job',
    );
  });

  it("says a task's progress and a dataset's record check with file:line", () => {
    expect(taskProgress(en, aTask())).toBe('');
    expect(taskProgress(en, aTask({ bytesDone: 512, bytesTotal: 2048, filesDone: 3 }))).toBe(
      '512 B of 2.0 KiB (25%), 3 file(s)',
    );
    expect(taskProgress(en, aTask({ bytesDone: 1536 }))).toBe('1.5 KiB');
    const checked = aTask({
      state: 'succeeded',
      records: {
        annotationType: 'instruction',
        filesChecked: 2,
        recordsChecked: 40,
        badRecords: 3,
        problems: [
          { file: 'train.jsonl', line: 7, message: 'output is missing' },
          { file: 'notes.json', line: 0, message: 'not JSON lines' },
        ],
      },
    });
    expect(recordCheckText(en, checked)).toBe(
      'record check (instruction): 40 record(s) in 2 file(s), 3 bad\n' +
        '  train.jsonl:7: output is missing\n' +
        '  notes.json: not JSON lines\n' +
        '  … and 1 more\n',
    );
    expect(recordCheckText(en, aTask({ records: { ...checked.records!, annotationType: 'none' } }))).toBe('');
    // An upload of files that are not records (a binary): nothing was checked, nothing to say.
    expect(
      recordCheckText(
        en,
        aTask({ records: { ...checked.records!, filesChecked: 0, recordsChecked: 0, badRecords: 0, problems: [] } }),
      ),
    ).toBe('');
  });

  it("reads an archive's total size from Content-Range, or from the length of a whole answer", () => {
    const answer = (status: number, headers: Record<string, string>) => new Response(null, { status, headers });
    expect(archiveTotal(answer(206, { 'content-range': 'bytes 1000-4095/4096', 'content-length': '3096' }), 1000)).toBe(
      4096,
    );
    expect(archiveTotal(answer(200, { 'content-length': '4096' }), 0)).toBe(4096);
    expect(archiveTotal(answer(200, {}), 0)).toBeUndefined();
  });
});
