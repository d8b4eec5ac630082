import { constants } from 'node:fs';
import { chmod, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ExtractBudget } from './budget.js';
import { fileModeFor } from './entryPolicy.js';
import { ArchiveRefused } from './refusal.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
/** File data gathered before one write; a file smaller than this is written by a background task. */
const BATCH_BYTES = 1 << 20;
/** Bytes held for background writes before the next entry waits for them. */
const MAX_PENDING_BYTES = 32 << 20;

export interface FileEntry {
  /** The entry's name in the archive (for messages). */
  name: string;
  /** Its safe relative path (entryPolicy.safeEntryPath). */
  relative: string;
  mode: number;
  mtime?: Date;
  data: AsyncIterable<Uint8Array>;
}

/**
 * Writes the files and folders of one extraction under `root`, which it owns: folders are made once
 * (remembered in a map that also refuses a file where a folder was and the reverse), small files
 * are gathered in memory and written in the background (bounded), big ones streamed in 1 MiB writes.
 */
export class TargetWriter {
  readonly kinds = new Map<string, 'file' | 'directory'>();
  files = 0;
  dirs = 0;
  private readonly pending = new Map<string, Promise<void>>();
  private pendingBytes = 0;
  private failure: unknown;

  constructor(
    private readonly root: string,
    private readonly budget: ExtractBudget,
  ) {
    this.kinds.set('', 'directory');
  }

  async directory(name: string, relative: string): Promise<void> {
    if (this.kinds.get(relative) === 'directory') return;
    await this.ensureDirectory(name, relative);
  }

  async file(entry: FileEntry): Promise<void> {
    this.throwIfFailed();
    const { name, relative } = entry;
    const existing = this.kinds.get(relative);
    if (existing === 'directory') {
      throw new ArchiveRefused(
        name,
        `${JSON.stringify(name)} is a file where the archive already has a folder; rename one of them`,
      );
    }
    await this.ensureDirectory(name, path.posix.dirname(relative) === '.' ? '' : path.posix.dirname(relative));
    const target = path.join(this.root, relative);
    if (existing === 'file') {
      // A later entry of the same path replaces the earlier one, as tar does.
      await this.pending.get(relative);
      await unlink(target);
    } else {
      this.files += 1;
    }
    this.kinds.set(relative, 'file');

    const chunks: Uint8Array[] = [];
    let gathered = 0;
    const iterator = entry.data[Symbol.asyncIterator]();
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      this.budget.addBytes(name, next.value.byteLength);
      chunks.push(next.value);
      gathered += next.value.byteLength;
      if (gathered >= BATCH_BYTES) {
        await this.stream(target, entry, chunks, iterator);
        return;
      }
    }
    await this.background(relative, gathered, () => this.write(target, entry, chunks));
  }

  /** Waits for the background writes; throws the first of their failures. */
  async finish(): Promise<void> {
    await Promise.allSettled(this.pending.values());
    this.throwIfFailed();
  }

  private async background(relative: string, bytes: number, task: () => Promise<void>): Promise<void> {
    while (this.pendingBytes + bytes > MAX_PENDING_BYTES && this.pending.size > 0) {
      await Promise.race(this.pending.values());
    }
    this.throwIfFailed();
    this.pendingBytes += bytes;
    const done = task().then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    const tracked = done.finally(() => {
      this.pendingBytes -= bytes;
      if (this.pending.get(relative) === tracked) this.pending.delete(relative);
    });
    this.pending.set(relative, tracked);
  }

  private async write(target: string, entry: FileEntry, chunks: Uint8Array[]): Promise<void> {
    const handle = await open(target, CREATE_FLAGS, fileModeFor(entry.mode));
    try {
      if (chunks.length > 0) await handle.writev(chunks);
      await this.finishFile(handle, entry);
    } finally {
      await handle.close();
    }
  }

  /** A file of a batch or more: written as it arrives, 1 MiB at a time. */
  private async stream(
    target: string,
    entry: FileEntry,
    chunks: Uint8Array[],
    rest: AsyncIterator<Uint8Array>,
  ): Promise<void> {
    const handle = await open(target, CREATE_FLAGS, fileModeFor(entry.mode));
    try {
      await handle.writev(chunks);
      chunks = [];
      let gathered = 0;
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        this.budget.addBytes(entry.name, next.value.byteLength);
        chunks.push(next.value);
        gathered += next.value.byteLength;
        if (gathered >= BATCH_BYTES) {
          await handle.writev(chunks);
          chunks = [];
          gathered = 0;
        }
      }
      if (chunks.length > 0) await handle.writev(chunks);
      await this.finishFile(handle, entry);
    } finally {
      await handle.close();
    }
  }

  private async finishFile(handle: FileHandle, entry: FileEntry): Promise<void> {
    // open()'s mode is narrowed by the umask; the import's modes are fixed.
    await handle.chmod(fileModeFor(entry.mode));
    if (entry.mtime && !Number.isNaN(entry.mtime.getTime())) await handle.utimes(entry.mtime, entry.mtime);
  }

  private async ensureDirectory(name: string, relative: string): Promise<void> {
    const kind = this.kinds.get(relative);
    if (kind === 'directory') return;
    if (kind === 'file') {
      throw new ArchiveRefused(
        name,
        `${JSON.stringify(name)} needs a folder ${JSON.stringify(relative)} where the archive has a file; rename one of them`,
      );
    }
    const parent = path.posix.dirname(relative);
    await this.ensureDirectory(name, parent === '.' ? '' : parent);
    const target = path.join(this.root, relative);
    await mkdir(target, 0o755);
    await chmod(target, 0o755);
    this.kinds.set(relative, 'directory');
    this.dirs += 1;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
