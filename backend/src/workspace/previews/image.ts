import { imageSize } from 'image-size';
import type { Preview } from '@aiplat/api';
import { readHead } from './readHead.js';

export type ImagePreview = Extract<Preview, { kind: 'image' }>;

export const IMAGE_MIME_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
};

/** The image type from its first bytes, for files whose extension says nothing. */
export function sniffImageMimeType(head: Uint8Array): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50)
    return 'image/webp';
  if (starts(0x42, 0x4d) && head.length >= 26) return 'image/bmp';
  return undefined;
}

/**
 * Header reads tried in turn: dimensions sit in the first bytes for PNG, GIF, WebP, BMP; a JPEG's
 * frame header can follow a large EXIF block, and an SVG's root tag some comments.
 */
const HEADER_READS_BYTES = [64 * 1024, 1024 * 1024, 8 * 1024 * 1024];

/** Type and dimensions of an image, reading only its header; the pixels are never decoded. */
export async function imagePreview(absPath: string, mimeType: string): Promise<ImagePreview> {
  let size = 0;
  for (const bytes of HEADER_READS_BYTES) {
    const head = await readHead(absPath, bytes);
    size = head.size;
    try {
      const { width, height } = imageSize(head.bytes);
      return { kind: 'image', mimeType, width, height, size };
    } catch {
      if (head.bytes.length >= head.size) break; // the whole file was read: it is not a readable image
    }
  }
  return { kind: 'image', mimeType, size };
}
