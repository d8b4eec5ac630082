import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Preview } from '@aiplat/api';
import type { ResolvedPath } from '../pathResolver.js';
import { csvPreview } from './csv.js';
import { detectEncoding, looksBinary } from './encoding.js';
import { IMAGE_MIME_TYPES, imagePreview, sniffImageMimeType } from './image.js';
import { jsonPreview, MAX_JSON_PARSE_BYTES } from './json.js';
import { jsonlPreview } from './jsonl.js';
import { isModelFolder, previewModelFolder, previewSafetensorsFile, scanFolderTop } from './model.js';
import { readHead } from './readHead.js';
import { textPreview } from './text.js';

export interface PreviewOptions {
  /** Records, rows or tensors to return at most. */
  limit: number;
  /** Bytes of a text file to show at most. */
  maxBytes: number;
}

/** Bytes read at least to detect the encoding and sniff for binary content. */
const SNIFF_BYTES = 64 * 1024;

/** Types named for binary files the platform knows by extension. */
export const BINARY_MIME_TYPES: Readonly<Record<string, string>> = {
  '.parquet': 'application/vnd.apache.parquet',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.npy': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.pt': 'application/octet-stream',
  '.pth': 'application/octet-stream',
  '.gguf': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
};

function binary(size: number, ext: string): Preview {
  const mimeType = BINARY_MIME_TYPES[ext];
  return { kind: 'binary', size, ...(mimeType ? { mimeType } : {}) };
}

/**
 * Previews what `resolved` (confined by the PathResolver) points at. Folders: a model folder
 * (safetensors / Hugging Face config) or a plain directory. Files: by extension first —
 * `.safetensors`, images, `.json`, `.jsonl`/`.ndjson`, `.csv`/`.tsv` — and then by content: image
 * magic bytes, NUL bytes for binary, else text in its detected encoding.
 */
export async function previewPath(resolved: ResolvedPath, options: PreviewOptions): Promise<Preview> {
  const { absPath, rootDir, apiPath } = resolved;
  const { limit, maxBytes } = options;
  const stats = await stat(absPath);
  if (stats.isDirectory()) {
    const top = await scanFolderTop(absPath);
    if (await isModelFolder(absPath, rootDir, top)) return previewModelFolder(absPath, rootDir, apiPath, limit);
    return { kind: 'directory', entryCount: top.entryCount };
  }
  // FIFOs, sockets and devices are never opened: reading one could block or never end.
  if (!stats.isFile()) return { kind: 'binary', size: stats.size };

  const ext = path.extname(absPath).toLowerCase();
  if (ext === '.safetensors') return previewSafetensorsFile(absPath, apiPath, limit);
  const imageType = IMAGE_MIME_TYPES[ext];
  if (imageType) return imagePreview(absPath, imageType);

  const head = await readHead(absPath, Math.max(maxBytes, SNIFF_BYTES));
  const sniffedImage = sniffImageMimeType(head.bytes);
  if (sniffedImage) return imagePreview(absPath, sniffedImage);
  const detected = detectEncoding(head.bytes);
  if (looksBinary(head.bytes, detected)) return binary(head.size, ext);
  const text = () => textPreview(head.bytes.subarray(0, maxBytes), head.size, detected);

  switch (ext) {
    case '.json':
      return head.size <= MAX_JSON_PARSE_BYTES ? jsonPreview(absPath, detected, limit) : text();
    case '.jsonl':
    case '.ndjson':
      return jsonlPreview(absPath, head.size, detected, limit);
    case '.csv':
      return csvPreview(absPath, head.size, head.bytes, detected, limit);
    case '.tsv':
      return csvPreview(absPath, head.size, head.bytes, detected, limit, '\t');
    default:
      return text();
  }
}
