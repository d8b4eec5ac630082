/** Why a download link was refused or failed; `message` tells the user what to change. */
export type DownloadRefusedCode =
  'blocked_address' | 'too_large' | 'http_status' | 'bad_url' | 'too_many_redirects' | 'network';

export class DownloadRefused extends Error {
  override readonly name = 'DownloadRefused';

  constructor(
    readonly code: DownloadRefusedCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The URL as the user typed it, minus any user name and password, for messages and logs. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${UNITS[unit]}`;
}
