import type http from 'node:http';

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Whether a request comes from a page of this server: its Origin (or, without one, its Referer)
 * names the host it was sent to. A WebSocket upgrade or a state-changing request through a cookie
 * session must pass this (cross-site WebSocket hijacking, CSRF); `allowed` adds trusted origins.
 */
export function fromThisSite(req: http.IncomingMessage, allowed: readonly string[] = []): boolean {
  const host = req.headers.host?.toLowerCase();
  const origin = req.headers.origin ?? undefined;
  if (origin !== undefined) return hostOf(origin) === host || allowed.includes(origin);
  const referer = hostOf(req.headers.referer);
  return referer !== undefined && referer === host;
}

/** GET, HEAD and OPTIONS change nothing; any other method must come from this site. */
export function safeForState(req: http.IncomingMessage, allowed: readonly string[] = []): boolean {
  return ['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET') || fromThisSite(req, allowed);
}
