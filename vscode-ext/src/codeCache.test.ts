import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWithCodeCache } from './codeCache.js';

interface Probe {
  answer: number;
  filename: string;
  dirname: string;
  sep: string;
  helper: string;
}

/** A CommonJS module like the bundle: module.exports, a relative require, a Node built-in. */
const MODULE = `"use strict";
const path = require('node:path');
const helper = require('./helper.js');
module.exports = { answer: 6 * 7, filename: __filename, dirname: __dirname, sep: path.sep, helper: helper.name };
`;

describe('loadWithCodeCache', () => {
  let dir: string;
  let file: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-code-cache-'));
    file = path.join(dir, 'main.js');
    cacheDir = path.join(dir, 'storage');
    writeFileSync(file, MODULE);
    writeFileSync(path.join(dir, 'helper.js'), "module.exports = { name: 'helper' };");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the file as require would: exports, relative require, __filename and __dirname', () => {
    const loaded = loadWithCodeCache<Probe>(file, cacheDir);
    expect(loaded.exports).toEqual({ answer: 42, filename: file, dirname: dir, sep: path.sep, helper: 'helper' });
    expect(loaded.cache).toBe('none');
  });

  it('compiles from the saved cache on the next load', () => {
    loadWithCodeCache<Probe>(file, cacheDir).save();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const again = loadWithCodeCache<Probe>(file, cacheDir);
    expect(again.cache).toBe('used');
    expect(again.exports.answer).toBe(42);
  });

  it('recompiles when the cache is damaged, and a changed file gets a new cache in place of the old', () => {
    loadWithCodeCache<Probe>(file, cacheDir).save();
    const [cacheName] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, cacheName!), 'not a code cache');
    // The same name and size and time (so the same cache file), but a source V8 has not compiled in
    // this process yet (else it takes its in-memory compilation and never reads the cache).
    const { mtime } = statSync(file);
    writeFileSync(file, MODULE.replace("'./helper.js'", "'./helpeR.js'"));
    writeFileSync(path.join(dir, 'helpeR.js'), "module.exports = { name: 'helper' };");
    utimesSync(file, mtime, mtime);
    const damaged = loadWithCodeCache<Probe>(file, cacheDir);
    expect(damaged.cache).toBe('rejected');
    expect(damaged.exports.answer).toBe(42);

    writeFileSync(file, MODULE.replace('6 * 7', '6 * 9') + '// a new build\n');
    const rebuilt = loadWithCodeCache<Probe>(file, cacheDir);
    expect(rebuilt.cache).toBe('none');
    expect(rebuilt.exports.answer).toBe(54);
    rebuilt.save();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(readdirSync(cacheDir)[0]).not.toBe(cacheName);
  });

  it('still loads when the cache cannot be written', () => {
    writeFileSync(cacheDir, 'a file where the folder should be');
    const loaded = loadWithCodeCache<Probe>(file, cacheDir);
    expect(() => loaded.save()).not.toThrow();
    expect(loaded.exports.answer).toBe(42);
  });
});
