import type { WebSocketFactory, WebSocketLike } from '@aiplat/api';
import WebSocket from 'ws';

/**
 * The extension host runs on Node 20, which has no global `WebSocket`: the shared event socket of
 * `@aiplat/api` gets this factory, backed by the `ws` package (bundled into dist/extension.js by esbuild).
 */
export const createNodeWebSocket: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols) as unknown as WebSocketLike;
