import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';

/**
 * What the server serves besides the API: browser pages and proxied upstreams (login links, dev
 * machines' IDEs). Each looks at a request first and passes on what is not its own.
 */
export interface Frontend {
  handle(req: Request, res: Response, next: NextFunction): void;
  /** Takes a WebSocket upgrade that is its own (true), or leaves it (false). */
  upgrade?(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
}
