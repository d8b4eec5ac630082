import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayAuthReason } from '@aiplat/api';

/** A call the gateway answers itself: a JSON body `{error, message, reason?}` and maybe Retry-After. */
export interface Refusal {
  status: number;
  error: string;
  message: string;
  reason?: GatewayAuthReason;
  retryAfter?: number;
}

export function unauthorized(reason: GatewayAuthReason, message: string): Refusal {
  return { status: 401, error: 'unauthorized', reason, message };
}

export function notFound(name: string): Refusal {
  return { status: 404, error: 'not_found', message: `no service ${name.slice(0, 64)}` };
}

export function unavailable(message: string, retryAfter: number): Refusal {
  return { status: 503, error: 'unavailable', message, retryAfter };
}

export function tooMany(message: string, retryAfter: number): Refusal {
  return { status: 429, error: 'too_many_requests', message, retryAfter };
}

export function tooLarge(message: string): Refusal {
  return { status: 413, error: 'payload_too_large', message };
}

/**
 * Answers with the refusal; a response already under way (headers sent) is cut instead. `close`
 * asks the client to drop the connection (a body left unread).
 */
export function send(res: http.ServerResponse, refusal: Refusal, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = refusalBody(refusal);
  res.writeHead(refusal.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(refusal.retryAfter !== undefined ? { 'retry-after': String(refusal.retryAfter) } : {}),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** The same refusal for an upgrade request, on its raw socket, which is closed after it. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = refusalBody(refusal);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      (refusal.retryAfter !== undefined ? `Retry-After: ${refusal.retryAfter}\r\n` : '') +
      `Connection: close\r\n\r\n${body}`,
  );
}

function refusalBody(refusal: Refusal): string {
  return JSON.stringify({
    error: refusal.error,
    ...(refusal.reason ? { reason: refusal.reason } : {}),
    message: refusal.message,
  });
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
