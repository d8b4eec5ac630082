import { readdir } from 'node:fs/promises';
import path from 'node:path';

export type RecordFileKind = 'jsonl' | 'json' | 'csv' | 'tsv';

export interface RecordFile {
  absPath: string;
  /** Relative to the folder walked, `/`-separated. */
  relPath: string;
  kind: RecordFileKind;
}

const KINDS: Readonly<Record<string, RecordFileKind>> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'tsv',
};

/**
 * The record files under `dir` (JSON Lines, JSON, CSV, TSV by extension), by name within each
 * folder and depth first. Symlinks are not followed; dot files and dot folders are skipped; other
 * files (images of an image dataset, archives, …) are ignored.
 */
export async function* walkRecordFiles(dir: string, signal?: AbortSignal): AsyncGenerator<RecordFile> {
  const visit = async function* (absDir: string, relDir: string): AsyncGenerator<RecordFile> {
    signal?.throwIfAborted();
    const entries = await readdir(absDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const absPath = path.join(absDir, entry.name);
      const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        yield* visit(absPath, relPath);
      } else if (entry.isFile()) {
        const kind = KINDS[path.extname(entry.name).toLowerCase()];
        if (kind) yield { absPath, relPath, kind };
      }
    }
  };
  yield* visit(dir, '');
}
