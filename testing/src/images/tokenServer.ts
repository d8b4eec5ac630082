import { execFile } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * Docker's token authentication for the test registry: an HTTP token service that checks basic
 * credentials and grants what each `scope` asks, as an RS256 JWT whose x5c header carries a
 * self-signed certificate (openssl), the registry's `rootcertbundle`. It logs each token request.
 */

const run = promisify(execFile);
const TOKEN_LIFETIME_S = 300;

export interface TokenRequest {
  user: string | undefined;
  service: string | null;
  scopes: string[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificate the registry trusts */
  rootCertBundle: string;
  requests(): TokenRequest[];
  stop(): Promise<void>;
}

export async function startTokenServer(users: Record<string, string>): Promise<TokenServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=aiplat-test-token',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const key = await readFile(keyFile, 'utf8');
  const certificateDer = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  const service = 'aiplat-test-registry';
  const issuer = 'aiplat-test-token-issuer';
  const requests: TokenRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, password] = basic ? splitOnce(Buffer.from(basic, 'base64').toString('utf8')) : [undefined, undefined];
    const scopes = url.searchParams.getAll('scope');
    requests.push({ user, service: url.searchParams.get('service'), scopes });
    if (user !== undefined && users[user] !== password) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'wrong user name or password' }] }));
      return;
    }
    const access = user
      ? scopes.map((scope) => {
          const [type, name, actions] = scope.split(':') as [string, string, string];
          return { type, name, actions: actions.split(',') };
        })
      : [];
    const nowS = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { typ: 'JWT', alg: 'RS256', x5c: [certificateDer] },
      {
        iss: issuer,
        sub: user ?? '',
        aud: service,
        exp: nowS + TOKEN_LIFETIME_S,
        nbf: nowS - 10,
        iat: nowS,
        jti: randomUUID(),
        access,
      },
      key,
    );
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: TOKEN_LIFETIME_S }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: certFile,
    requests: () => [...requests],
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function signJwt(header: object, claims: object, privateKeyPem: string): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signed = `${encode(header)}.${encode(claims)}`;
  return `${signed}.${createSign('RSA-SHA256').update(signed).sign(privateKeyPem).toString('base64url')}`;
}

function splitOnce(text: string): [string, string] {
  const colon = text.indexOf(':');
  return colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)];
}
