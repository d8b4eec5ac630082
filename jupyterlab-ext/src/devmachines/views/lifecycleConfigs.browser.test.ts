import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { jupyterLabLightStyles, startHarnessPage, type HarnessPage } from '../../../../testing/src/harnessPage.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';

/*
 * The Dev machines section's lifecycle configs in a real browser (Chromium) against the real
 * backend: the harness page mounts `createDevMachinesPanel` over a real connection, and what it
 * opens in the main area beside it.
 */

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../../../');
const STYLES = [
  ...jupyterLabLightStyles(),
  'jupyterlab-ext/style/training.css',
  'jupyterlab-ext/style/devmachines.css',
];

let backend: RealBackend;
let browser: Browser;
let harness: HarnessPage;
let pageUrl: string;

beforeAll(async () => {
  backend = await startRealBackend();
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

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

describe('lifecycle configs in Chromium against the real backend', () => {
  it('creates a config with a script, counting its encoded size, a dev machine that runs it, and starts it in safe mode', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pageUrl);

    await byTestId(page, 'aiplat-open-lifecycleconfigs').click();
    await byTestId(page, 'aiplat-lifecycleconfig-list-empty').waitFor();
    await byTestId(page, 'aiplat-new-lifecycleconfig').click();
    const form = byTestId(page, 'aiplat-lifecycleconfig-form');
    const save = byTestId(page, 'aiplat-lifecycleconfig-save');
    await form.locator('#aiplat-field-name').fill('greet');
    await form.locator('#aiplat-field-onStart').fill('echo hello-from-lifecycle');
    const onStartSize = byTestId(page, 'aiplat-lifecycle-size-onStart');
    await expect.poll(() => onStartSize.textContent()).toBe('on-start: 36 / 16,384 characters encoded');
    expect(await byTestId(page, 'aiplat-lifecycle-size-onCreate').textContent()).toBe(
      'on-create: 0 / 16,384 characters encoded',
    );

    // Above the limit: the counter turns to an error and the save is held back.
    await form.locator('#aiplat-field-onCreate').fill('x'.repeat(12_289));
    const onCreateSize = byTestId(page, 'aiplat-lifecycle-size-onCreate');
    await expect.poll(() => onCreateSize.textContent()).toBe('on-create: 16,388 / 16,384 characters encoded');
    expect(await onCreateSize.getAttribute('class')).toContain('aiplat-mod-over');
    expect(await save.isDisabled()).toBe(true);
    await form.locator('#aiplat-field-onCreate').fill('');
    await expect.poll(() => save.isDisabled()).toBe(false);
    await save.click();
    await expect
      .poll(() => byTestId(page, 'aiplat-lifecycleconfig-sizes-greet').textContent())
      .toBe('on-create: 0 · on-start: 36 characters encoded');
    expect(await byTestId(page, 'aiplat-lifecycleconfig-usedby-greet').textContent()).toBe('Used by no dev machine');
    expect(await form.count()).toBe(0);

    // The server's 409 lands at its field.
    await byTestId(page, 'aiplat-new-lifecycleconfig').click();
    await form.locator('#aiplat-field-name').fill('greet');
    await save.click();
    await expect
      .poll(() => byTestId(page, 'aiplat-field-error-name').textContent())
      .toContain('already used by another of your lifecycle configs');
    await byTestId(page, 'aiplat-lifecycleconfig-cancel').click();

    // A dev machine that names it.
    await byTestId(page, 'aiplat-new-devmachine').click();
    const machineForm = byTestId(page, 'aiplat-devmachine-form');
    const picker = machineForm.locator('#aiplat-field-lifecycleConfig');
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['None', 'greet']);
    await picker.selectOption('greet');
    await machineForm.locator('#aiplat-field-name').fill('box');
    await machineForm.locator('#aiplat-field-memory').fill('1Gi');
    await byTestId(page, 'aiplat-devmachine-create').click();
    const row = page.locator('[data-testid^="aiplat-devmachine-row-"]');
    await expect.poll(() => row.locator('[data-testid^="aiplat-devmachine-config-"]').textContent()).toContain('greet');

    // Its lifecycle log shows the script's output, live.
    await row.locator('[data-testid^="aiplat-devmachine-lifecycle-log-"]').click();
    await expect
      .poll(() => byTestId(page, 'aiplat-devmachine-logs').textContent(), { timeout: 60_000 })
      .toContain('hello-from-lifecycle');

    // The config now says who uses it, and refuses its delete.
    await byTestId(page, 'aiplat-open-lifecycleconfigs').click();
    await expect.poll(() => byTestId(page, 'aiplat-lifecycleconfig-usedby-greet').textContent()).toBe('Used by box');
    await byTestId(page, 'aiplat-lifecycleconfig-delete-greet').click();
    // The dialog comes without JupyterLab's styles here (not "visible"): its button is clicked as is.
    await page.locator('.jp-Dialog-button.jp-mod-warn').dispatchEvent('click');
    await expect
      .poll(() => byTestId(page, 'aiplat-lifecycleconfig-row-greet').locator('.aiplat-error').textContent())
      .toContain('used by box');
    await page.screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/lifecycle-configs.png` }).catch(() => undefined);

    // Stopped, it starts again in safe mode: the scripts are skipped, and its events say so.
    await row.locator('[data-testid^="aiplat-devmachine-stop-"]').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 60_000 }).toBe('Stopped');
    await row.locator('[data-testid^="aiplat-devmachine-start-safe-"]').click();
    await row.locator('[data-testid^="aiplat-devmachine-show-events-"]').click();
    await expect
      .poll(() => row.locator('[data-testid^="aiplat-devmachine-events-"] li[data-type="scripts-skipped"]').count())
      .toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
