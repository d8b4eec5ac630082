import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventFile, type ScalarEvent } from '../../testing/src/tensorboard/tfeventsWriter.js';
import { keepEvidence, startVsCode, treeItem, USER, type VsCode } from './harness.js';

/*
 * TensorBoard in a real code-server against a real backend: "Open in TensorBoard" on a folder of
 * the Workspace view holding event files (as a job writes them), a chart per tag in the webview,
 * a point written afterwards showing up live, "Open TensorBoard" explaining how to install it
 * where the server has none, and the page back after a window reload.
 */

const FILE = 'events.out.tfevents.1700000000.e2e.1.0';
const events = (from: number, to: number, tag: string): ScalarEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ tag, step: from + i, value: 1 / (from + i) }));

describe('the VS Code extension: TensorBoard', () => {
  let vsc: VsCode;
  let file: string;
  beforeAll(async () => {
    vsc = await startVsCode();
    file = path.join(vsc.root, 'home', USER, 'runs', 'train', FILE);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, eventFile([...events(1, 5, 'loss'), ...events(1, 5, 'accuracy')]));
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('opens a folder in TensorBoard: a chart per tag, a new point live, how to install the real one', async () => {
    const { page } = vsc;
    const view = await vsc.openView('Workspace');
    const home = treeItem(view, '/work/home');
    await home.waitFor({ timeout: 30_000 });
    if ((await home.getAttribute('aria-expanded')) !== 'true') await home.click();
    const runs = treeItem(view, 'runs');
    await runs.waitFor({ timeout: 30_000 });
    await runs.click({ button: 'right' });
    // The menu runs the item under the mouse on Enter (a synthetic click right after it opens is ignored).
    const item = page.locator('.context-view .action-label', { hasText: /^Open in TensorBoard$/ });
    await item.hover();
    await page.keyboard.press('Enter');

    const board = await vsc.webview('TensorBoard: runs');
    const charts = board.locator('.chart');
    await expect.poll(() => charts.count(), { timeout: 30_000 }).toBe(2);
    expect(await board.locator('.chart-title').allTextContents()).toEqual(['accuracy', 'loss']);
    const loss = board.locator('.chart[data-tag=loss]');
    expect(await loss.locator('polyline.raw').getAttribute('data-points')).toBe('5');
    expect(await loss.locator('polyline.smoothed').count()).toBe(1);
    expect(await loss.locator('.legend-entry').allTextContents()).toEqual(['runs/train · 0.2']);
    await vsc.screenshot('tensorboard-charts');

    // The job writes on: the point appears without a click.
    await appendFile(file, eventFile(events(6, 6, 'loss')));
    await expect.poll(() => loss.locator('polyline.raw').getAttribute('data-points'), { timeout: 20_000 }).toBe('6');
    expect(await loss.locator('.legend-entry').allTextContents()).toEqual(['runs/train · 0.1667']);
    await vsc.screenshot('tensorboard-live');

    // No TensorBoard on this server: the button says how to install it.
    await board.locator('button#openTensorBoard').click();
    await expect
      .poll(() => board.locator('#tensorboard').innerText(), { timeout: 20_000 })
      .toContain('pip install tensorboard');
    await vsc.screenshot('tensorboard-unavailable');
  }, 120_000);

  it('comes back after a window reload with the options chosen', async () => {
    const board = await vsc.webview('TensorBoard: runs');
    await board.locator('#xAxis').selectOption('relative');
    await board.locator('#tagFilter').fill('loss');
    await expect.poll(() => board.locator('.chart-title').allTextContents()).toEqual(['loss']);
    await vsc.reloadWindow();
    const restored = await vsc.webview('TensorBoard: runs');
    await expect.poll(() => restored.locator('.chart-title').allTextContents(), { timeout: 60_000 }).toEqual(['loss']);
    expect(await restored.locator('#xAxis').inputValue()).toBe('relative');
    expect(await restored.locator('.chart[data-tag=loss] .x-tick text').first().textContent()).toBe('0s');
    await vsc.screenshot('tensorboard-restored');
  }, 180_000);
});
