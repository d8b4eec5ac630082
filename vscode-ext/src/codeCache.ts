import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** What loading a CommonJS file through V8's code cache gives: its exports, and how to save its cache. */
export interface CachedModule<T> {
  readonly exports: T;
  /** 'none' (first load), 'used', or 'rejected' (stale: another V8 or file; recompiled). */
  readonly cache: 'none' | 'used' | 'rejected';
  /** Writes the code cache (with the functions compiled so far) for the next load; never throws. */
  save(): void;
}

const CACHE_PREFIX = 'code-';

/**
 * Loads the CommonJS file `file` as `require` would (module, exports, require relative to it,
 * __filename, __dirname), compiled with V8's code cache kept in `cacheDir` — what VS Code does
 * for its own code. The cache file's name holds the file's size and time and V8's version, so a new
 * build or VS Code never gets a stale one (V8 rejects a mismatched cache anyway; then it is
 * recompiled and saved again). Any problem with the cache falls back to a plain compile.
 */
export function loadWithCodeCache<T>(file: string, cacheDir: string): CachedModule<T> {
  const stat = statSync(file);
  const cacheName = `${CACHE_PREFIX}${path.basename(file)}-${stat.size}-${Math.round(stat.mtimeMs)}-${process.versions.v8}.bin`;
  const cacheFile = path.join(cacheDir, cacheName);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  // The wrapper Node puts around a CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    cache,
    save: () => {
      if (cache === 'used') return;
      try {
        mkdirSync(cacheDir, { recursive: true });
        for (const old of readdirSync(cacheDir))
          if (old.startsWith(CACHE_PREFIX) && old !== cacheName) rmSync(path.join(cacheDir, old), { force: true });
        writeFileSync(cacheFile, script.createCachedData());
      } catch {
        // A read-only or full disk: the next load compiles again.
      }
    },
  };
}
