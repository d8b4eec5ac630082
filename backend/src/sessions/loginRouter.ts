import express, { type Request, type Response } from 'express';
import { clearedSessionCookie, sessionCookie, sessionIdOf } from './cookies.js';
import type { LoginLinks } from './loginLinks.js';
import { pageTexts, sendPage } from './pages.js';
import { safeForState } from './sameOrigin.js';
import type { SessionStore } from './sessionStore.js';

/** `GET /login?ticket=…` (a one-time link opens a session) and `POST /logout`. */
export function createLoginRouter(deps: { links: LoginLinks; sessions: SessionStore }): express.Router {
  const router = express.Router();
  router.get('/login', (req: Request, res: Response) => {
    const redeemed = deps.links.redeem(req.query.ticket);
    if (!redeemed) {
      sendPage(res, 410, pageTexts(req).linkUsed);
      return;
    }
    const session = deps.sessions.create(redeemed.user);
    res.setHeader('set-cookie', sessionCookie(req, session.id, session.maxAgeSeconds));
    res.setHeader('cache-control', 'no-store');
    // The ticket is in this URL: the next page must not get it as a Referer.
    res.setHeader('referrer-policy', 'no-referrer');
    res.redirect(303, redeemed.next);
  });
  router.post('/logout', (req: Request, res: Response) => {
    if (!safeForState(req)) {
      sendPage(res, 403, 'Refused: this request did not come from a page of this server.');
      return;
    }
    deps.sessions.revoke(sessionIdOf(req));
    res.setHeader('set-cookie', clearedSessionCookie());
    res.redirect(303, '/');
  });
  return router;
}
