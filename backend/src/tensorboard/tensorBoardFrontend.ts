import type { ProxyCore } from '../proxy/proxyCore.js';
import { createSessionProxyFrontend } from '../proxy/sessionProxyFrontend.js';
import type { Frontend } from '../server/frontend.js';
import type { SessionStore } from '../sessions/sessionStore.js';
import type { TensorBoardService } from './tensorBoardService.js';

const PATH = /^\/tensorboard\/(tb-[a-z0-9]+)(\/.*)?$/;

export interface TensorBoardFrontendDeps {
  tensorboards: TensorBoardService;
  sessions: SessionStore;
  proxy: ProxyCore;
  allowedOrigins?: readonly string[];
}

/** `/tensorboard/<id>/`: a TensorBoard, reached by its owner with a browser session, streamed both ways. */
export function createTensorBoardFrontend(deps: TensorBoardFrontendDeps): Frontend {
  return createSessionProxyFrontend({
    pattern: PATH,
    what: 'a TensorBoard',
    sessions: deps.sessions,
    proxy: deps.proxy,
    allowedOrigins: deps.allowedOrigins,
    decide: ([, id = '', rest], user, texts, path) => {
      if (deps.tensorboards.owner(id) !== user) return { status: 404, message: texts.noSuchTensorBoard };
      if (rest === undefined) return { redirect: `${path}/` };
      const endpoint = deps.tensorboards.endpoint(id);
      if (endpoint) return { route: endpoint };
      const board = deps.tensorboards.get(user, id);
      return { status: 503, message: texts.tensorBoardNotRunning(board.path, board.state, board.reason) };
    },
  });
}
