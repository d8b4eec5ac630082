import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachine } from '@aiplat/api';
import { startRealBackend, type RealBackend } from '../../testing/src/realBackend.js';
import { freshBrowser } from '../../testing/src/browser.js';
import { runningDevMachine } from '../../testing/src/devMachines.js';
import {
  openView,
  runCommand,
  screenshot,
  statusBarItem,
  treeItem,
  waitForExtension,
  waitForWorkbench,
} from './harness.js';

/*
 * A dev machine's VS Code (code-server) in a real browser: opened from a one-time login link
 * through the platform's proxy (the workbench's remote channel is a proxied WebSocket), with the AI
 * Platform extension preinstalled and connected to the platform as the owner (server URL preset,
 * token handed over in the environment): the Workspace view lists /work with nothing typed.
 */

let fx: RealBackend;
let machine: DevMachine;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  fx = await startRealBackend({ extraConfig: 'devMachines: { readyTimeoutMs: 120000, stopGraceMs: 2000 }\n' });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
  await writeFile(path.join(fx.workRoot, 'home', 'alice', 'notes.md'), '# from the dev machine\n');
  machine = await runningDevMachine(fx.client(), {
    name: 'editor',
    ides: ['code-server'],
    resources: { cpu: 1, memory: '2Gi' },
  });
  ({ context, page } = await freshBrowser());
}, 180_000);
afterAll(async () => {
  await context?.close();
  await fx?.close();
}, 90_000);

describe('a dev machine’s VS Code in the browser', () => {
  it('opens from a login link with the AI Platform extension connected as its owner', async () => {
    const link = await fx.client().createLoginLink({ body: { next: machine.urls['code-server']! } });
    await page.goto(fx.url + link.path);
    await waitForWorkbench(page);
    expect(new URL(page.url()).pathname).toBe(machine.urls['code-server']!);
    await waitForExtension(page);
    await statusBarItem(page, /\d+ running/).waitFor({ timeout: 60_000 });
    const view = await openView(page, 'Workspace');
    const home = treeItem(view, '/work/home');
    await home.waitFor({ timeout: 30_000 });
    if ((await home.getAttribute('aria-expanded')) !== 'true') await home.click();
    await treeItem(view, 'notes.md').waitFor({ timeout: 30_000 });
    await screenshot(page, 'devmachine-vscode-connected');
  }, 180_000);

  it('runs a shell in its terminal (the remote channel through the proxy), in the dev machine’s folder', async () => {
    const marker = path.join(fx.workRoot, 'home', 'alice', 'vscode-terminal.txt');
    await runCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm, .xterm').last();
    await terminal.waitFor({ timeout: 30_000 });
    await terminal.click();
    // Typed until the shell has written the file: the first keys may arrive before its prompt.
    await expect
      .poll(
        async () => {
          await page.keyboard.type('echo $((6*7)) > vscode-terminal.txt\n');
          return readFile(marker, 'utf8').catch(() => '');
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe('42\n');
    await screenshot(page, 'devmachine-vscode-terminal');
  }, 120_000);
});
