import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, screenshot, startLab, type Lab } from './harness.js';

/*
 * The Training views in a real JupyterLab against a real backend on the local engine: submit a
 * 2-node DDP job from the form (a bad field first, shown at the field), watch its logs stream to
 * success, see it in the live list, stop another job, and open the form from "Train this script".
 */

const TRAIN_PY = "import os\nprint('hello from rank', os.environ['RANK'])\n";

async function openTraining(lab: Lab): Promise<Locator> {
  const panel = await lab.openPanel();
  await panel.locator('.lm-TabBar-tab', { hasText: /^Training$/ }).click();
  const list = panel.locator('[data-testid="aiplat-job-list"]');
  await list.waitFor();
  await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
  return list;
}

/** The form widget opened last in the main area. */
function lastForm(page: Page): Locator {
  return page.locator('[data-testid="aiplat-job-form"]').last();
}

async function fillQuickJob(form: Locator, name: string, command: string, nodes: string) {
  await form.locator('[data-testid="aiplat-field-name"]').fill(name);
  await form.locator('[data-testid="aiplat-field-command"]').fill(command);
  await form.locator('[data-testid="aiplat-field-workingDir"]').fill('home');
  await form.locator('[data-testid="aiplat-field-nodes"]').fill(nodes);
  await form.locator('[data-testid="aiplat-field-resources-cpu"]').fill('0.1');
  await form.locator('[data-testid="aiplat-field-resources-memory"]').fill('64Mi');
}

describe('the Training views in JupyterLab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      files: { 'home/e2e/train.py': TRAIN_PY },
      // Metrics sampled often, so a short job has points to chart.
      backendConfig: 'jobs: { metricsIntervalMs: 200 }\n',
    });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('submits a 2-node DDP job from the form and streams its logs to success', async () => {
    const { page } = lab;
    const list = await openTraining(lab);
    await list.locator('[data-testid="aiplat-new-job"]').click();
    const form = lastForm(page);
    await form.waitFor();
    // The Debian python: the backend runs with a temp HOME, where pyenv's shims find no Python.
    await fillQuickJob(form, 'e2e-ddp', '/usr/bin/python3 train.py', '2');

    await form.locator('[data-testid="aiplat-field-resources-memory"]').fill('12');
    await form.locator('[data-testid="aiplat-submit-job"]').click();
    await expect
      .poll(() => form.locator('[data-testid="aiplat-field-error-resources-memory"]').innerText())
      .toMatch(/memory/);
    await screenshot(page, 'training-form-error');
    await form.locator('[data-testid="aiplat-field-resources-memory"]').fill('64Mi');
    await form.locator('[data-testid="aiplat-field-error-resources-memory"]').waitFor({ state: 'detached' });
    await form.locator('[data-testid="aiplat-submit-job"]').click();

    const view = page.locator('[data-testid="aiplat-job-view"]').last();
    const state = view.locator('[data-testid="aiplat-job-state"]');
    await view
      .locator('[data-testid="aiplat-job-state"]:is([data-state="Succeeded"], [data-state="Failed"])')
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'training-job-finished');
    expect(await state.getAttribute('data-state'), lab.logs()).toBe('Succeeded');
    const logs = view.locator('[data-testid="aiplat-job-logs"]');
    await logs.getByText('hello from rank 1').waitFor();
    await logs.getByText('hello from rank 0').waitFor();
    await view.locator('[data-testid="aiplat-log-end"]').waitFor();
    await view.locator('[data-testid="aiplat-log-search"]').fill('rank 1');
    await expect.poll(() => view.locator('[data-testid="aiplat-log-search-count"]').innerText()).toMatch(/1/);
    await screenshot(page, 'training-job-succeeded');

    const jobId = await view.getAttribute('data-job-id');
    await list.locator(`[data-testid="aiplat-job-row-${jobId}"][data-state="Succeeded"]`).waitFor();

    await view.locator('[data-testid="aiplat-job-tab-events"]').click();
    await view.locator('[data-testid="aiplat-job-events"] tr[data-type="succeeded"]').waitFor();
    await view.locator('[data-testid="aiplat-job-tab-metrics"]').click();
    await view.locator('[data-testid="aiplat-job-metrics"]').waitFor();
    await view.locator('[data-testid="aiplat-job-tab-overview"]').click();
    await view.locator('[data-testid="aiplat-job-instance-1"]').waitFor();
    await screenshot(page, 'training-job-overview');

    await view.locator('[data-testid="aiplat-copy-job"]').click();
    const copy = lastForm(page);
    await expect.poll(() => copy.locator('[data-testid="aiplat-field-name"]').inputValue()).toBe('e2e-ddp-copy');
    expect(await copy.locator('[data-testid="aiplat-field-nodes"]').inputValue()).toBe('2');
    await screenshot(page, 'training-job-copied');
  }, 120_000);

  it('stops a running job from its view', async () => {
    const { page } = lab;
    const list = await openTraining(lab);
    await list.locator('[data-testid="aiplat-new-job"]').click();
    const form = lastForm(page);
    await fillQuickJob(form, 'e2e-long', 'echo started; sleep 600', '1');
    await form.locator('[data-testid="aiplat-submit-job"]').click();
    const view = page.locator('[data-testid="aiplat-job-view"]').last();
    await view.locator('[data-testid="aiplat-job-state"][data-state="Running"]').waitFor({ timeout: 60_000 });
    await view.locator('[data-testid="aiplat-job-logs"] .aiplat-log-stdout', { hasText: 'started' }).waitFor();
    await view.locator('[data-testid="aiplat-job-tab-metrics"]').click();
    const memory = view.locator('[data-testid="aiplat-chart-memory"] canvas');
    await expect
      .poll(async () => {
        await view.locator('[data-testid="aiplat-refresh-metrics"]').click();
        return memory.count();
      })
      .toBeGreaterThan(0);
    await screenshot(page, 'training-job-metrics');
    await view.locator('[data-testid="aiplat-stop-job"]').click();
    await view.locator('[data-testid="aiplat-job-state"][data-state="Stopped"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'training-job-stopped');
  }, 120_000);

  it('opens the form prefilled from the file browser’s selection with "Train this script"', async () => {
    const { page } = lab;
    await openTraining(lab);
    await lab.runCommand('filebrowser:go-to-path', { path: 'home/e2e' });
    const item = page.locator('.jp-DirListing-item[title^="Name: train.py"]');
    await item.click();
    await item.click({ button: 'right' });
    await page.locator('.lm-Menu-item[data-command="aiplat:train-this-script"]').click();
    const form = lastForm(page);
    await expect.poll(() => form.locator('[data-testid="aiplat-field-command"]').inputValue()).toBe('python train.py');
    expect(await form.locator('[data-testid="aiplat-field-workingDir"]').inputValue()).toBe('home');
    await screenshot(page, 'training-train-this-script-browser');
  }, 120_000);

  it('opens the form prefilled from an open editor with "Train this script"', async () => {
    const { page } = lab;
    await openTraining(lab);
    await lab.runCommand('docmanager:open', { path: 'home/e2e/train.py', factory: 'Editor' });
    await page.locator('.jp-FileEditor').last().waitFor();
    await lab.runCommand('aiplat:train-this-script', { from: 'editor' });
    const form = lastForm(page);
    await expect.poll(() => form.locator('[data-testid="aiplat-field-command"]').inputValue()).toBe('python train.py');
    expect(await form.locator('[data-testid="aiplat-field-name"]').inputValue()).toBe('train');
    const workingDir = await form.locator('[data-testid="aiplat-field-workingDir"]').inputValue();
    await form.locator('[data-testid="aiplat-command-torchrun"]').click();
    expect(await form.locator('[data-testid="aiplat-field-command"]').inputValue()).toMatch(/^torchrun .* train\.py$/);
    await screenshot(page, 'training-train-this-script');
    // The file browser's home/e2e/train.py is /work/home/train.py for the user e2e.
    expect(workingDir).toBe('home');
    await form.locator('[data-testid="aiplat-command-python"]').click();
    await form.locator('[data-testid="aiplat-field-resources-cpu"]').fill('0.1');
    await form.locator('[data-testid="aiplat-field-resources-memory"]').fill('64Mi');
    await form.locator('[data-testid="aiplat-submit-job"]').click();
    const view = page.locator('[data-testid="aiplat-job-view"]').last();
    await view.locator('[data-testid="aiplat-job-state"][data-state="Succeeded"]').waitFor({ timeout: 60_000 });
  }, 120_000);
});
