import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_VERSION, ApiError, type ServerInfo } from '@aiplat/api';

/**
 * A real HTTP server answering `GET /api/info` like the backend: 401 without the right bearer
 * token, otherwise a `ServerInfo` with whatever `apiVersion` the test sets.
 */
export interface InfoServer {
  readonly url: string;
  apiVersion: string;
  token: string;
  readonly requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** An API version the client rejects: the next major. */
export const INCOMPATIBLE_API_VERSION = `${Number(API_VERSION.split('.')[0]) + 1}.0`;

export async function startInfoServer(token: string): Promise<InfoServer> {
  const requests: InfoServer['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || request.url !== '/api/info') {
      send(404, new ApiError('not_found', `no route ${request.method} ${request.url}`).toBody());
    } else if (request.headers.authorization !== `Bearer ${state.token}`) {
      send(401, new ApiError('unauthorized', 'missing or invalid bearer token').toBody());
    } else {
      const info: ServerInfo = {
        apiVersion: state.apiVersion,
        serverVersion: '0.1.0-test',
        user: 'alice',
        engine: 'local',
        roots: [{ name: 'home', displayPath: '/work/home', writable: true }],
        limits: { maxUploadBytes: 1024 },
        containerRuntime: { kind: 'none', reason: 'no container runtime (test server)' },
      };
      send(200, info);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: InfoServer = {
    url: `http://127.0.0.1:${port}`,
    apiVersion: API_VERSION,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return state;
}
