import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hasCommand,
  keepEvidence,
  openPanel,
  isPluginActivated,
  PLUGIN_ID,
  runInNewNotebook,
  screenshot,
  startLab,
  type Lab,
} from './harness.js';

/** JupyterLab 4.6.4 loads the prebuilt extension, its commands exist and a kernel runs code. */
describe('JupyterLab with the extension', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('lists and activates the prebuilt extension', async () => {
    const federated = await lab.page.evaluate(() => {
      const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as {
        federated_extensions: { name: string }[];
      };
      return config.federated_extensions.map((e) => e.name);
    });
    expect(federated).toContain('@aiplat/jupyterlab-ext');
    await lab.page.waitForFunction(
      (id) => (window as { jupyterapp?: { isPluginActivated(id: string): boolean } }).jupyterapp?.isPluginActivated(id),
      PLUGIN_ID,
    );
    expect(await isPluginActivated(lab.page, PLUGIN_ID)).toBe(true);
    expect(await hasCommand(lab.page, 'aiplat:connect')).toBe(true);
  });

  it('finds the connect command in the command palette', async () => {
    const { page } = lab;
    const input = page.locator('.lm-CommandPalette-input');
    // The modal palette closes when focus moves, which JupyterLab may still do while it settles.
    for (let attempt = 1; ; attempt++) {
      await lab.runCommand('apputils:activate-command-palette');
      try {
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 4) throw error;
      }
    }
    await input.fill('AI Platform');
    await page.locator('.lm-CommandPalette-item[data-command="aiplat:connect"]').waitFor();
    await screenshot(page, 'smoke-command-palette');
    await page.keyboard.press('Escape');
  }, 60_000);

  it('runs 1+1 in a notebook', async () => {
    expect(await runInNewNotebook(lab.page, '1+1')).toBe('2');
    await screenshot(lab.page, 'smoke-notebook');
  }, 120_000);
});

/** zh_CN through JupyterLab's translator: serve.py registers the extension's catalog as a language pack. */
describe('JupyterLab in zh_CN', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ backend: false, locale: 'zh_CN' });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it("translates the extension through JupyterLab's translator", async () => {
    const { page } = lab;
    await page.waitForFunction(
      (id) => (window as { jupyterapp?: { isPluginActivated(id: string): boolean } }).jupyterapp?.isPluginActivated(id),
      PLUGIN_ID,
    );
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const label = await page.evaluate(() =>
      (window as { jupyterapp?: { commands: { label(id: string): string } } }).jupyterapp!.commands.label(
        'aiplat:connect',
      ),
    );
    expect(label).toBe('连接到智算平台…');
    const panel = await openPanel(page);
    await panel.getByText('训练', { exact: true }).first().waitFor();
    await screenshot(page, 'smoke-zh-CN');
  }, 60_000);
});
