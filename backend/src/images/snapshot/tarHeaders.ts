import type { Header } from 'tar-stream';
import { baseName, parentPath, type FsEntry } from './fsEntry.js';

/** A tar-stream entry header; tar-stream writes `pax` as PAX records. */
export type LayerHeader = Partial<Header> & { name: string; pax?: Record<string, string> };

/** The largest uid/gid a ustar header holds (7 octal digits); larger ones go in the PAX header. */
const USTAR_MAX_ID = 0o7777777;
const NS_PER_S = 1_000_000_000n;

/*
 * tar-stream replaces a mode of 0 by its default (0644 or 0755), so every mode is given with its
 * file-type bits: never 0, and the header keeps only the low 12 bits.
 */
const TYPE_BITS: Record<FsEntry['type'], number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  fifo: 0o010000,
  char: 0o020000,
  block: 0o060000,
  socket: 0o140000,
};

const TAR_TYPE = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  fifo: 'fifo',
  char: 'character-device',
  block: 'block-device',
} as const;

/** The header for an entry; `hardLinkTo` makes it a link to a file written earlier in the same tar. */
export function entryHeader(entry: FsEntry, hardLinkTo?: string): LayerHeader {
  if (entry.type === 'socket') throw new Error(`/${entry.path} is a socket, which a layer cannot hold`);
  const header: LayerHeader = {
    name: entry.path,
    type: hardLinkTo === undefined ? TAR_TYPE[entry.type] : 'link',
    mode: TYPE_BITS[entry.type] | entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size: entry.type === 'file' && hardLinkTo === undefined ? entry.size : 0,
    mtime: new Date(Number(entry.mtimeNs / 1_000_000n)),
  };
  if (hardLinkTo !== undefined) header.linkname = hardLinkTo;
  else if (entry.type === 'symlink') header.linkname = entry.linkTarget ?? '';
  if (entry.type === 'char' || entry.type === 'block') {
    const rdev = BigInt(entry.rdev);
    header.devmajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    header.devminor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  }
  const pax = paxRecords(entry);
  if (pax) header.pax = pax;
  return header;
}

/** PAX records for what a ustar header cannot say: sub-second mtimes and large ids (names: tar-stream adds them). */
function paxRecords(entry: FsEntry): Record<string, string> | undefined {
  const pax: Record<string, string> = {};
  const nanoseconds = entry.mtimeNs % NS_PER_S;
  if (entry.mtimeNs > 0n && nanoseconds !== 0n) {
    pax.mtime = `${entry.mtimeNs / NS_PER_S}.${nanoseconds.toString().padStart(9, '0')}`;
  }
  if (entry.uid > USTAR_MAX_ID) pax.uid = String(entry.uid);
  if (entry.gid > USTAR_MAX_ID) pax.gid = String(entry.gid);
  return Object.keys(pax).length > 0 ? pax : undefined;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** `<parent>/.wh.<name>`: hides `path` of the lower layers. */
export function whiteoutHeader(path: string): LayerHeader {
  const parent = parentPath(path);
  return markerHeader(`${parent === '' ? '' : `${parent}/`}${WHITEOUT_PREFIX}${baseName(path)}`);
}

/** `<dir>/.wh..wh..opq`: hides every lower-layer child of `dir`. */
export function opaqueHeader(dir: string): LayerHeader {
  return markerHeader(`${dir}/${OPAQUE_WHITEOUT}`);
}

function markerHeader(name: string): LayerHeader {
  return { name, type: 'file', mode: TYPE_BITS.file, uid: 0, gid: 0, size: 0, mtime: new Date(0) };
}
