import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, screenshot, startLab, type Lab } from './harness.js';

/*
 * The Images section in a real JupyterLab against a real backend whose configuration names a preset:
 * the preset is listed under Preset with its description, a wrong share token is refused with the
 * API's sentence, and the image fields of the forms offer the catalog's images while any text stays
 * possible; "Save as image" on the running dev machine checks the name as typed and shows why the API
 * refuses to save a dev machine that runs as processes. (A real save needs Podman, a registry and a
 * base image: the backend's own e2e covers it.)
 */

const PRESET = 'registry.example.com/aiplat/devmachine:1';

async function openSection(lab: Lab, label: RegExp, list: string): Promise<Locator> {
  const panel = await lab.openPanel();
  await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
  await panel.locator('.lm-TabBar-tab', { hasText: label }).click();
  const found = panel.locator(`[data-testid="${list}"]`);
  await found.waitFor();
  return found;
}

describe('the Images section in JupyterLab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      files: { 'home/e2e/.keep': '' },
      backendConfig: `images: { presets: [{ ref: '${PRESET}', description: 'Debian with the IDEs' }] }\n`,
    });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('lists the configured preset under Preset and refuses a wrong share token with the API’s reason', async () => {
    const { page } = lab;
    const list = await openSection(lab, /^Images$/, 'aiplat-image-list');
    await list.locator('[data-testid="aiplat-image-group-preset"]').waitFor();
    const row = list.locator('[data-testid^="aiplat-image-row-"]', { hasText: PRESET });
    await row.waitFor();
    expect(await row.getAttribute('data-source')).toBe('preset');
    expect(await row.innerText()).toContain('Debian with the IDEs');
    // A preset is neither shared nor deleted from here.
    expect(await row.getByRole('button', { name: 'Share' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await screenshot(page, 'images-preset');

    await list.locator('[data-testid="aiplat-new-image"]').click();
    const panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-image-redeem-token"]').fill('not-a-token');
    await panel.locator('[data-testid="aiplat-image-redeem"]').click();
    await expect
      .poll(() => panel.locator('[data-testid="aiplat-image-redeem-error"]').innerText())
      .toMatch(/no image is shared with this token/);
    expect(await list.locator('[data-testid^="aiplat-image-row-"]').count()).toBe(1);
  });

  it('offers the catalog’s images in the dev machine form’s image field, keeping free text', async () => {
    const { page } = lab;
    const list = await openSection(lab, /^Dev machines$/, 'aiplat-devmachine-list');
    await list.locator('[data-testid="aiplat-new-devmachine"]').click();
    const form = page.locator('[data-testid="aiplat-devmachine-form"]').last();
    await form.waitFor();
    const field = form.locator('[data-testid="aiplat-field-image"]');
    const listId = await field.getAttribute('list');
    expect(listId).toBeTruthy();
    const options = form.locator(`datalist[id="${listId}"] option`);
    await expect.poll(() => options.evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value))).toEqual([PRESET]);
    await field.fill('my-registry.local/other:2');
    expect(await field.inputValue()).toBe('my-registry.local/other:2');
  });

  it(
    'opens Save as image on the running dev machine, checks the name as typed and shows why the API refuses',
    { timeout: 180_000 },
    async () => {
      const { page } = lab;
      const list = await openSection(lab, /^Dev machines$/, 'aiplat-devmachine-list');
      const row = list.locator('[data-testid^="aiplat-devmachine-row-"]', { hasText: 'workspace' });
      await row.locator('[data-testid^="aiplat-devmachine-save-image-"]').waitFor({ timeout: 150_000 });
      await row.locator('[data-testid^="aiplat-devmachine-save-image-"]').click();
      const view = page.locator('[data-testid="aiplat-image-save"]').last();
      await view.waitFor();
      const repository = view.locator('[data-testid="aiplat-field-repository"]');
      expect(await repository.inputValue()).toBe('workspace');
      expect(await view.locator('[data-testid="aiplat-field-tag"]').inputValue()).toBe('v1');

      await repository.fill('Alice/Env');
      await expect
        .poll(() => view.locator('[data-testid="aiplat-field-error-repository"]').innerText())
        .toMatch(/lowercase/);
      expect(await view.locator('[data-testid="aiplat-image-save-preview"]').isDisabled()).toBe(true);
      await repository.fill('alice/env');
      await view.locator('[data-testid="aiplat-field-error-repository"]').waitFor({ state: 'detached' });

      // The API's 409 (this dev machine runs as processes, not in a container), above the button.
      await view.locator('[data-testid="aiplat-image-save-preview"]').click();
      const error = view.locator('[data-testid="aiplat-image-save-error"]');
      await error.waitFor({ timeout: 30_000 });
      expect((await error.innerText()).length).toBeGreaterThan(10);
      expect(await view.getAttribute('data-step')).toBe('form');
      await screenshot(page, 'image-save-refused');
    },
  );
});
