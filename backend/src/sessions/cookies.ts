import type http from 'node:http';
import { SESSION_COOKIE } from '../proxy/proxyCore.js';

/** The value of one cookie in a request's Cookie header. */
export function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export function sessionIdOf(req: http.IncomingMessage): string | undefined {
  return readCookie(req, SESSION_COOKIE);
}

/** Whether the browser reached us over HTTPS (itself, or through a proxy that says so). */
function overHttps(req: http.IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (sent on the top-level navigation
 * from a link printed in a terminal or another site, never on their sub-requests or form posts:
 * Strict would drop it on that first navigation), Path=/, Secure over HTTPS.
 */
export function sessionCookie(req: http.IncomingMessage, id: string, maxAgeSeconds: number): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'HttpOnly',
    'SameSite=Lax',
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    ...(overHttps(req) ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`;
}
