import type { BigIntStats } from 'node:fs';

/** What the snapshot agent knows of a filesystem object; `fifo`, `char`, `block`, `socket` are the "other" kinds. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

/**
 * One filesystem object under the scanned root, as recorded in a baseline and compared at save time.
 * `path` is relative to the root, `/`-separated, without a leading slash (`etc/passwd`); the root
 * itself is never an entry.
 */
export interface FsEntry {
  path: string;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  /** Not part of an image, but the one time nobody can set back: see `entryChanged`. */
  ctimeNs: bigint;
  dev: number;
  ino: number;
  nlink: number;
  /** The device number of a `char` or `block` device, 0 otherwise. */
  rdev: number;
  /** A symlink's target, as stored (relative or absolute). */
  linkTarget?: string;
}

const S_IFMT = 0o170000n;
const TYPE_BY_FORMAT = new Map<bigint, EntryType>([
  [0o100000n, 'file'],
  [0o040000n, 'dir'],
  [0o120000n, 'symlink'],
  [0o010000n, 'fifo'],
  [0o020000n, 'char'],
  [0o060000n, 'block'],
  [0o140000n, 'socket'],
]);

export function entryFromStats(path: string, stats: BigIntStats, linkTarget?: string): FsEntry {
  const type = TYPE_BY_FORMAT.get(stats.mode & S_IFMT);
  if (type === undefined) throw new Error(`unknown file type ${stats.mode.toString(8)} at ${path}`);
  const entry: FsEntry = {
    path,
    type,
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: type === 'file' || type === 'symlink' ? Number(stats.size) : 0,
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
    dev: Number(stats.dev),
    ino: Number(stats.ino),
    nlink: Number(stats.nlink),
    rdev: type === 'char' || type === 'block' ? Number(stats.rdev) : 0,
  };
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  return entry;
}

/**
 * Whether an entry must be written again in a layer. There is no content hash: a layer cannot carry
 * "same content, new metadata" (a tar file entry always has its bytes), and mode, owner and mtime are
 * part of the tree a layer must rebuild exactly, so any metadata change already means "write it".
 * The one case size and mtime cannot decide — same size, mtime set back (`touch -d`, `cp -p`, a tar
 * extract) — changes ctime, which no user can set, so a changed ctime writes the file too: at worst an
 * unchanged file is written again, never is a changed one left out. A new inode (a file replaced by
 * rename) counts as a change for the same reason. Inode numbers are compared only on the same device:
 * an overlay root gets a new device number when the container restarts, and ctime alone then tells.
 */
export function entryChanged(before: FsEntry, after: FsEntry): boolean {
  return (
    before.type !== after.type ||
    before.mode !== after.mode ||
    before.uid !== after.uid ||
    before.gid !== after.gid ||
    before.size !== after.size ||
    before.mtimeNs !== after.mtimeNs ||
    before.ctimeNs !== after.ctimeNs ||
    before.rdev !== after.rdev ||
    before.linkTarget !== after.linkTarget ||
    (before.dev === after.dev && before.ino !== after.ino)
  );
}

/** The container's view of an entry's path: `/etc/passwd`. */
export function displayPath(path: string): string {
  return `/${path}`;
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
