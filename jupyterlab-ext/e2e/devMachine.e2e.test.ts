import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachine } from '@aiplat/api';
import { startRealBackend, type RealBackend } from '../../testing/src/realBackend.js';
import { freshBrowser } from '../../testing/src/browser.js';
import { runningDevMachine } from '../../testing/src/devMachines.js';
import { openPanel, runInNewNotebook, screenshot, waitForLab } from './harness.js';

/*
 * The front door as a person uses it: a dev machine's JupyterLab, opened in a real browser from a
 * one-time login link, served through the platform's proxy with the AI Platform panel already
 * connected (no URL or token typed) and notebooks running on kernels over the proxied WebSocket.
 */

let fx: RealBackend;
let machine: DevMachine;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  fx = await startRealBackend({ extraConfig: 'devMachines: { readyTimeoutMs: 90000, stopGraceMs: 2000 }\n' });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
  machine = await runningDevMachine(fx.client(), {
    name: 'browser',
    ides: ['jupyterlab'],
    resources: { cpu: 1, memory: '2Gi' },
  });
  ({ context, page } = await freshBrowser());
}, 120_000);
afterAll(async () => {
  await context?.close();
  await fx?.close();
}, 90_000);

describe('a dev machine’s JupyterLab in the browser', () => {
  it('opens from a login link with the AI Platform panel connected as its owner, and runs a notebook', async () => {
    const link = await fx.client().createLoginLink({ body: { next: `${machine.urls.jupyterlab!}lab` } });
    await page.goto(fx.url + link.path);
    await waitForLab(page);
    expect(new URL(page.url()).pathname).toBe(`${machine.urls.jupyterlab!}lab`);

    const panel = await openPanel(page);
    const connection = panel.locator('[data-testid="aiplat-connection"][data-status="connected"]');
    await connection.waitFor({ timeout: 30_000 });
    expect(await connection.innerText()).toContain('alice');
    await screenshot(page, 'devmachine-jupyterlab-connected');

    expect(await runInNewNotebook(page, 'print(6 * 7)')).toBe('42');
    await screenshot(page, 'devmachine-jupyterlab-notebook');
  }, 180_000);

  it('runs a shell in a terminal (its WebSocket through the proxy), in the dev machine’s folder', async () => {
    const marker = path.join(fx.workRoot, 'home', 'alice', 'lab-terminal.txt');
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^File$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^New$/ }).first().hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Terminal$/ }).click();
    const terminal = page.locator('.jp-Terminal').last();
    await terminal.waitFor({ timeout: 30_000 });
    await terminal.click();
    // Typed until the shell has written the file: the first keys may arrive before its prompt.
    await expect
      .poll(
        async () => {
          await page.keyboard.type('echo $((6*7)) > lab-terminal.txt\n');
          return readFile(marker, 'utf8').catch(() => '');
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe('42\n');
    await screenshot(page, 'devmachine-jupyterlab-terminal');
  }, 120_000);
});
