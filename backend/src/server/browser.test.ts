import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as aiplat from '@aiplat/api';
import type { WebSocketLike } from '@aiplat/api';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../testing/src/processes.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

const API_DIST = fileURLToPath(new URL('../../../api/dist/index.js', import.meta.url));

let platform: PlatformFixture;
let browser: Browser;
const pages: http.Server[] = [];

/** Serves a blank page and the contract's browser bundle from an origin of its own. */
async function servePage(bundle: string): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url === '/aiplat.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>t</title><script src="/aiplat.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pages.push(server);
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

let allowedPage: string;
let foreignPage: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Chromium is missing: npm test installs it (apt-get install chromium)').toBe(true);
  expect(existsSync(API_DIST), 'build first: npx tsc -b').toBe(true);
  const bundle = await build({
    entryPoints: [API_DIST],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'aiplat',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]!.text;
  allowedPage = await servePage(code);
  foreignPage = await servePage(code);
  platform = await startPlatform({ allowedOrigins: [allowedPage] });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', ...CHROMIUM_ARGS],
  });
});

afterAll(async () => {
  await browser?.close();
  await platform?.close();
  for (const s of pages) await new Promise((r) => s.close(r));
});

describe('the typed client in a real browser (Chromium) from another origin', () => {
  it('connects, lists, uploads with progress over the WebSocket, downloads a range, previews, and cannot escape', async () => {
    const page = await browser.newPage();
    await page.goto(allowedPage);
    const result = await page.evaluate(
      async ({ baseUrl, token }) => {
        const api = (globalThis as unknown as { aiplat: typeof aiplat }).aiplat;
        const client = api.createClient({ baseUrl, token });
        const info = await client.connect();
        const listing = await client.listFiles({ query: { path: 'mount/datasets' } });
        const events = api.createEventSocket({ baseUrl, token });
        await events.ready();
        const states: string[] = [];
        const done = new Promise<void>((resolve) =>
          events.subscribe('uploads', (e) => {
            const data = e.data as { state: string };
            states.push(data.state);
            if (data.state === 'done') resolve();
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
        const text = 'name,score\n' + Array.from({ length: 20000 }, (_, i) => `row${i},${i}`).join('\n');
        const uploaded = await client.uploadFile({
          query: { path: 'home/browser.csv', uploadId: 'browser-1' },
          data: new Blob([text]),
        });
        await done;
        const range = await client.downloadFile(
          { query: { path: 'home/browser.csv' } },
          { headers: { range: 'bytes=0-9' } },
        );
        const preview = await client.previewFile({ query: { path: 'home/browser.csv', limit: 3 } });
        let escape = '';
        try {
          await client.downloadFile({ query: { path: 'home/../../../etc/passwd' } });
          escape = 'read it!';
        } catch (e) {
          escape = (e as { code: string }).code;
        }
        events.close();
        return {
          user: info.user,
          names: listing.entries.map((e) => e.name),
          size: uploaded.size,
          expected: new Blob([text]).size,
          states,
          rangeStatus: range.status,
          rangeText: await range.text(),
          preview,
          escape,
        };
      },
      { baseUrl: platform.baseUrl, token: TOKENS.alice },
    );
    expect(result.user).toBe('alice');
    expect(result.names.length).toBeGreaterThanOrEqual(2);
    expect(result.size).toBe(result.expected);
    expect(result.states.at(-1)).toBe('done');
    expect(result.rangeStatus).toBe(206);
    expect(result.rangeText).toBe('name,score');
    expect(result.preview).toMatchObject({
      kind: 'csv',
      header: ['name', 'score'],
      rows: [
        ['row0', '0'],
        ['row1', '1'],
        ['row2', '2'],
      ],
    });
    expect(result.escape).toBe('bad_request');
    await page.close();
  });

  it('is refused from an origin that is not allowed, over HTTP and the WebSocket', async () => {
    const page = await browser.newPage();
    await page.goto(foreignPage);
    const result = await page.evaluate(
      async ({ baseUrl, token }) => {
        const api = (globalThis as unknown as { aiplat: typeof aiplat }).aiplat;
        let http = 'allowed';
        try {
          await api.createClient({ baseUrl, token }).info();
        } catch (e) {
          http = (e as { code: string }).code;
        }
        const ws = await new Promise<string>((resolve) => {
          const BrowserSocket = (
            globalThis as unknown as { WebSocket: new (url: string, protocols: string[]) => WebSocketLike }
          ).WebSocket;
          const socket = new BrowserSocket(baseUrl.replace('http', 'ws') + '/api/ws', [
            'aiplat.v1',
            api.tokenProtocol(token),
          ]);
          socket.onopen = () => resolve('open');
          socket.onclose = () => resolve('closed');
        });
        return { http, ws };
      },
      { baseUrl: platform.baseUrl, token: TOKENS.alice },
    );
    expect(result.http).toBe('network');
    expect(result.ws).toBe('closed');
    await page.close();
  });
});
