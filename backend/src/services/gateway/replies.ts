import type http from 'node:http';
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
  const body = JSON.stringify({
    error: refusal.error,
    ...(refusal.reason ? { reason: refusal.reason } : {}),
    message: refusal.message,
  });
  res.writeHead(refusal.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(refusal.retryAfter !== undefined ? { 'retry-after': String(refusal.retryAfter) } : {}),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
