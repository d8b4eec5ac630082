import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LUMINO_STYLE = 'node_modules/@lumino/widgets/style/';

/** Lumino's widget styles and JupyterLab's light theme variables, as repo paths: what a view needs to look as in JupyterLab. */
export function jupyterLabLightStyles(): string[] {
  return [
    ...readdirSync(`${ROOT}${LUMINO_STYLE}`)
      .filter((f) => f.endsWith('.css') && f !== 'index.css')
      .map((f) => `${LUMINO_STYLE}${f}`),
    'node_modules/@jupyterlab/theme-light-extension/style/variables.css',
  ];
}

export interface HarnessPage {
  /** The page, with `query` in its search string. */
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * A view's test harness in headless Chromium: `entry` (a TS module that mounts the view) bundled with
 * esbuild for the browser, served with `styles` (repo paths) from loopback, and a browser to open it.
 */
export async function startHarnessPage(options: {
  entry: string;
  styles: readonly string[];
  query: Record<string, string>;
}): Promise<HarnessPage> {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium is missing (apt-get install chromium)');
  const bundle = await build({
    entryPoints: [options.entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
    loader: { '.svg': 'text', '.css': 'empty' },
    alias: { '@aiplat/api': `${ROOT}api/src/index.ts` },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const js = bundle.outputFiles[0]!.text;
  const css = (await Promise.all(options.styles.map((f) => readFile(`${ROOT}${f}`, 'utf8')))).join('\n');
  const server = http.createServer((req, res) => {
    if (req.url === '/harness.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else if (req.url === '/style.css') res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head>' +
            '<body style="margin:0;height:100vh"><script src="/harness.js"></script></body></html>',
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?${new URLSearchParams(options.query)}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', ...CHROMIUM_ARGS] });
  return {
    url,
    browser,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
