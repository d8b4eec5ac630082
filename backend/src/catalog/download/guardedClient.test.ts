import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadToFile, DownloadRefused, type DownloadPolicy } from './download.js';

interface TestServer {
  port: number;
  origin: string;
  connections: number;
  requests: { url: string; host: string | undefined }[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<TestServer> {
  const server = createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', host: req.headers.host });
    handler(req, res);
  });
  server.on('connection', () => state.connections++);
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    port,
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    connections: 0,
    requests: [],
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return state;
}

const hello = (_req: IncomingMessage, res: ServerResponse) => res.end('hello');

let dir: string;
let dest: string;
let local: TestServer;
let localV6: TestServer | undefined;
const policy = (allowHosts: string[] = []): DownloadPolicy => ({ maxBytes: 1 << 20, allowHosts, idleTimeoutMs: 2_000 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guarded-'));
  local = await serve(hello);
  localV6 = await serve(hello, '::1').catch(() => undefined);
});
afterAll(async () => {
  await local.close();
  await localV6?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  local.connections = 0;
  local.requests.length = 0;
  if (localV6) localV6.connections = 0;
});

let seq = 0;
function nextDest(): string {
  dest = path.join(dir, `file-${++seq}`);
  return dest;
}

async function refusal(url: string, allowHosts: string[] = []): Promise<DownloadRefused> {
  const err = await downloadToFile({ url, dest: nextDest(), policy: policy(allowHosts) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DownloadRefused);
  expect(existsSync(dest)).toBe(false);
  return err as DownloadRefused;
}

describe('internal addresses', () => {
  it('refuses loopback and unspecified addresses before connecting', async () => {
    const port = local.port;
    for (const url of [
      `http://127.0.0.1:${port}/f`,
      `http://localhost:${port}/f`,
      `http://2130706433:${port}/f`,
      `http://0x7f.1:${port}/f`,
      `http://0.0.0.0:${port}/f`,
      `http://[::ffff:127.0.0.1]:${port}/f`,
    ]) {
      const err = await refusal(url);
      expect(err.code, url).toBe('blocked_address');
      expect(err.message).toMatch(/(loopback|unspecified) address, which download links may not reach/);
      expect(err.message).toContain('catalog.download.allowHosts');
    }
    expect(local.connections).toBe(0);
  });

  it('refuses [::1] before connecting', async () => {
    const port = localV6?.port ?? 9;
    const err = await refusal(`http://[::1]:${port}/f`);
    expect(err.message).toMatch(/::1 is a loopback address/);
    expect(localV6?.connections ?? 0).toBe(0);
  });

  it('refuses link-local (cloud metadata) and private addresses without trying them', async () => {
    const metadata = await refusal('http://169.254.169.254/latest/meta-data/');
    expect(metadata.message).toBe(
      'refused http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local (cloud metadata) address, ' +
        'which download links may not reach. Use a public address, or ask the operator to add the host to ' +
        'catalog.download.allowHosts.',
    );
    expect((await refusal('http://10.0.0.1/data.zip')).message).toMatch(/10\.0\.0\.1 is a private address/);
  });

  it('refuses a redirect from an allowed host to an internal one, naming it', async () => {
    const redirector = await serve((req, res) => {
      const to =
        req.url === '/v6' ? `http://[::1]:${localV6?.port ?? 9}/x` : 'http://169.254.169.254/latest/meta-data/iam';
      res.writeHead(302, { location: to }).end();
    });
    try {
      const toMetadata = await refusal(`${redirector.origin}/meta`, ['127.0.0.1']);
      expect(toMetadata.code).toBe('blocked_address');
      expect(toMetadata.message).toMatch(
        /^refused http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam: 169\.254\.169\.254 is/,
      );
      const toV6 = await refusal(`${redirector.origin}/v6`, ['127.0.0.1']);
      expect(toV6.message).toMatch(/::1 is a loopback address/);
      expect(localV6?.connections ?? 0).toBe(0);
      expect(redirector.requests.map((r) => r.url)).toEqual(['/meta', '/v6']);
    } finally {
      await redirector.close();
    }
  });
});

describe('allowHosts', () => {
  it('lets a CIDR range reach the addresses in it', async () => {
    const got = await downloadToFile({
      url: `${local.origin}/f.txt`,
      dest: nextDest(),
      policy: policy(['127.0.0.0/8']),
    });
    expect(got).toMatchObject({ bytes: 5, fileName: 'f.txt' });
    expect(await readFile(dest, 'utf8')).toBe('hello');
  });

  it('lets a host name through by name only', async () => {
    const url = `http://LOCALHOST:${local.port}/named`;
    await downloadToFile({ url, dest: nextDest(), policy: policy(['localhost']) });
    expect(await readFile(dest, 'utf8')).toBe('hello');
    const byAddress = await refusal(`${local.origin}/named`, ['localhost']);
    expect(byAddress.code).toBe('blocked_address');
    expect(local.requests.map((r) => r.url)).toEqual(['/named']);
  });

  it('connects to the address that was checked, not to a second lookup', async () => {
    // rebind.test exists only in this resolver; reaching the server proves the socket used its answer.
    const resolve = async (host: string) => {
      expect(host).toBe('rebind.test');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const url = `http://rebind.test:${local.port}/pinned`;
    await expect(downloadToFile({ url, dest: nextDest(), policy: policy(), resolve })).rejects.toThrow(
      /rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
    );
    expect(local.connections).toBe(0);
    await downloadToFile({ url, dest: nextDest(), policy: policy(['rebind.test']), resolve });
    expect(local.requests).toEqual([{ url: '/pinned', host: `rebind.test:${local.port}` }]);
  });
});

describe('links and redirects', () => {
  it('refuses other schemes, credentials and non-links with what to fix', async () => {
    expect((await refusal('ftp://example.com/a.zip')).message).toBe(
      'only http:// and https:// links can be downloaded, not ftp: (ftp://example.com/a.zip)',
    );
    expect((await refusal('file:///etc/passwd')).code).toBe('bad_url');
    const creds = await refusal(`http://alice:s3cret@127.0.0.1:${local.port}/f`, ['127.0.0.1']);
    expect(creds.code).toBe('bad_url');
    expect(creds.message).not.toContain('s3cret');
    expect(creds.message).toMatch(/remove the "user:password@" part/);
    expect((await refusal('not a link')).message).toMatch(/"not a link" is not a valid link/);
    expect(local.connections).toBe(0);
  });

  it('follows up to 5 redirects, taking the name from the final URL', async () => {
    const hops = await serve((req, res) => {
      const n = Number(/^\/r(\d+)$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (n < 5) res.writeHead(n % 2 ? 301 : 307, { location: `/r${n + 1}` }).end();
      else if (n === 5) res.writeHead(302, { location: '/files/final.bin' }).end();
      else res.end('landed');
    });
    try {
      const got = await downloadToFile({ url: `${hops.origin}/r1`, dest: nextDest(), policy: policy(['127.0.0.1']) });
      expect(got).toEqual({ bytes: 6, fileName: 'final.bin', finalUrl: `${hops.origin}/files/final.bin` });
      expect(hops.requests).toHaveLength(6);
    } finally {
      await hops.close();
    }
  });

  it('refuses a sixth redirect', async () => {
    const loop = await serve((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    try {
      const err = await refusal(`${loop.origin}/a`, ['127.0.0.1']);
      expect(err.code).toBe('too_many_redirects');
      expect(err.message).toBe(`${loop.origin}/a redirected more than 5 times; link to the file itself`);
      expect(loop.requests).toHaveLength(6);
    } finally {
      await loop.close();
    }
  });
});
