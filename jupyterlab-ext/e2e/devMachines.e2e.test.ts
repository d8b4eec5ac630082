import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, screenshot, startLab, type Lab } from './harness.js';

/*
 * The Dev machines section in a real JupyterLab against a real backend on the local engine: a bad
 * field is refused at the field as it is typed, a dev machine is created from the form and runs
 * (a real JupyterLab behind the platform's proxy), opens signed in in a new tab, stops and is
 * deleted after the dialog; an SSH key is added and removed in its own tab.
 */

async function openDevMachines(lab: Lab): Promise<Locator> {
  const panel = await lab.openPanel();
  await panel.locator('.lm-TabBar-tab', { hasText: /^Dev machines$/ }).click();
  const list = panel.locator('[data-testid="aiplat-devmachine-list"]');
  await list.waitFor();
  await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
  return list;
}

describe('the Dev machines section in JupyterLab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ files: { 'home/e2e/.keep': '' } });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it(
    'creates one from the form, opens its JupyterLab signed in, stops it and deletes it',
    { timeout: 240_000 },
    async () => {
      const { page } = lab;
      const list = await openDevMachines(lab);
      await list.locator('[data-testid="aiplat-new-devmachine"]').click();
      const form = page.locator('[data-testid="aiplat-devmachine-form"]').last();
      await form.waitFor();

      // Refused at the field as it is typed, and the create button waits for a fix.
      await form.locator('[data-testid="aiplat-field-name"]').fill('bad name!');
      await expect.poll(() => form.locator('[data-testid="aiplat-field-error-name"]').innerText()).toMatch(/name/);
      expect(await form.locator('[data-testid="aiplat-devmachine-create"]').isDisabled()).toBe(true);
      await form.locator('[data-testid="aiplat-field-memory"]').fill('lots');
      await expect.poll(() => form.locator('[data-testid="aiplat-field-error-memory"]').innerText()).toMatch(/memory/);
      await screenshot(page, 'devmachine-form-errors');
      await form.locator('[data-testid="aiplat-field-name"]').fill('lab-e2e');
      await form.locator('[data-testid="aiplat-field-memory"]').fill('1Gi');
      await form.locator('[data-testid="aiplat-field-cpu"]').fill('0.5');
      await form.locator('[data-testid="aiplat-field-ides"]').selectOption('jupyterlab');
      await form.locator('[data-testid="aiplat-field-error-name"]').waitFor({ state: 'detached' });
      await form.locator('[data-testid="aiplat-devmachine-create"]').click();
      await form.waitFor({ state: 'detached' });

      const row = list.locator('[data-testid^="aiplat-devmachine-row-"]', { hasText: 'lab-e2e' });
      await row
        .locator('[data-testid^="aiplat-devmachine-state-"]', { hasText: 'Running' })
        .waitFor({ timeout: 120_000 });
      const id = (await row.getAttribute('data-testid'))!.replace('aiplat-devmachine-row-', '');
      await screenshot(page, 'devmachine-running');

      // Its events, newest first.
      await row.locator(`[data-testid="aiplat-devmachine-events-${id}"]`).waitFor({ state: 'detached' });
      await row.getByRole('button', { name: 'Events' }).click();
      const events = row.locator(`[data-testid="aiplat-devmachine-events-${id}"] li`);
      await events.first().waitFor();
      expect(await events.first().getAttribute('data-type')).toBe('running');

      // Open JupyterLab: a new tab, signed in through a one-time link, lands in the dev machine's JupyterLab.
      const [tab] = await Promise.all([
        page.context().waitForEvent('page'),
        row.locator(`[data-testid="aiplat-devmachine-open-lab-${id}"]`).click(),
      ]);
      await tab.waitForURL(new RegExp(`/devmachines/${id}/lab/`), { timeout: 60_000 });
      await tab.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
      await tab.close();

      await row.locator(`[data-testid="aiplat-devmachine-stop-${id}"]`).click();
      await row
        .locator(`[data-testid="aiplat-devmachine-state-${id}"]`, { hasText: 'Stopped' })
        .waitFor({ timeout: 60_000 });
      await row.locator(`[data-testid="aiplat-devmachine-delete-${id}"]`).click();
      await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
    },
  );

  it('adds an SSH key in its tab, shows its fingerprint, and removes it after the dialog', async () => {
    const { page } = lab;
    const keys = await mkdtemp(path.join(os.tmpdir(), 'aiplat-e2e-keys-'));
    try {
      const file = path.join(keys, 'id_ed25519');
      await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e', '-f', file]);
      const publicKey = await readFile(`${file}.pub`, 'utf8');
      const { stdout } = await promisify(execFile)('ssh-keygen', ['-lf', `${file}.pub`]);
      await openDevMachines(lab);
      await page.locator('[data-testid="aiplat-open-sshkeys"]').click();
      const tab = page.locator('#aiplat-sshkeys');
      await tab.locator('[data-testid="aiplat-sshkey-list-empty"]').waitFor();
      await tab.locator('[data-testid="aiplat-new-sshkey"]').click();
      await tab.locator('[data-testid="aiplat-field-name"]').fill('e2e');
      await tab.locator('[data-testid="aiplat-field-publicKey"]').fill(publicKey);
      await tab.locator('[data-testid="aiplat-sshkey-add"]').click();
      await expect
        .poll(() => tab.locator('[data-testid="aiplat-sshkey-fingerprint-e2e"]').textContent())
        .toBe(stdout.split(' ')[1]);
      await screenshot(page, 'devmachine-ssh-keys');
      await tab.locator('[data-testid="aiplat-sshkey-delete-e2e"]').click();
      await page.locator('.jp-Dialog').getByRole('button', { name: 'Remove' }).click();
      await tab.locator('[data-testid="aiplat-sshkey-list-empty"]').waitFor();
    } finally {
      await rm(keys, { recursive: true, force: true });
    }
  });
});
