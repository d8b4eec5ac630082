import { opendirSync, type Stats } from 'node:fs';
import { readdir, statfs } from 'node:fs/promises';

/** Uploads in flight are written to `<folder>/.aiplat-upload-<id>.part`; listings hide them. */
export const UPLOAD_TEMP_PREFIX = '.aiplat-upload-';

/**
 * How a folder's names are read. `sliced-sync` reads 4096 entries per synchronous call and yields
 * to the event loop between slices: on local disks it is about 1.5x faster than `readdir` (which
 * also sorts every name in C). `async` is plain `readdir`, and is always used on network file
 * systems, where a synchronous call could stall the event loop.
 */
export type ReadStrategy = 'sliced-sync' | 'async';

const READ_SLICE = 4096;
const NETWORK_FS_TYPES = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x65735546, // FUSE (sshfs, s3fs, gcsfuse, ...)
  0x00c36400, // Ceph
  0x01021997, // 9P
  0x0bd00bd0, // Lustre
  0x5346414f, // AFS
  0x47504653, // GPFS
]);

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function readNamesSliced(dir: string): Promise<string[]> {
  const handle = opendirSync(dir, { bufferSize: READ_SLICE });
  const names: string[] = [];
  try {
    for (;;) {
      let entry = handle.readSync();
      for (let n = 0; entry !== null; entry = handle.readSync()) {
        if (!entry.name.startsWith(UPLOAD_TEMP_PREFIX)) names.push(entry.name);
        if (++n === READ_SLICE) break;
      }
      if (entry === null) return names;
      await yieldToEventLoop();
    }
  } finally {
    handle.closeSync();
  }
}

async function readNamesAsync(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.some((n) => n.startsWith(UPLOAD_TEMP_PREFIX))
    ? names.filter((n) => !n.startsWith(UPLOAD_TEMP_PREFIX))
    : names;
}

/**
 * Reads a folder's names, in no particular order, without the uploads in flight. Remembers per
 * device whether it is a network file system (those are always read with `readdir`).
 */
export class NameReader {
  private readonly networkDevices = new Map<number, boolean>();

  constructor(private readonly strategy: ReadStrategy = 'sliced-sync') {}

  async read(dir: string, dirStats: Stats): Promise<string[]> {
    if (this.strategy === 'async') return readNamesAsync(dir);
    let network = this.networkDevices.get(dirStats.dev);
    if (network === undefined) {
      try {
        network = NETWORK_FS_TYPES.has((await statfs(dir)).type);
      } catch {
        network = true;
      }
      this.networkDevices.set(dirStats.dev, network);
    }
    return network ? readNamesAsync(dir) : readNamesSliced(dir);
  }
}
