import { ArchiveRefused } from './refusal.js';

/** What an archive entry is, as far as the import cares. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special' | 'unknown';

/**
 * The entry's path relative to the target, `/`-separated and normalized, or '' for the target itself
 * (a `./` entry). Refuses names that could land outside the target. Backslashes count as separators,
 * so a Windows-made `C:\x` or `\\server\x` is recognized as absolute.
 */
export function safeEntryPath(name: string): string {
  if (name === '')
    throw new ArchiveRefused(name, 'the archive has an entry with an empty name; remove it and try again');
  if (name.includes('\0')) {
    throw new ArchiveRefused(
      name,
      `the entry ${JSON.stringify(name)} has a NUL byte in its name; rename it and try again`,
    );
  }
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    throw new ArchiveRefused(
      name,
      `the entry ${JSON.stringify(name)} has an absolute path; archive files with paths relative to the archive's root`,
    );
  }
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) {
      throw new ArchiveRefused(
        name,
        `the entry ${JSON.stringify(name)} points outside the archive's folder (it goes up with ..); remove it and try again`,
      );
    }
  }
  return parts.join('/');
}

/** Throws for anything but a regular file or a directory, naming the entry. */
export function refuseUnlessPlain(name: string, kind: EntryKind, linkTarget?: string): void {
  const quoted = JSON.stringify(name);
  switch (kind) {
    case 'file':
    case 'directory':
      return;
    case 'symlink':
    case 'hardlink':
      throw new ArchiveRefused(
        name,
        `archives with links are not imported: ${quoted} is a ${kind === 'symlink' ? 'symlink' : 'hard link'} to ` +
          `${JSON.stringify(linkTarget ?? '')}; archive the files themselves (e.g. tar --dereference, zip without --symlinks)`,
      );
    case 'special':
      throw new ArchiveRefused(
        name,
        `${quoted} is a device, FIFO or socket, which archives to import may not contain; remove it and try again`,
      );
    case 'unknown':
      throw new ArchiveRefused(
        name,
        `${quoted} is a kind of entry the import does not handle (only files and folders are); remove it and try again`,
      );
  }
}

/** 0755 when any execute bit is set, else 0644: nothing setuid, setgid, sticky or world-writable. */
export function fileModeFor(mode: number | undefined): number {
  return (mode ?? 0) & 0o111 ? 0o755 : 0o644;
}
