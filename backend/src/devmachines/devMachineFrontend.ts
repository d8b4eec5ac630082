import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { DEV_MACHINE_IDE_PATHS, type DevMachineIde } from '@aiplat/api';
import { refuseUpgrade, type ProxyCore, type ProxyRoute } from '../proxy/proxyCore.js';
import type { Frontend } from '../server/frontend.js';
import { sessionIdOf } from '../sessions/cookies.js';
import { pageTexts, sendPage } from '../sessions/pages.js';
import { fromThisSite, safeForState } from '../sessions/sameOrigin.js';
import type { SessionStore } from '../sessions/sessionStore.js';
import type { DevMachineService } from './devMachineService.js';

const IDE_OF_PATH = Object.fromEntries(
  Object.entries(DEV_MACHINE_IDE_PATHS).map(([ide, segment]) => [segment, ide as DevMachineIde]),
);
const PATH = /^\/devmachines\/(dm-[a-z0-9]+)\/([a-z]+)(\/.*)?$/;

export interface DevMachineFrontendDeps {
  machines: DevMachineService;
  sessions: SessionStore;
  proxy: ProxyCore;
  allowedOrigins?: readonly string[];
}

type Decision = { route: ProxyRoute } | { status: number; message: string } | { redirect: string };

/**
 * `/devmachines/<id>/lab/` and `/code/`: the IDEs of a dev machine, reached only here, by its owner
 * with a browser session (the cookie a login link sets); the IDE's own secret is added on the way.
 */
export function createDevMachineFrontend(deps: DevMachineFrontendDeps): Frontend {
  const decide = (req: http.IncomingMessage, path: string): Decision | undefined => {
    const match = PATH.exec(path);
    if (!match) return undefined;
    const [, id = '', segment = '', rest] = match;
    const texts = pageTexts(req);
    const user = deps.sessions.lookup(sessionIdOf(req));
    if (!user) return { status: 401, message: texts.signIn };
    const identity = deps.machines.identity(id);
    const ide = IDE_OF_PATH[segment];
    if (!identity || identity.owner !== user || !ide) return { status: 404, message: texts.noSuchMachine };
    if (!identity.ides.includes(ide)) return { status: 404, message: texts.noIde(ide) };
    if (rest === undefined) return { redirect: `${path}/` };
    // The engine answers only for an IDE that runs and answers; otherwise say what the machine is.
    const endpoint = deps.machines.endpoint(id, ide);
    if (endpoint) return { route: endpoint };
    const record = deps.machines.record(id, user);
    return { status: 503, message: texts.notRunning(record?.spec.name ?? id, record?.state ?? 'Stopped') };
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
      else if (!safeForState(req, deps.allowedOrigins))
        sendPage(res, 403, 'Refused: this request did not come from a page of this server.');
      else deps.proxy.web(req, res, decision.route);
    },
    upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (!PATH.test(path)) return false;
      if (!fromThisSite(req, deps.allowedOrigins)) {
        refuseUpgrade(
          socket,
          403,
          `a WebSocket to a dev machine must come from a page of this server (Origin ${req.headers.origin ?? 'missing'})`,
        );
        return true;
      }
      const decision = decide(req, path);
      if (!decision || !('route' in decision)) {
        const refused = decision && 'status' in decision ? decision : { status: 404, message: 'not found' };
        refuseUpgrade(socket, refused.status, refused.message);
        return true;
      }
      deps.proxy.upgrade(req, socket, head, decision.route);
      return true;
    },
  };
}
