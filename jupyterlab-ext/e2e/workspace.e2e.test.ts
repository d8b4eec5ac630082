import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, savedWorkspace, startLab, waitForLab, type Lab } from './harness.js';

/*
 * The Workspace section in a real JupyterLab against a real backend: browse /work, preview a CSV
 * and a JSONL file as tables, open a notebook from the panel in JupyterLab's main area.
 */

const CSV = 'epoch,loss,accuracy\n1,0.9,0.61\n2,0.5,0.78\n3,0.3,0.88\n';
const JSONL = '{"text": "你好", "label": 1}\n{"text": "world", "label": 0}\n';
const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'markdown', metadata: {}, source: ['# from the AI Platform panel'] }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

async function entry(tree: Locator, path: string): Promise<Locator> {
  const row = tree.locator(`.aiplat-tree-entry[data-path="${path}"]`);
  await row.waitFor({ timeout: 30_000 });
  return row;
}

async function expand(tree: Locator, path: string): Promise<void> {
  const row = await entry(tree, path);
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await tree.locator(`.aiplat-tree-entry[data-path="${path}"][aria-expanded="true"]`).waitFor();
}

describe('the Workspace section in JupyterLab', () => {
  let lab: Lab;
  let panel: Locator;
  let tree: Locator;
  beforeAll(async () => {
    lab = await startLab({
      // The harness's user is e2e: /work/home is home/e2e under the root.
      files: {
        'home/e2e/data/metrics.csv': CSV,
        'home/e2e/data/records.jsonl': JSONL,
        'home/e2e/data/analysis.ipynb': NOTEBOOK,
      },
    });
    panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    tree = panel.locator('[data-testid="aiplat-workspace"]');
    await tree.waitFor();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it("shows which container runtime the server's local engine uses", async () => {
    const runtime = panel.locator('[data-testid="aiplat-container-runtime"]');
    expect(await runtime.innerText()).toMatch(
      /^Containers: (Podman \d|Docker \d|none — dev machines run as processes)/,
    );
  });

  it('browses the /work roots into a folder', async () => {
    await expand(tree, 'home');
    await expand(tree, 'home/data');
    const names = await tree.locator('.aiplat-tree-entry[data-path^="home/data/"] .aiplat-tree-name').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['analysis.ipynb', 'metrics.csv', 'records.jsonl']));
    await lab.screenshot('workspace-tree');
  }, 60_000);

  it('previews a CSV file as a table', async () => {
    await (await entry(tree, 'home/data/metrics.csv')).click();
    const table = panel.locator('[data-testid="aiplat-preview-table"]');
    await table.waitFor();
    await expect
      .poll(() => table.locator('th').allInnerTexts())
      .toEqual(expect.arrayContaining(['epoch', 'loss', 'accuracy']));
    expect(await table.innerText()).toContain('0.78');
    await lab.screenshot('workspace-preview-csv');
  }, 60_000);

  it('previews a JSONL file as a table of records', async () => {
    await (await entry(tree, 'home/data/records.jsonl')).click();
    const table = panel.locator('[data-testid="aiplat-preview-table"]');
    await expect.poll(() => table.innerText()).toContain('你好');
    expect(await table.locator('th').allInnerTexts()).toEqual(expect.arrayContaining(['text', 'label']));
    await lab.screenshot('workspace-preview-jsonl');
  }, 60_000);

  it('comes back after a reload open where it was: the sidebar, the open folders, the preview', async () => {
    await (await entry(tree, 'home/data/records.jsonl')).click();
    await expect.poll(() => panel.locator('[data-testid="aiplat-preview-table"]').innerText()).toContain('你好');
    // JupyterLab saves the page's state on its server (debounced): wait for it to hold ours.
    const saved = async () =>
      (JSON.parse((await savedWorkspace(lab)) || '{}') as { data?: Record<string, unknown> }).data;
    await expect
      .poll(async () => (await saved())?.['@aiplat/jupyterlab-ext:workspace'], { timeout: 30_000 })
      .toEqual({ expanded: ['home', 'home/data'], preview: { path: 'home/data/records.jsonl' } });
    // Reloaded as a user does; not with ?reset, which would clear the saved state.
    await lab.page.goto(`${lab.labUrl}/lab?token=${lab.jupyterToken}`);
    await waitForLab(lab.page);
    // Nothing opens the panel this time: it is open because it was.
    const reloaded = lab.page.locator('#aiplat-sidebar:not(.lm-mod-hidden)');
    await reloaded.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    panel = reloaded;
    tree = reloaded.locator('[data-testid="aiplat-workspace"]');
    await tree.locator('.aiplat-tree-entry[data-path="home/data"][aria-expanded="true"]').waitFor({ timeout: 30_000 });
    await entry(tree, 'home/data/metrics.csv');
    await expect.poll(() => panel.locator('[data-testid="aiplat-preview-table"]').innerText()).toContain('你好');
    await lab.screenshot('workspace-restored');
  }, 90_000);

  it('opens a notebook from the panel in the main area', async () => {
    await (await entry(tree, 'home/data/analysis.ipynb')).dblclick();
    const notebook = lab.page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
    await notebook.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => notebook.locator('.jp-MarkdownOutput').first().innerText())
      .toContain('from the AI Platform panel');
    const tab = lab.page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
    expect(await tab.innerText()).toContain('analysis.ipynb');
    await lab.screenshot('workspace-open-notebook');
  }, 90_000);
});

describe('the panel after JupyterLab switches language', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('speaks Chinese once JupyterLab is switched to zh-CN (Settings → Language)', async () => {
    const { page } = lab;
    await lab.openPanel();
    await page.waitForFunction(() =>
      (window as { jupyterapp?: { commands: { hasCommand(id: string): boolean } } }).jupyterapp?.commands.hasCommand(
        'jupyterlab-translation:zh_CN',
      ),
    );
    // The command asks, saves the setting and reloads the page (accept "leave the page?" if asked).
    page.on('dialog', (dialog) => void dialog.accept());
    await page.evaluate(() => {
      void (
        window as { jupyterapp?: { commands: { execute(id: string): Promise<unknown> } } }
      ).jupyterapp?.commands.execute('jupyterlab-translation:zh_CN');
    });
    const accept = page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Change and reload' });
    await accept.waitFor({ timeout: 15_000 });
    await accept.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 60_000 });
    await waitForLab(page);
    const reloaded = await lab.openPanel();
    await reloaded.locator('.lm-TabBar-tab', { hasText: '工作空间' }).waitFor({ timeout: 30_000 });
    await reloaded.locator('.lm-TabBar-tab', { hasText: '训练' }).waitFor();
    await reloaded.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    expect(await reloaded.locator('[data-testid="aiplat-connection"]').innerText()).toContain('已连接到');
    expect(await reloaded.locator('[data-testid="aiplat-container-runtime"]').innerText()).toMatch(/^容器：/);
    await lab.screenshot('workspace-zh-CN');
  }, 120_000);
});
