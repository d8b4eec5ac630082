import { detectEncoding, looksBinary, type DetectedEncoding } from '../../workspace/previews/encoding.js';
import { readHead } from '../../workspace/previews/readHead.js';

/** Bytes read to detect a file's encoding, as the previews do. */
const SNIFF_BYTES = 64 * 1024;

export interface TextFileHead {
  head: Buffer;
  size: number;
  detected: DetectedEncoding;
  /** NUL bytes in the head (and not UTF-16): not a text file whatever its name. */
  binary: boolean;
}

/** The head of a file and its encoding (UTF-8, GB18030, UTF-16 with a BOM, …). */
export async function sniffTextFile(absPath: string): Promise<TextFileHead> {
  const { bytes, size } = await readHead(absPath, SNIFF_BYTES);
  const detected = detectEncoding(bytes);
  return { head: bytes, size, detected, binary: looksBinary(bytes, detected) };
}

export const BINARY_MESSAGE = 'is not text (it has NUL bytes); records are expected as UTF-8, GBK or UTF-16 text';
