import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../testing/src/processes.js';

/*
 * A webview page in a real browser (Debian's Chromium): the exact HTML the extension sets, with its
 * CSP, and the page's app bundled like `npm run build` does. `acquireVsCodeApi` is the only
 * stand-in, itself loaded with the page's nonce (so the CSP is what VS Code would enforce): what the
 * page posts lands in `window.sent`, what it saves with setState in `window.states`.
 */

export const NONCE = 'test-nonce-0123456789';

export interface WebviewPageServer {
  /** A new tab on the page; `violations` collects what the CSP refused. */
  open(): Promise<{ page: Page; violations: string[] }>;
  close(): Promise<void>;
}

/** Serves `html` (given the app's URL, the CSP source and the nonce) with the bundled `app`. */
export async function serveWebviewPage(
  app: string,
  html: (page: { scriptUri: string; cspSource: string; nonce: string }) => string,
): Promise<WebviewPageServer> {
  expect(existsSync(CHROMIUM), 'Chromium is missing: npm test installs it (apt-get install chromium)').toBe(true);
  const bundle = await build({
    entryPoints: [app],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  let origin = '';
  const server = http.createServer((request, response) => {
    if (request.url === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
      return;
    }
    const page = html({ scriptUri: `${origin}/app.js`, cspSource: origin, nonce: NONCE });
    const stub = `<script nonce="${NONCE}">window.sent = []; window.states = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m), setState: (s) => window.states.push(s) });</script>`;
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(page.replace('<script nonce=', `${stub}\n<script nonce=`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', ...CHROMIUM_ARGS] });
  return {
    async open() {
      const page = await browser.newPage();
      const violations: string[] = [];
      await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          (window as unknown as { reportViolation(v: string): void }).reportViolation(
            `${e.violatedDirective} ${e.blockedURI}`,
          ),
        );
      });
      await page.goto(origin);
      return { page, violations };
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The extension posts a message to the page. */
export const postToPage = (page: Page, message: unknown) => page.evaluate((m) => window.postMessage(m, '*'), message);
/** What the page posted to the extension so far. */
export const sentByPage = (page: Page) => page.evaluate(() => (window as unknown as { sent: unknown[] }).sent);
/** What the page saved with setState so far. */
export const savedByPage = (page: Page) => page.evaluate(() => (window as unknown as { states: unknown[] }).states);

/** A test file's page: served before its tests and closed after them, with the page's messages typed. */
export interface WebviewPageUnderTest<H, W> {
  open(): Promise<{ page: Page; violations: string[] }>;
  /** The extension posts a message to the page. */
  post(page: Page, message: H): Promise<void>;
  /** What the page posted to the extension so far. */
  sent(page: Page): Promise<W[]>;
  /** What the page saved with setState so far. */
  saved(page: Page): Promise<unknown[]>;
}

export function useWebviewPage<H, W>(
  app: string,
  html: (page: { scriptUri: string; cspSource: string; nonce: string }) => string,
): WebviewPageUnderTest<H, W> {
  let server: WebviewPageServer | undefined;
  beforeAll(async () => {
    server = await serveWebviewPage(app, html);
  });
  afterAll(() => server?.close());
  return {
    open: () => server!.open(),
    post: async (page, message) => {
      await postToPage(page, message);
    },
    sent: (page) => sentByPage(page) as Promise<W[]>,
    saved: (page) => savedByPage(page) as Promise<unknown[]>,
  };
}
