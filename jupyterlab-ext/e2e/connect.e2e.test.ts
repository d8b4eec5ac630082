import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from '@aiplat/api';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, PLUGIN_ID, SIDEBAR_ID, startLab, USER, waitForLab, type Lab } from './harness.js';

/*
 * Connecting as a new user does, in a real JupyterLab against a real backend: no token in the
 * settings, so the extension asks at once in a password field; the token is kept for the tab, so a
 * reload stays connected; workRootsInJupyter is not in the settings either, so opening a file from
 * the panel relies on the roots derived from the server's answer. And the sidebar fits its text.
 */

const tokenDialog = (page: Page) => page.locator('.jp-Dialog', { has: page.locator('input[type="password"]') });

/** Types `token` into the open token dialog and confirms it; returns once that dialog is gone. */
async function enterToken(page: Page, token: string): Promise<void> {
  const dialog = tokenDialog(page);
  const node = await dialog.elementHandle();
  await dialog.locator('input[type="password"]').fill(token);
  await dialog.locator('.jp-mod-accept').click();
  // Another dialog may follow at once (a rejected token): wait for this one's node to go.
  await page.waitForFunction((element) => !element?.isConnected, node);
}

/** Texts in `panel` that overflow their box without a tooltip (a `title` on them or an ancestor that holds the text). */
function clippedWithoutTooltip(panel: Locator): Promise<string[]> {
  return panel.evaluate((root) => {
    const found: string[] = [];
    const rootBox = root.getBoundingClientRect();
    for (const element of root.querySelectorAll<HTMLElement>('*')) {
      const ownText = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (!ownText || element.getClientRects().length === 0) continue;
      const box = element.getBoundingClientRect();
      const overflows = element.scrollWidth > element.clientWidth + 1 || box.right > rootBox.right + 1;
      const visible = box.width > 0 && box.left < rootBox.right;
      // The tooltip must tell what is cut: the element's own title, or an ancestor's holding its text.
      const tooltip = element.closest('[title]')?.getAttribute('title') ?? '';
      if (overflows && visible && !tooltip.includes(ownText)) found.push(ownText);
    }
    return found;
  });
}

describe('connecting without a token in the settings', () => {
  let lab: Lab;
  let panel: Locator;
  beforeAll(async () => {
    lab = await startLab({
      tokenInSettings: false,
      workRootsInSettings: false,
      files: { [`home/${USER}/data/derived.py`]: 'print("derived roots")\n' },
    });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('asks at once in a password field, says a wrong token was rejected, connects with the right one', async () => {
    const { page } = lab;
    // Nobody clicked anything: the dialog comes with the page.
    const dialog = tokenDialog(page);
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.innerText()).toContain('needs an access token');
    expect(await dialog.innerText()).not.toContain('rejected');
    await lab.screenshot('connect-token-prompt');

    await enterToken(page, 'not-the-token');
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.innerText()).toContain('rejected the access token');

    await enterToken(page, lab.backendToken);
    panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('aiplat:')))).toEqual([
      `aiplat:token:${lab.backendUrl}`,
    ]);
  }, 90_000);

  it('stays connected after a reload of the tab without asking, and never writes the token to the settings', async () => {
    const { page } = lab;
    await page.reload();
    await waitForLab(page);
    panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    expect(await tokenDialog(page).count()).toBe(0);
    const [pkg, plugin] = PLUGIN_ID.split(':') as [string, string];
    const settingsFile = path.join(
      lab.root,
      '..',
      'jupyter',
      'config',
      'lab',
      'user-settings',
      pkg,
      `${plugin}.jupyterlab-settings`,
    );
    expect(readFileSync(settingsFile, 'utf8')).not.toContain(lab.backendToken);
  }, 90_000);

  it('opens a file of /work/home from the panel where JupyterLab serves it, with no workRootsInJupyter set', async () => {
    const tree = panel.locator('[data-testid="aiplat-workspace"]');
    for (const folder of ['home', 'home/data']) {
      const row = tree.locator(`.aiplat-tree-entry[data-path="${folder}"]`);
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    await tree.locator('.aiplat-tree-entry[data-path="home/data/derived.py"]').dblclick();
    const editor = lab.page.locator('#jp-main-dock-panel .jp-FileEditor:not(.lm-mod-hidden)');
    await editor.waitFor({ timeout: 60_000 });
    await expect.poll(() => editor.innerText()).toContain('derived roots');
    const opened = await lab.page.evaluate(
      () =>
        (window as { jupyterapp?: { shell: { currentWidget: { context?: { path: string } } | null } } }).jupyterapp
          ?.shell.currentWidget?.context?.path,
    );
    expect(opened).toBe(`home/${USER}/data/derived.py`);
  }, 90_000);

  it('fits the text of every section when connected, or gives a tooltip', async () => {
    const width = await panel.evaluate((node) => node.getBoundingClientRect().width);
    expect(width).toBeGreaterThanOrEqual(320);
    // A job whose name cannot fit: the list ellipsizes it.
    const client = createClient({ baseUrl: lab.backendUrl, token: lab.backendToken });
    const job = await client.createJob({
      body: {
        spec: {
          name: 'a-training-job-with-a-name-much-too-long-for-the-sidebar',
          mode: 'ddp',
          nodes: 1,
          resources: { cpu: 0.1, memory: '64Mi' },
          command: 'true',
          workingDir: 'home',
        },
      },
    });
    for (const tab of ['Files', 'Datasets', 'Models', 'Training']) {
      await panel.locator('.lm-TabBar-tab', { hasText: tab }).first().click();
      await lab.page.waitForFunction(() => !document.querySelector('#aiplat-sidebar [aria-busy="true"]'));
      if (tab === 'Training')
        await panel.locator(`[data-testid="aiplat-job-row-${job.id}"]`).waitFor({ timeout: 30_000 });
      expect(await clippedWithoutTooltip(panel), tab).toEqual([]);
      await lab.screenshot(`connect-sidebar-${tab}`);
    }
  }, 60_000);
});

describe('the sidebar', () => {
  let lab: Lab;
  beforeAll(async () => {
    // Disconnected (no backend) first: the longest messages of the sidebar.
    lab = await startLab({ backend: false });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('opens wide enough for its text, and every text that does not fit has a tooltip', async () => {
    const panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="error"]').waitFor({ timeout: 30_000 });
    const width = await lab.page.locator(`#${SIDEBAR_ID}`).evaluate((node) => node.getBoundingClientRect().width);
    expect(width).toBeGreaterThanOrEqual(320);
    expect(await clippedWithoutTooltip(panel)).toEqual([]);
    await lab.screenshot('connect-sidebar-width');
  }, 60_000);
});

describe('the settings', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ backend: false });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('shows the stored token as a masked field named for what it is', async () => {
    await lab.runCommand('settingeditor:open', { query: 'AI Platform' });
    const field = lab.page.locator('.jp-SettingsForm .form-group', {
      hasText: 'Access token stored in settings (optional, clear text)',
    });
    await field.first().waitFor({ timeout: 30_000 });
    expect(await field.last().locator('input').getAttribute('type')).toBe('password');
    expect(await field.last().innerText()).toContain('stored in clear text in your JupyterLab user settings');
    await lab.screenshot('connect-settings-token');
  }, 60_000);
});
