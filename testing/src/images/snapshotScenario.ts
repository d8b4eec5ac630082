import { chmod, chown, link, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SnapshotSettings } from '../../../backend/src/images/snapshot/snapshotAgent.js';

/*
 * A dev machine's tree before and after a user's session, for the snapshot agent's tests: every kind
 * of change a layer must carry (content, mode, owner, deletions, a deleted directory, a replaced
 * directory, type changes both ways, hard links, symlinks, a long name) and paths it must leave out
 * (a system directory, a mount point, an excluded cache).
 */

export const LONG_NAME = `${'long-directory-name-'.repeat(4)}/${'a-file-name-longer-than-a-ustar-header-holds-'.repeat(3)}.txt`;

/** The mountinfo a machine with `root` as its `/` and a volume on /mnt/vol would show. */
export function scenarioMountInfo(root: string): string {
  const escaped = (p: string) => p.replace(/ /g, '\\040');
  return [
    `23 1 0:21 / ${escaped(root)} rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w`,
    `24 23 0:22 / ${escaped(path.join(root, 'proc'))} rw,nosuid - proc proc rw`,
    `25 23 8:1 /volumes/v1 ${escaped(path.join(root, 'mnt/vol'))} rw,relatime master:1 - ext4 /dev/sda1 rw`,
    `26 1 0:23 / /elsewhere rw - tmpfs tmpfs rw`,
  ].join('\n');
}

/** The agent's settings for a scenario tree at `<dir>/tree`, its baseline beside it, ~/.cache left out. */
export function scenarioSettings(dir: string): SnapshotSettings {
  const tree = path.join(dir, 'tree');
  return {
    root: tree,
    baselineFile: path.join(dir, 'baseline.gz'),
    excludes: [{ pattern: '~/.cache' }],
    mountInfo: scenarioMountInfo(tree),
  };
}

async function put(root: string, relative: string, content: string, mode = 0o644): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  await chmod(file, mode);
}

export async function buildBaseTree(root: string): Promise<void> {
  await put(root, 'etc/config', 'setting=1\n');
  await put(root, 'etc/keep', 'unchanged\n');
  await put(root, 'etc/chmodme', 'mode changes\n');
  await put(root, 'etc/chownme', 'owner changes\n');
  await put(root, 'usr/lib/old/x', 'x');
  await put(root, 'usr/lib/old/sub/z', 'z');
  await put(root, 'usr/lib/stays', 'stays');
  await put(root, 'opt/app/a', 'app a v1');
  await put(root, 'opt/app/b', 'app b v1');
  await put(root, 'var/dirtofile/child', 'child');
  await put(root, 'var/filetodir', 'a file first');
  await put(root, 'var/filetolink', 'a file first');
  await put(root, 'data/deleteme', 'bye');
  await put(root, 'home/u/notes', 'notes');
  await put(root, 'home/u/.cache/pip/old.whl', 'wheel');
  await put(root, 'proc/1/status', 'not a real proc');
  await put(root, 'mnt/vol/on-the-volume', 'volume data');
}

export async function changeTree(root: string): Promise<void> {
  const at = (relative: string) => path.join(root, relative);
  await writeFile(at('etc/config'), 'setting=2\nmore=yes\n');
  await chmod(at('etc/chmodme'), 0o600);
  await chown(at('etc/chownme'), 1234, 5678);
  await rm(at('usr/lib/old'), { recursive: true });
  // Made beside the old one and renamed over it: a new inode, as `rm -r app && mkdir app` gives
  // (which could get the freed inode number back).
  await put(root, 'opt/app.new/c', 'app c v2');
  await put(root, 'opt/app.new/a', 'app a v1');
  await rm(at('opt/app'), { recursive: true });
  await rename(at('opt/app.new'), at('opt/app'));
  await rm(at('var/dirtofile'), { recursive: true });
  await put(root, 'var/dirtofile', 'a directory first');
  await rm(at('var/filetodir'));
  await put(root, 'var/filetodir/inside', 'now a directory');
  await rm(at('var/filetolink'));
  await symlink('../etc/config', at('var/filetolink'));
  await rm(at('data/deleteme'));
  await put(root, 'new/added.txt', 'added');
  await put(root, 'new/setuid-tool', '#!/bin/sh\n', 0o4755);
  await put(root, 'new/no-permissions', 'secret', 0o000);
  await put(root, 'new/h1', 'hard linked');
  await link(at('new/h1'), at('new/h2'));
  await link(at('etc/keep'), at('new/keep-link'));
  await symlink('/etc/config', at('new/absolute-link'));
  await put(root, LONG_NAME, 'long');
  await put(root, 'home/u/.cache/pip/new.whl', 'excluded');
  await rm(at('home/u/.cache/pip/old.whl'));
  await put(root, 'mnt/vol/also-on-the-volume', 'volume data');
  await put(root, 'proc/2/status', 'not a real proc');
}

/** Paths the snapshot leaves out in this scenario: the layer does not bring their changes. */
export const SCENARIO_LEFT_OUT = ['proc', 'mnt/vol', 'home/u/.cache'];
