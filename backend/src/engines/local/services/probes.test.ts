import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeSchema, type ServiceProbeInput } from '@aiplat/api';
import { runProbe } from './probes.js';
import { pipIndexArgs } from './requirements.js';

/* Probes against a real loopback server: status codes, refused connections, commands and timeouts. */

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const status = Number(req.url?.slice(1)) || 200;
    if (req.url === '/hang') return; // never answers
    res.writeHead(status, status === 302 ? { location: '/' } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const context = { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
const probe = (input: ServiceProbeInput) => runProbe(ProbeSchema.parse(input), port, context);

describe('runProbe', () => {
  it.each<[string, ServiceProbeInput, true | RegExp]>([
    ['http 200', { type: 'http', path: '/200' }, true],
    ['http 302 (3xx is healthy)', { type: 'http', path: '/302' }, true],
    ['http 404', { type: 'http', path: '/404' }, /^GET \/404 answered 404$/],
    ['http 503', { type: 'http', path: '/503' }, /^GET \/503 answered 503$/],
    ['http that never answers', { type: 'http', path: '/hang', timeoutSeconds: 1 }, /did not answer within 1000 ms/],
    ['tcp to the port', { type: 'tcp' }, true],
    ['tcp to a closed port', { type: 'tcp', port: 1 }, /^port 1: ECONNREFUSED$/],
    ['exec exiting 0', { type: 'exec', command: 'test -n "$PATH"' }, true],
    ['exec exiting 2', { type: 'exec', command: 'exit 2' }, /exited with code 2$/],
    ['exec past its timeout', { type: 'exec', command: 'sleep 5', timeoutSeconds: 1 }, /did not finish within 1000 ms/],
  ])('%s', async (_name, input, expected) => {
    const result = await probe(input);
    if (expected === true) expect(result).toBe(true);
    else expect(result).toMatch(expected);
  });
});

describe('pipIndexArgs', () => {
  it.each<[string, Parameters<typeof pipIndexArgs>[0], string[]]>([
    [
      'nothing configured: pip’s own defaults',
      { extraIndexUrls: [], findLinks: [], trustedHosts: [], noIndex: false },
      [],
    ],
    [
      'every setting, as given',
      {
        indexUrl: 'https://mirror.example/simple',
        extraIndexUrls: ['https://extra.example/simple'],
        findLinks: ['/wheels', '/more'],
        trustedHosts: ['mirror.example'],
        noIndex: true,
      },
      [
        '--no-index',
        '--index-url',
        'https://mirror.example/simple',
        '--extra-index-url',
        'https://extra.example/simple',
        '--find-links',
        '/wheels',
        '--find-links',
        '/more',
        '--trusted-host',
        'mirror.example',
      ],
    ],
  ])('%s', (_name, pip, args) => {
    expect(pipIndexArgs(pip)).toEqual(args);
  });
});
