import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The user names of the requests it let in. */
  users: string[];
  close(): Promise<void>;
}

const HTTP_BACKEND = 'git-http-backend';

/**
 * The bare repositories under `root` served over smart HTTP by git's own `git http-backend`, run
 * as a CGI per request (as Apache or nginx would). With `credentials`, every request needs Basic
 * auth with that user and token, and gets 401 with a WWW-Authenticate challenge otherwise.
 */
export async function startGitHttpServer(
  root: string,
  credentials?: { username: string; token: string },
): Promise<GitHttpServer> {
  const users: string[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let remoteUser = '';
    if (credentials) {
      const given = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const [username, ...rest] = given ? Buffer.from(given, 'base64').toString().split(':') : [];
      if (username !== credentials.username || rest.join(':') !== credentials.token) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
        response.end('Authentication required\n');
        return;
      }
      remoteUser = username;
      users.push(username);
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GATEWAY_INTERFACE: 'CGI/1.1',
        SERVER_PROTOCOL: 'HTTP/1.1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
        ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
        ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
        REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
        REMOTE_USER: remoteUser,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    request.pipe(cgi.stdin);
    cgi.stdin.on('error', () => {});
    let stderr = '';
    cgi.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    cgi.on('close', (code) => {
      if (!headersDone) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`${HTTP_BACKEND} exited with ${code}: ${stderr}`);
        return;
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
