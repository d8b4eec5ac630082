const FALLBACK = 'download';
const MAX_BYTES = 255;

/**
 * The name a downloaded file goes by: from Content-Disposition (`filename*` over `filename`), else
 * the final URL's last path segment, reduced to a plain file name; 'download' when nothing usable.
 */
export function downloadFileName(contentDisposition: string | undefined, finalUrl: URL): string {
  const fromHeader = contentDisposition ? dispositionFileName(contentDisposition) : undefined;
  const fromHeaderClean = fromHeader === undefined ? '' : sanitizeFileName(fromHeader);
  if (fromHeaderClean !== '') return fromHeaderClean;
  const segment = finalUrl.pathname.split('/').pop() ?? '';
  return sanitizeFileName(decodePercent(segment)) || FALLBACK;
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** RFC 6266: `filename*=charset'lang'pct-encoded` wins over `filename="quoted"` or a bare token. */
export function dispositionFileName(header: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^';\s]*)'[^']*'([^;\s]*)/i.exec(header);
  if (extended) {
    const charset = (extended[1] ?? '').toLowerCase();
    const encoded = extended[2] ?? '';
    if (charset === 'utf-8' || charset === '') return decodePercent(encoded);
    if (charset === 'iso-8859-1') {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return (quoted[1] ?? '').replace(/\\(.)/g, '$1');
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header);
  return token?.[1];
}

/**
 * A name safe to use as one path component anywhere: the last component of whatever was given,
 * without control or shell-hostile characters, leading dots (no hidden files, no `..`) or trailing
 * dots and spaces, at most 255 UTF-8 bytes with the extension kept. May return ''.
 */
export function sanitizeFileName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let clean = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  clean = clean.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  return truncateUtf8(clean, MAX_BYTES);
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const budget = maxBytes - Buffer.byteLength(extension);
  let stem = Array.from(name.slice(0, name.length - extension.length))
    .slice(0, budget)
    .join('');
  while (Buffer.byteLength(stem) > budget) stem = Array.from(stem).slice(0, -1).join('');
  return stem + extension;
}
