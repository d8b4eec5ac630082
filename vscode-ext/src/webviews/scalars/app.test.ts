import { fileURLToPath } from 'node:url';
import { DEFAULT_BOARD_OPTIONS, runKey, type SourceState } from '@aiplat/api';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { useWebviewPage } from '../../test/webviewPage.js';
import type { HostMessage, WebviewMessage } from './protocol.js';
import { renderScalarsHtml } from './scalarsHtml.js';
import { scalarsStrings } from './scalarsStrings.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

/* The TensorBoard page in a real browser (../../test/webviewPage.ts: its HTML and CSP, the app bundled). */

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));
const browser = useWebviewPage<HostMessage, WebviewMessage>(APP, (page) =>
  renderScalarsHtml({ title: 'TensorBoard: mnist', ...page }),
);
const { post, sent, saved } = browser;

const points = (values: number[]) =>
  values.map((value, i) => ({ step: i + 1, wallTime: 1_700_000_000 + 30 * i, value }));
const SOURCES: SourceState[] = [
  {
    source: { path: 'home/summaries/j-1', label: 'mnist', jobId: 'j-1' },
    series: [
      { run: '.', tag: 'loss', points: points([4, 2, 1, 0.5]) },
      { run: '.', tag: 'accuracy', points: points([0.1, 0.5, 0.8, 0.9]) },
    ],
    warnings: [],
    loading: false,
  },
  {
    source: { path: 'home/runs', label: 'runs' },
    series: [{ run: 'lr-0.1', tag: 'loss', points: points([3, -1, 2]) }],
    warnings: [{ run: 'lr-0.1', file: 'events.out.tfevents.1', offset: 7, message: 'bad data checksum' }],
    loading: false,
  },
];

const attribute = (page: Page, selector: string, name: string) =>
  page.locator(selector).evaluateAll((all, n) => all.map((e) => e.getAttribute(n)), name);

describe('the TensorBoard page in Chromium', () => {
  it('draws a chart per tag and redraws by its controls; the CSP blocks nothing of ours', async () => {
    const { page, violations } = await browser.open();
    page.setDefaultTimeout(5_000);
    await expect.poll(() => sent(page)).toEqual([{ type: 'ready' }]);
    await post(page, { type: 'init', strings: scalarsStrings(), options: DEFAULT_BOARD_OPTIONS });
    await post(page, { type: 'sources', sources: SOURCES });

    const charts = page.locator('.chart');
    await expect.poll(() => page.locator('.chart-title').allTextContents()).toEqual(['accuracy', 'loss']);
    const loss = page.locator('.chart[data-tag=loss]');
    expect(await loss.locator('.legend-entry').allTextContents()).toEqual(['mnist · 0.5', 'runs/lr-0.1 · 2']);
    expect(await page.locator('#runs .run').allTextContents()).toEqual(['mnist', 'runs/lr-0.1']);
    expect(await page.locator('#warnings .warning').allTextContents()).toEqual([
      'runs/lr-0.1: events.out.tfevents.1 @ 7: bad data checksum',
    ]);
    expect(await page.locator('#smoothingValue').textContent()).toBe('0.60');
    // Sources and options are kept for a window reload.
    expect((await saved(page)).at(-1)).toEqual({
      sources: SOURCES.map((s) => s.source),
      options: DEFAULT_BOARD_OPTIONS,
    });

    // Smoothing moves the solid line only.
    const raw = await attribute(page, '.chart[data-tag=loss] polyline.raw', 'points');
    const smoothed = await attribute(page, '.chart[data-tag=loss] polyline.smoothed', 'points');
    await page.locator('#smoothing').fill('0');
    expect(await attribute(page, '.chart[data-tag=loss] polyline.raw', 'points')).toEqual(raw);
    expect(await attribute(page, '.chart[data-tag=loss] polyline.smoothed', 'points')).not.toEqual(smoothed);
    expect(await page.locator('#smoothingValue').textContent()).toBe('0.00');

    // The x axis and the log scale change the ticks.
    await page.locator('#xAxis').selectOption('relative');
    expect(await loss.locator('.x-tick text').first().textContent()).toBe('0s');
    await page.locator('#logScale').check();
    expect(await loss.locator('.y-tick text').allTextContents()).toEqual(['0.1', '1', '10']);
    // The value below zero is a gap: the compared run's raw line is in two pieces.
    expect(await loss.locator('polyline.raw').count()).toBe(3);

    // The tag filter, then a run hidden by its checkbox.
    await page.locator('#tagFilter').fill('^loss$');
    expect(await page.locator('.chart-title').allTextContents()).toEqual(['loss']);
    await page.locator('#runs label.run', { hasText: 'runs/lr-0.1' }).locator('input').uncheck();
    expect(await loss.locator('.legend-entry').allTextContents()).toEqual(['mnist · 0.5']);
    expect((await saved(page)).at(-1)).toMatchObject({
      options: {
        tagFilter: '^loss$',
        smoothing: 0,
        xAxis: 'relative',
        logScale: true,
        hidden: [runKey('home/runs', 'lr-0.1')],
      },
    });

    // The buttons ask the extension.
    await page.locator('button#compare').click();
    await page.locator('.source[data-path="home/runs"] button').click();
    await page.locator('button#openTensorBoard').click();
    expect((await sent(page)).slice(1)).toEqual([
      { type: 'compare' },
      { type: 'remove', path: 'home/runs' },
      { type: 'openTensorBoard' },
    ]);
    // The panel's own source cannot be removed.
    expect(await page.locator('.source[data-path="home/summaries/j-1"] button').count()).toBe(0);
    await post(page, {
      type: 'tensorboard',
      tensorboard: { status: 'unavailable', message: 'pip install tensorboard' },
    });
    await expect.poll(() => page.locator('#tensorboard.error').textContent()).toBe('pip install tensorboard');
    expect(await charts.count()).toBe(1);

    expect(violations).toEqual([]);
    await page.close();
  });
});
