import { gunzipSync } from 'node:zlib';

/** One entry of a layer tar as a reader sees it, with its PAX records applied. */
export interface LayerTarEntry {
  name: string;
  type: 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch, with the PAX fraction when there is one. */
  mtime: number;
  linkname: string;
  content: Buffer;
  /** The PAX records that came with the entry. */
  pax: Record<string, string>;
}

const TYPES: Record<string, LayerTarEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

/**
 * Reads a gzip'd tar written in the ustar + PAX format, on its own (not with the tar-stream the
 * product writes with), so a test checks the bytes, not the writer against itself.
 */
export function readLayerTar(gzipped: Buffer): LayerTarEntry[] {
  const tar = gunzipSync(gzipped);
  const entries: LayerTarEntry[] = [];
  let pax: Record<string, string> = {};
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (offset: number, length: number) => {
      const raw = header.subarray(offset, offset + length);
      const end = raw.indexOf(0);
      return raw.subarray(0, end === -1 ? length : end).toString('utf8');
    };
    const octal = (offset: number, length: number) => parseInt(field(offset, length).trim() || '0', 8);
    const size = octal(124, 12);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (typeflag === 'x') {
      pax = parsePax(body);
      continue;
    }
    const type = TYPES[typeflag];
    if (type === undefined) throw new Error(`unexpected tar typeflag ${JSON.stringify(typeflag)}`);
    const prefix = field(345, 155);
    const name = pax.path ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    entries.push({
      name: name.replace(/\/$/, ''),
      type,
      mode: octal(100, 8),
      uid: pax.uid === undefined ? octal(108, 8) : Number(pax.uid),
      gid: pax.gid === undefined ? octal(116, 8) : Number(pax.gid),
      mtime: pax.mtime === undefined ? octal(136, 12) : Number(pax.mtime),
      linkname: pax.linkpath ?? field(157, 100),
      content: Buffer.from(body),
      pax,
    });
    pax = {};
  }
  return entries;
}

function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  for (let at = 0; at < body.length;) {
    const space = body.indexOf(0x20, at);
    const length = Number(body.subarray(at, space).toString());
    if (!length) break;
    const record = body.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}
