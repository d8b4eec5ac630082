import type { WebSocketFactory, WebSocketLike } from '@aiplat/api';
import type WebSocket from 'ws';

/**
 * The extension host runs on Node 20, which has no global `WebSocket`: the shared event socket of
 * `@aiplat/api` gets this factory, backed by the `ws` package (bundled into dist/main.js by esbuild).
 * `ws` is required on the first socket, after the server has answered, not while the extension
 * activates: evaluating it is a fifth of the bundle's load time.
 */
export const createNodeWebSocket: WebSocketFactory = (url, protocols) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, kept synchronous for the factory
  const NodeWebSocket = require('ws') as typeof WebSocket;
  return new NodeWebSocket(url, protocols) as unknown as WebSocketLike;
};
