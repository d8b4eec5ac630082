import { DEV_MACHINE_IDE_PATHS, type DevMachineIde } from '@aiplat/api';
import type { ProxyCore } from '../proxy/proxyCore.js';
import { createSessionProxyFrontend } from '../proxy/sessionProxyFrontend.js';
import type { Frontend } from '../server/frontend.js';
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

/**
 * `/devmachines/<id>/lab/` and `/code/`: the IDEs of a dev machine, reached only here, by its owner
 * with a browser session (the cookie a login link sets); the IDE's own secret is added on the way.
 */
export function createDevMachineFrontend(deps: DevMachineFrontendDeps): Frontend {
  return createSessionProxyFrontend({
    pattern: PATH,
    what: 'a dev machine',
    sessions: deps.sessions,
    proxy: deps.proxy,
    allowedOrigins: deps.allowedOrigins,
    decide: ([, id = '', segment = '', rest], user, texts, path) => {
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
    },
  });
}
