import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { jupyterLabLightStyles, startHarnessPage, type HarnessPage } from '../../../../testing/src/harnessPage.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';

/*
 * The Workspace view in a real browser (Chromium) against the real backend: the harness page
 * mounts `createWorkspaceView` over a real connection, styled with JupyterLab's light theme.
 */

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../../../');
const STYLES = [...jupyterLabLightStyles(), 'jupyterlab-ext/style/workspace.css'];

let backend: RealBackend;
let browser: Browser;
let harness: HarnessPage;
let pageUrl: string;

beforeAll(async () => {
  backend = await startRealBackend();
  await backend.writeFile('home/alice/data/scores.csv', 'name,score\nann,1\nbob,2\n');
  await backend.writeFile('home/alice/data/chat.jsonl', '{"instruction":"hi","input":"","output":"hello"}\n');
  await backend.writeFile('home/alice/nb.ipynb', JSON.stringify({ cells: [], nbformat: 4, nbformat_minor: 5 }));
  for (let i = 0; i < 230; i++) await backend.writeFile(`home/alice/many/f${String(i).padStart(3, '0')}.txt`, 'x');
  harness = await startHarnessPage({
    entry: here('./test/harness.ts'),
    styles: STYLES,
    query: { server: backend.url, token: backend.token },
  });
  browser = harness.browser;
  pageUrl = harness.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await backend?.close();
});

async function open(extra = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pageUrl + extra);
  return { page, errors };
}

const entry = (page: Page, path: string) => page.locator(`[data-testid="aiplat-workspace-tree"] [data-path="${path}"]`);

describe('the Workspace view in Chromium against the real backend', () => {
  it('browses /work, pages a large folder, previews CSV and JSONL as tables, opens a notebook', async () => {
    const { page, errors } = await open();
    await entry(page, 'home').click();
    await entry(page, 'home/data').click();
    await entry(page, 'home/data/scores.csv').click();
    const table = page.locator('[data-testid="aiplat-preview"] [data-testid="aiplat-preview-table"]');
    await expect.poll(() => table.locator('td').allTextContents()).toEqual(['ann', '1', 'bob', '2']);
    expect(await table.locator('th').allTextContents()).toEqual(['name', 'score']);

    await entry(page, 'home/data/chat.jsonl').click();
    await expect.poll(() => table.locator('th').allTextContents()).toEqual(['instruction', 'input', 'output']);

    await entry(page, 'home/many').click();
    const more = page.locator('[data-testid="aiplat-tree-more"]');
    await expect.poll(() => more.textContent()).toBe('Show more (200 of 230 shown)');
    await more.click();
    await expect.poll(() => entry(page, 'home/many/f229.txt').count()).toBe(1);
    expect(await more.count()).toBe(0);

    await entry(page, 'home/nb.ipynb').dblclick();
    await page.locator('[data-testid="aiplat-action-copy-path"]').waitFor();
    // The toolbar's icons are one size, whatever the size their SVG files declare (launch's is 32px).
    const iconSize = (testId: string) =>
      page.locator(`[data-testid="${testId}"] svg`).evaluate((svg) => {
        const box = svg.getBoundingClientRect();
        return [box.width, box.height];
      });
    expect(await iconSize('aiplat-action-copy-path')).toEqual([16, 16]);
    expect(await iconSize('aiplat-action-insert-path')).toEqual([16, 16]);
    expect(await iconSize('aiplat-action-open')).toEqual([16, 16]);
    await page.locator('[data-testid="aiplat-action-insert-path"]').click();
    await page.locator('[data-testid="aiplat-action-open"]').click();
    const recorded = await page.evaluate(() => (window as unknown as { aiplatTest: unknown }).aiplatTest);
    expect(recorded).toMatchObject({ opened: ['home/nb.ipynb', 'home/nb.ipynb'], inserted: ['/work/home/nb.ipynb'] });
    await page.screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/workspace-files.png` }).catch(() => undefined);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists datasets and models and previews the model summary', async () => {
    const { page, errors } = await open();
    await page.locator('[data-testid="aiplat-tab-datasets"]').click();
    const datasets = page.locator('[data-testid="aiplat-catalog-datasets"] [data-testid="aiplat-catalog-item"]');
    await expect.poll(() => datasets.count()).toBe(2);
    await datasets.filter({ hasText: 'iris' }).click();
    await expect.poll(() => page.locator('[data-testid="aiplat-preview-table"] tr').count()).toBeGreaterThan(10);

    await page.locator('[data-testid="aiplat-tab-models"]').click();
    const models = page.locator('[data-testid="aiplat-catalog-models"] [data-testid="aiplat-catalog-item"]');
    await expect.poll(() => models.textContent()).toContain('59.5K parameters');
    await models.click();
    await expect
      .poll(() => page.locator('[data-testid="aiplat-preview-parameters"]').textContent())
      .toBe('59.5K (59,520)');
    await page.screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/workspace-models.png` }).catch(() => undefined);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uploads a file with a progress bar into the selected folder, and shows refusals as messages', async () => {
    const { page, errors } = await open();
    await entry(page, 'home').click();
    await entry(page, 'home/data').click();
    await page.locator('[data-testid="aiplat-files-upload-input"]').setInputFiles({
      name: 'up.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('uploaded'),
    });
    await expect.poll(() => entry(page, 'home/data/up.txt').count()).toBe(1);
    expect(await page.locator('[data-testid="aiplat-upload"] progress').getAttribute('value')).toBe('1');
    expect(await readFile(`${backend.workRoot}/home/alice/data/up.txt`, 'utf8')).toBe('uploaded');

    await page.locator('[data-testid="aiplat-files-upload-input"]').setInputFiles({
      name: 'up.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('again'),
    });
    const refusal = page.locator('[data-testid="aiplat-upload"] .aiplat-error');
    await expect
      .poll(() => refusal.textContent())
      .toBe('home/data/up.txt already exists; pass overwrite=true to replace it');
    await page.locator('[data-testid="aiplat-upload-replace"]').click();
    await expect.poll(() => readFile(`${backend.workRoot}/home/alice/data/up.txt`, 'utf8')).toBe('again');
    await expect.poll(() => refusal.count()).toBe(0);
    expect(errors.filter((e) => !/409|Conflict/.test(e))).toEqual([]);
    await page.close();
  });

  it('inserts nothing without a notebook cell; previews text with the backend’s errors as messages', async () => {
    const { page } = await open('&noCell=1');
    await entry(page, 'home').click();
    await entry(page, 'home/README.md').click();
    await page.locator('[data-testid="aiplat-preview-text"]').waitFor();
    await page.locator('[data-testid="aiplat-action-insert-path"]').click();
    const recorded = await page.evaluate(
      () => (window as unknown as { aiplatTest: { inserted: string[] } }).aiplatTest,
    );
    expect(recorded.inserted).toEqual([]);
    expect(await page.locator('[data-testid="aiplat-preview-text"]').textContent()).toContain('alice');

    await writeFile(`${backend.workRoot}/home/alice/gone.txt`, 'x');
    await page.locator('[data-testid="aiplat-files-refresh"]').click();
    await entry(page, 'home/gone.txt').click();
    await expect.poll(() => page.locator('[data-testid="aiplat-preview-text"]').textContent()).toBe('x');
    // Deleted while shown: the open folder's live watch takes the entry away and re-previews it, so
    // the test never clicks an entry that may already have left the tree.
    await rm(`${backend.workRoot}/home/alice/gone.txt`);
    await expect
      .poll(() => page.locator('[data-testid="aiplat-preview-error"]').textContent())
      .toBe('home/gone.txt does not exist');
    await page.close();
  });

  it('follows open folders live: a file a job writes appears, a rewritten file re-previews, a deleted one says so', async () => {
    const { page, errors } = await open();
    await backend.writeFile('home/alice/live/log.txt', 'first');
    await entry(page, 'home').click();
    await entry(page, 'home/live').click();
    await entry(page, 'home/live/log.txt').click();
    const text = page.locator('[data-testid="aiplat-preview-text"]');
    await expect.poll(() => text.textContent()).toContain('first');

    // Written outside the browser, as a job writes its output: no click, no refresh.
    await writeFile(`${backend.workRoot}/home/alice/live/checkpoint-1.pt`, 'x');
    await expect.poll(() => entry(page, 'home/live/checkpoint-1.pt').count(), { timeout: 5000 }).toBe(1);
    await writeFile(`${backend.workRoot}/home/alice/live/log.txt`, 'second');
    await expect.poll(() => text.textContent(), { timeout: 5000 }).toContain('second');
    await rm(`${backend.workRoot}/home/alice/live/log.txt`);
    await expect
      .poll(() => page.locator('[data-testid="aiplat-preview-error"]').textContent(), { timeout: 5000 })
      .toBe('home/live/log.txt does not exist');
    await expect.poll(() => entry(page, 'home/live/log.txt').count()).toBe(0);

    // A collapsed folder is no longer followed.
    await entry(page, 'home/live').click();
    await writeFile(`${backend.workRoot}/home/alice/live/later.txt`, 'x');
    await new Promise((r) => setTimeout(r, 600));
    await entry(page, 'home/live').click();
    await expect.poll(() => entry(page, 'home/live/later.txt').count()).toBe(1);
    // The one 404 is the deleted file's preview, shown as its message above.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await page.close();
  });

  it('refreshes a folder preview after an upload into it, and offers no upload into a read-only folder', async () => {
    const { page, errors } = await open();
    await backend.writeFile('home/alice/target/a.txt', 'a');
    await entry(page, 'home').click();
    await entry(page, 'home/target').click();
    const preview = page.locator('[data-testid="aiplat-preview"]');
    await expect.poll(() => preview.textContent()).toContain('A folder with 1 entries.');
    await page.locator('[data-testid="aiplat-files-upload-input"]').setInputFiles({
      name: 'b.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('b'),
    });
    await expect.poll(() => preview.textContent()).toContain('A folder with 2 entries.');

    const upload = page.locator('[data-testid="aiplat-files-upload"]');
    expect(await upload.isDisabled()).toBe(false);
    await entry(page, 'mount').click();
    await expect.poll(() => upload.isDisabled()).toBe(true);
    expect(await upload.getAttribute('title')).toBe('/work/mount is read-only: upload into home or cache instead.');
    await entry(page, 'cache').click();
    await expect.poll(() => upload.isDisabled()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
