import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import type { Frontend } from '../server/frontend.js';
import { sessionIdOf } from '../sessions/cookies.js';
import { pageTexts, sendPage, type PageTexts } from '../sessions/pages.js';
import { fromThisSite, safeForState } from '../sessions/sameOrigin.js';
import type { SessionStore } from '../sessions/sessionStore.js';
import { refuseUpgrade, type ProxyCore, type ProxyRoute } from './proxyCore.js';

export type ProxyDecision = { route: ProxyRoute } | { status: number; message: string } | { redirect: string };

export interface SessionProxyFrontendOptions {
  /** The paths served, e.g. `/^\/tensorboard\/(tb-[a-z0-9]+)(\/.*)?$/`. */
  pattern: RegExp;
  /** Names what is behind the paths in a refusal ("a dev machine"). */
  what: string;
  sessions: SessionStore;
  proxy: ProxyCore;
  allowedOrigins?: readonly string[] | undefined;
  /** Where a signed-in user's request goes: an upstream, a page that says why not, or a redirect. */
  decide(match: RegExpExecArray, user: string, texts: PageTexts, path: string): ProxyDecision;
}

/**
 * A part of the site reached only with a browser session (the cookie a login link sets): requests
 * matching `pattern` are decided for their signed-in user and forwarded through the proxy core;
 * state-changing requests and WebSockets only from pages of this server.
 */
export function createSessionProxyFrontend(options: SessionProxyFrontendOptions): Frontend {
  const decide = (req: http.IncomingMessage, path: string): ProxyDecision | undefined => {
    const match = options.pattern.exec(path);
    if (!match) return undefined;
    const texts = pageTexts(req);
    const user = options.sessions.lookup(sessionIdOf(req));
    if (!user) return { status: 401, message: texts.signIn };
    return options.decide(match, user, texts, path);
  };

  return {
    handle(req: Request, res: Response, next: NextFunction): void {
      const decision = decide(req, req.path);
      if (!decision) {
        next();
        return;
      }
      if ('redirect' in decision) {
        const query = req.originalUrl.indexOf('?');
        res.redirect(301, decision.redirect + (query >= 0 ? req.originalUrl.slice(query) : ''));
      } else if ('status' in decision) sendPage(res, decision.status, decision.message);
      else if (!safeForState(req, options.allowedOrigins))
        sendPage(res, 403, 'Refused: this request did not come from a page of this server.');
      else options.proxy.web(req, res, decision.route);
    },
    upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (!options.pattern.test(path)) return false;
      if (!fromThisSite(req, options.allowedOrigins)) {
        refuseUpgrade(
          socket,
          403,
          `a WebSocket to ${options.what} must come from a page of this server (Origin ${req.headers.origin ?? 'missing'})`,
        );
        return true;
      }
      const decision = decide(req, path);
      if (!decision || !('route' in decision)) {
        const refused = decision && 'status' in decision ? decision : { status: 404, message: 'not found' };
        refuseUpgrade(socket, refused.status, refused.message);
        return true;
      }
      options.proxy.upgrade(req, socket, head, decision.route);
      return true;
    },
  };
}
