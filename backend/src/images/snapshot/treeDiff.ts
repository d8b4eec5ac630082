import { entryChanged, parentPath, type FsEntry } from './fsEntry.js';

/**
 * One step of a layer, in the OCI layer changeset's terms
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md):
 * - `write`: the entry as it is now (a directory: its metadata only);
 * - `whiteout`: `<parent>/.wh.<name>` hides `path` — and all below it — in the lower layers;
 * - `opaque`: `<dir>/.wh..wh..opq` hides every lower-layer child of `dir`, which this layer then
 *   fills with all that is in it now.
 */
export type DiffItem =
  | { op: 'write'; entry: FsEntry; why: WriteReason; inBaseline: boolean }
  | { op: 'whiteout'; path: string }
  | { op: 'opaque'; dir: string };

/**
 * `added`, `modified`, `replaced` (another type, or a directory removed and made again: a new inode);
 * `under-replaced`: unchanged, but below a replaced directory whose lower content is hidden;
 * `parent`: an unchanged directory above something written, so the layer carries its mode and owner.
 */
export type WriteReason = 'added' | 'modified' | 'replaced' | 'under-replaced' | 'parent';

export interface DiffCounts {
  added: number;
  modified: number;
  replaced: number;
  /** Whiteouts: a deleted directory counts once. */
  deleted: number;
}

export interface TreeDiff {
  /** In layer order: each directory before what is in it, a whiteout before an entry of the same name. */
  items: DiffItem[];
  counts: DiffCounts;
}

export interface DiffOptions {
  /**
   * Whether today's rules leave a path out (`SkipRules.covers`): such a baseline entry is not
   * "deleted" — a path excluded or mounted over since the baseline stays as the lower layers have it.
   */
  isSkipped?: (path: string) => boolean;
}

/** The changeset that turns the `baseline` tree into the `current` one. Both as `scanTree` lists them. */
export function diffTrees(
  baseline: readonly FsEntry[],
  current: readonly FsEntry[],
  options: DiffOptions = {},
): TreeDiff {
  const baseByPath = new Map(baseline.map((entry) => [entry.path, entry]));
  const currentByPath = new Map(current.map((entry) => [entry.path, entry]));
  const items: DiffItem[] = [];
  const counts: DiffCounts = { added: 0, modified: 0, replaced: 0, deleted: 0 };
  const written = new Set<string>();
  /** Current directories whose lower-layer content an opaque whiteout hides. */
  const opaqueDirs = new Set<string>();
  /** Baseline paths whose whole subtree is already hidden: by a whiteout, an opaque directory or a replacement. */
  const hiddenSubtrees = new Set<string>();

  const write = (entry: FsEntry, why: WriteReason, inBaseline: boolean): void => {
    const missingParents: FsEntry[] = [];
    for (let dir = parentPath(entry.path); dir !== '' && !written.has(dir); dir = parentPath(dir)) {
      const parent = currentByPath.get(dir);
      if (parent === undefined) break;
      missingParents.push(parent);
      written.add(dir);
    }
    for (const parent of missingParents.reverse()) {
      items.push({ op: 'write', entry: parent, why: 'parent', inBaseline: baseByPath.has(parent.path) });
    }
    items.push({ op: 'write', entry, why, inBaseline });
    written.add(entry.path);
    if (why !== 'under-replaced' && why !== 'parent') counts[why]++;
  };

  for (const entry of current) {
    const before = baseByPath.get(entry.path);
    if (before === undefined) {
      write(entry, 'added', false);
      continue;
    }
    // Where the device number changed (an overlay remounted), a replaced directory is not seen as
    // one: its old children then get a whiteout each and its new ones are written, the same tree.
    const replacedDirectory =
      before.type === 'dir' && entry.type === 'dir' && before.dev === entry.dev && before.ino !== entry.ino;
    if (before.type !== entry.type || replacedDirectory) {
      if (before.type === 'dir') {
        hiddenSubtrees.add(entry.path);
        // A directory replaced by a file or link: hide it (and all below it) explicitly rather than
        // count on every applier removing a non-empty directory for a non-directory entry.
        if (entry.type !== 'dir') items.push({ op: 'whiteout', path: entry.path });
      }
      write(entry, 'replaced', true);
      if (entry.type === 'dir') {
        opaqueDirs.add(entry.path);
        items.push({ op: 'opaque', dir: entry.path });
      }
    } else if (entryChanged(before, entry)) write(entry, 'modified', true);
    else if (hasAncestorIn(entry.path, opaqueDirs)) write(entry, 'under-replaced', true);
  }

  for (const entry of baseline) {
    if (currentByPath.has(entry.path) || hasAncestorIn(entry.path, hiddenSubtrees)) continue;
    if (options.isSkipped?.(entry.path)) continue;
    const parent = currentByPath.get(parentPath(entry.path));
    if (parent !== undefined && !written.has(parent.path)) write(parent, 'parent', true);
    items.push({ op: 'whiteout', path: entry.path });
    counts.deleted++;
    if (entry.type === 'dir') hiddenSubtrees.add(entry.path);
  }

  return { items: sortInLayerOrder(items), counts };
}

function hasAncestorIn(path: string, dirs: ReadonlySet<string>): boolean {
  if (dirs.size === 0) return false;
  for (let dir = parentPath(path); dir !== ''; dir = parentPath(dir)) if (dirs.has(dir)) return true;
  return false;
}

const RANK: Record<DiffItem['op'], number> = { whiteout: 0, write: 1, opaque: 2 };

/**
 * Tree order, as the scanner walks: with `/` as the lowest character a directory sorts before its
 * children and a subtree before the directory's next sibling; the opaque marker right after its directory.
 */
function sortInLayerOrder(items: DiffItem[]): DiffItem[] {
  const keyed = items.map((item) => {
    const path = item.op === 'write' ? item.entry.path : item.op === 'whiteout' ? item.path : `${item.dir}/`;
    return { item, key: path.replaceAll('/', '\u0000'), rank: RANK[item.op] };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.rank - b.rank));
  return keyed.map(({ item }) => item);
}
