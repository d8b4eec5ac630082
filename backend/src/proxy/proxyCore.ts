import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

/** Where an upstream listens: a Unix socket (the IDEs) or a loopback port. */
export type ProxyTarget = { socketPath: string } | { host: string; port: number };

export interface ProxyRoute {
  target: ProxyTarget;
  /** The public path prefix, `/devmachines/<id>/lab/`. */
  prefix: string;
  /** false: the upstream sees paths without the prefix (code-server); true: with it (JupyterLab's base_url). */
  keepsPrefix: boolean;
  /** Added to every forwarded request (an upstream's own secret). */
  headers?: Record<string, string>;
}

/** The platform's own credentials, never forwarded to an upstream. */
export const SESSION_COOKIE = 'aiplat_session';

/**
 * One reverse proxy for everything the platform serves from a process of its own (dev machines'
 * IDEs; TensorBoard and model services later): bodies stream both ways (http-proxy-3, as JupyterHub's
 * proxy), WebSocket upgrades pass through, the platform's bearer token and session cookie stay
 * here, and an upstream that does not answer gets a short 502 instead of a hang or a crash. Who may
 * reach which route is the caller's decision, made before these are called.
 */
export class ProxyCore {
  private readonly proxy = createProxyServer({ xfwd: true, ws: true, proxyTimeout: 0 });
  /**
   * Upstream connections kept open between requests (per socket or port): without an agent
   * http-proxy-3 asks for `connection: close` and opens a new one for every request.
   */
  private readonly agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
  /** The browser side of each proxied WebSocket: the server's close does not end upgraded sockets. */
  private readonly upgraded = new Set<Duplex>();

  constructor() {
    // A client or upstream that goes away mid-stream must never become an unhandled 'error'.
    this.proxy.on('error', () => undefined);
  }

  web(req: http.IncomingMessage, res: http.ServerResponse, route: ProxyRoute): void {
    this.prepare(req, route);
    this.proxy.web(req, res, { ...this.options(route), agent: this.agent }, (error: Error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`The IDE is not answering: ${reason(error)}\n`);
    });
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute): void {
    this.prepare(req, route);
    socket.on('error', () => socket.destroy());
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    this.proxy.ws(req, socket, head, this.options(route), (error: Error) => {
      refuseUpgrade(socket, 502, `The IDE is not answering: ${reason(error)}`);
    });
  }

  /** Ends every proxied WebSocket (a shutting-down server would otherwise wait on them forever). */
  close(): void {
    for (const socket of this.upgraded) socket.destroy();
    this.upgraded.clear();
    this.agent.destroy();
    this.proxy.close();
  }

  private options(route: ProxyRoute) {
    const target =
      'socketPath' in route.target
        ? { socketPath: route.target.socketPath, host: 'localhost', port: 80 }
        : { host: route.target.host, port: route.target.port };
    return { target, headers: { 'x-forwarded-prefix': route.prefix.replace(/\/$/, ''), ...route.headers } };
  }

  /** The path the upstream sees, and the headers it must not get. */
  private prepare(req: http.IncomingMessage, route: ProxyRoute): void {
    const original = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    if (!route.keepsPrefix) {
      const base = route.prefix.replace(/\/$/, '');
      const rest = original.startsWith(base) ? original.slice(base.length) : original;
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
    } else req.url = original;
    delete req.headers.authorization;
    const cookie = withoutCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie) req.headers.cookie = cookie;
    else delete req.headers.cookie;
  }
}

/** A Cookie header without the named cookie. */
export function withoutCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && part.split('=', 1)[0]!.trim() !== name);
  return kept.length ? kept.join('; ') : undefined;
}

/** Answers an upgrade with an HTTP status on the raw socket and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function reason(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return 'it is not listening (is the dev machine still starting?)';
  return code ?? error.message;
}
