import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY, findInPalette, keepEvidence, openFromTree, startVsCode, treeItem, type VsCode } from './harness.js';

/*
 * The extension in a real code-server against a real backend: its commands in the palette under
 * one category, Browse /work into the Workspace view, a CSV opened in the preview webview and a
 * script opened read-only in an editor.
 */

const CSV = 'epoch,loss\n1,0.91\n2,0.45\n3,0.23\n';
const TRAIN_PY = "import os\nprint('rank', os.environ['RANK'])\n";

describe('the VS Code extension: palette, Workspace view and previews', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({ files: { 'home/e2e/metrics.csv': CSV, 'home/e2e/train.py': TRAIN_PY } });
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('is installed from the packaged .vsix with its translations and nothing else', async () => {
    const files = (await readdir(vsc.installedExtensionDir, { recursive: true })).map((f) => f.replace(/\\/g, '/'));
    for (const file of [
      'package.json',
      'package.nls.json',
      'package.nls.zh-cn.json',
      'l10n/bundle.l10n.zh-cn.json',
      'dist/extension.js',
      'schemas/job.schema.json',
    ])
      expect(files).toContain(file);
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
  });

  it('offers its commands in the palette under "AI Platform"', async () => {
    const { page } = vsc;
    const titles = [
      'Browse /work',
      'Set Token…',
      'Set Backend URL…',
      'Connect…',
      'Start Training…',
      'Submit job.yaml',
      'Show Job Logs',
      'Show Job Details',
      'Stop Job',
      'Refresh Jobs',
    ];
    for (const title of titles) {
      const row = await findInPalette(page, `${CATEGORY}: ${title}`);
      expect(row, `"${CATEGORY}: ${title}" in the palette`).toBeDefined();
    }
    await vsc.screenshot('workspace-palette');
    // Commands that need an argument from a view stay out of the palette.
    expect(await findInPalette(page, `${CATEGORY}: Open Preview`, 2_000)).toBeUndefined();
    await page.keyboard.press('Escape');
  });

  it('browses /work in the Workspace view and previews a CSV in a webview', async () => {
    await vsc.runCommand(`${CATEGORY}: Browse /work`);
    const view = await vsc.openView('Workspace');
    const home = treeItem(view, '/work/home');
    await home.waitFor({ timeout: 30_000 });
    if ((await home.getAttribute('aria-expanded')) !== 'true') await home.click();
    const csv = treeItem(view, 'metrics.csv');
    await csv.waitFor({ timeout: 30_000 });
    await expect.poll(() => treeItem(view, 'train.py').count()).toBe(1);
    await openFromTree(view, 'metrics.csv');
    const preview = await vsc.webview('metrics.csv');
    const table = preview.locator('table');
    await table.waitFor({ timeout: 30_000 });
    await expect.poll(() => table.innerText()).toMatch(/loss[\s\S]*0\.45/);
    await vsc.screenshot('workspace-csv-preview');
  });

  it('opens a script read-only in an editor from the Workspace view', async () => {
    const view = await vsc.openView('Workspace');
    await openFromTree(view, 'train.py');
    const editor = vsc.page.locator('.editor-instance .view-lines');
    await expect
      .poll(async () => (await editor.first().innerText()).replace(/\u00a0/g, ' '), { timeout: 30_000 })
      .toContain("print('rank', os.environ['RANK'])");
    await expect.poll(() => vsc.page.locator('.tabs-container .tab.active').innerText()).toContain('train.py');
    await vsc.screenshot('workspace-script');
  });

  it('follows /work live: a file a job writes appears in the open folder, an open script shows its new text', async () => {
    const view = await vsc.openView('Workspace');
    await treeItem(view, 'train.py').waitFor({ timeout: 30_000 });
    // Written outside VS Code, as a job writes its output: no click, no Refresh.
    await writeFile(path.join(vsc.root, 'home/e2e/checkpoint-1.pt'), 'weights');
    await expect.poll(() => treeItem(view, 'checkpoint-1.pt').count(), { timeout: 15_000 }).toBe(1);
    await writeFile(path.join(vsc.root, 'home/e2e/train.py'), "print('rewritten by a job')\n");
    const editor = vsc.page.locator('.editor-instance .view-lines');
    await expect
      .poll(async () => (await editor.first().innerText()).replace(/\u00a0/g, ' '), { timeout: 15_000 })
      .toContain("print('rewritten by a job')");
    await vsc.screenshot('workspace-live');
  });

  it('brings an open preview back after a window reload', async () => {
    const view = await vsc.openView('Workspace');
    await openFromTree(view, 'metrics.csv');
    // Shown, so its page has sent the state VS Code keeps for the reload.
    await (await vsc.webview('metrics.csv')).locator('table').waitFor({ timeout: 30_000 });
    await vsc.reloadWindow();
    const restored = await vsc.webview('metrics.csv');
    await expect.poll(() => restored.locator('table').innerText(), { timeout: 60_000 }).toMatch(/loss[\s\S]*0\.45/);
    await vsc.screenshot('workspace-preview-restored');
  }, 180_000);
});
