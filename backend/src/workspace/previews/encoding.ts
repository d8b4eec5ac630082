import chardet from 'chardet';
import iconv from 'iconv-lite';

/**
 * Text encoding detection and decoding for previews. Order: a byte-order mark decides; then valid
 * UTF-8 (ASCII included) wins; then a confident chardet guess; then — because chardet misreads
 * short Chinese text as Greek or Cyrillic — bytes that pair up as GBK and decode to mostly CJK
 * are taken as GB18030 (a superset of GBK and GB2312); then chardet's best guess; else Latin-1.
 */

export interface DetectedEncoding {
  /** A name iconv-lite decodes, as shown to users: `UTF-8`, `UTF-16LE`, `GB18030`, … */
  encoding: string;
  /** Length of the byte-order mark at the start of the sample (0 when none). */
  bomLength: number;
}

const CHARDET_CONFIDENT = 60;

function bomOf(sample: Uint8Array): DetectedEncoding | undefined {
  const [a, b, c] = sample;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'UTF-8', bomLength: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'UTF-16LE', bomLength: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'UTF-16BE', bomLength: 2 };
  return undefined;
}

/** Valid UTF-8, allowing the sample to end inside a character. */
function isUtf8(sample: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) || // unified ideographs
    (code >= 0x3400 && code <= 0x4dbf) || // extension A
    (code >= 0x3000 && code <= 0x303f) || // CJK punctuation
    (code >= 0xff00 && code <= 0xffef) || // full-width forms
    (code >= 0x2000 && code <= 0x206f) // general punctuation (“”…—)
  );
}

/** Every high byte starts a valid GBK pair and most of what they decode to is Chinese. */
function looksLikeGbk(sample: Uint8Array): boolean {
  let pairs = 0;
  for (let i = 0; i < sample.length; i++) {
    const lead = sample[i] as number;
    if (lead < 0x80) continue;
    if (lead === 0x80 || lead === 0xff) return false;
    if (i + 1 >= sample.length) break; // cut at the end of the sample
    const trail = sample[i + 1] as number;
    if (trail < 0x40 || trail === 0x7f || trail === 0xff) return false;
    pairs++;
    i++;
  }
  if (pairs === 0) return false;
  let cjk = 0;
  let other = 0;
  // A streaming write holds back a pair cut at the end instead of decoding it as U+FFFD.
  for (const char of iconv.getDecoder('gb18030').write(Buffer.from(sample))) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) continue;
    if (isCjk(code)) cjk++;
    else other++;
  }
  return cjk >= 0.8 * (cjk + other);
}

export function detectEncoding(sample: Uint8Array): DetectedEncoding {
  const bom = bomOf(sample);
  if (bom) return bom;
  if (isUtf8(sample)) return { encoding: 'UTF-8', bomLength: 0 };
  const guesses = chardet.analyse(sample).filter((m) => iconv.encodingExists(m.name));
  const best = guesses[0];
  if (best && best.confidence >= CHARDET_CONFIDENT) return { encoding: best.name, bomLength: 0 };
  if (looksLikeGbk(sample)) return { encoding: 'GB18030', bomLength: 0 };
  return { encoding: best?.name ?? 'ISO-8859-1', bomLength: 0 };
}

/** NUL bytes (outside UTF-16, which has a BOM here) mark a sample as binary. */
export function looksBinary(sample: Uint8Array, detected: DetectedEncoding): boolean {
  if (detected.encoding.startsWith('UTF-16')) return false;
  return sample.includes(0);
}

/**
 * Decodes a sample. When `complete` is false the sample was cut from a longer file: bytes of a
 * character split by the cut are held back rather than shown as U+FFFD.
 */
export function decodeSample(sample: Uint8Array, detected: DetectedEncoding, complete: boolean): string {
  const decoder = iconv.getDecoder(detected.encoding, { stripBOM: false });
  let text = decoder.write(Buffer.from(sample.subarray(detected.bomLength)));
  if (complete) return text + (decoder.end() ?? '');
  // A surrogate pair split by the cut (UTF-16): drop its first half.
  const last = text.charCodeAt(text.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
  return text;
}

/** A transform stream decoding bytes in `encoding` to strings (BOM stripped), for streaming parsers. */
export function createDecodeStream(detected: DetectedEncoding): NodeJS.ReadWriteStream {
  return iconv.decodeStream(detected.encoding, { stripBOM: true });
}
