/**
 * Whether `next` is a path on this server to send a browser to after login: one leading `/`, no
 * scheme or authority (`//evil.example`, `/\evil`), no control characters.
 */
export function isLocalPath(next: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  return /^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/.test(next) && next.length <= 2048;
}
