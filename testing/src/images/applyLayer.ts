import { chmod, lchown, link, lstat, mkdir, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayerTarEntry } from './layerTar.js';

/**
 * Applies an OCI layer changeset (https://github.com/opencontainers/image-spec/blob/main/layer.md)
 * to `dir`, as an image unpacker would: `.wh.<name>` removes `<name>` of the lower layers,
 * `.wh..wh..opq` empties its directory of what the lower layers put there, an entry whose path
 * exists is replaced unless both are directories (then only the attributes change), and a hard link
 * points at a path of this layer. Directory times are set last, after their content is written.
 */
export async function applyLayer(entries: readonly LayerTarEntry[], dir: string): Promise<void> {
  const fromThisLayer = new Set<string>();
  const directoryTimes: [string, number][] = [];
  for (const entry of entries) {
    const target = path.join(dir, entry.name);
    if (!target.startsWith(`${dir}/`)) throw new Error(`layer entry outside the tree: ${entry.name}`);
    const base = path.basename(entry.name);
    if (base === '.wh..wh..opq') {
      const parent = path.dirname(target);
      for (const child of await readdir(parent)) {
        const childPath = path.join(parent, child);
        if (!fromThisLayer.has(childPath)) await rm(childPath, { recursive: true, force: true });
      }
      continue;
    }
    if (base.startsWith('.wh.')) {
      const hidden = path.join(path.dirname(target), base.slice('.wh.'.length));
      if (!fromThisLayer.has(hidden)) await rm(hidden, { recursive: true, force: true });
      continue;
    }
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !(existing.isDirectory() && entry.type === 'directory')) {
      await rm(target, { recursive: true, force: true });
    }
    switch (entry.type) {
      case 'directory':
        await mkdir(target, { recursive: true });
        directoryTimes.push([target, entry.mtime]);
        break;
      case 'file':
        await writeFile(target, entry.content);
        break;
      case 'symlink':
        await symlink(entry.linkname, target);
        break;
      case 'link':
        await link(path.join(dir, entry.linkname), target);
        break;
      case 'char':
      case 'block':
      case 'fifo':
        throw new Error(`applyLayer does not make ${entry.type} entries (${entry.name})`);
    }
    fromThisLayer.add(target);
    await lchown(target, entry.uid, entry.gid);
    if (entry.type === 'symlink' || entry.type === 'link') continue;
    await chmod(target, entry.mode);
    if (entry.type !== 'directory') await utimes(target, entry.mtime, entry.mtime);
  }
  for (const [directory, mtime] of directoryTimes.reverse()) await utimes(directory, mtime, mtime);
}
