/** One line of `/proc/<pid>/mountinfo` (proc(5)), the fields the snapshot agent needs. */
export interface MountInfoEntry {
  mountId: number;
  /** Absolute, with the kernel's octal escapes (`\040` for a space) decoded. */
  mountPoint: string;
  fsType: string;
  source: string;
}

export const MOUNTINFO_PATH = '/proc/self/mountinfo';

/** The kernel writes space, tab, newline and backslash in paths as `\ooo` octal escapes. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Parses mountinfo text: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
 * — mount id, parent id, major:minor, root, mount point, options, optional fields up to `-`, then the
 * filesystem type, source and super options. Lines that do not have that shape are an error, so a
 * mount point is never silently missed.
 */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator === -1 || mountPoint === undefined || fsType === undefined || source === undefined) {
      throw new Error(`mountinfo line ${index + 1} is not in the proc(5) format: ${line}`);
    }
    entries.push({
      mountId: Number(fields[0]),
      mountPoint: unescapeMountPath(mountPoint),
      fsType,
      source: unescapeMountPath(source),
    });
  }
  return entries;
}
