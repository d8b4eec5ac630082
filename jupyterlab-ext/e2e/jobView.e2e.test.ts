import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, savedWorkspace, screenshot, startLab, waitForLab, type Lab } from './harness.js';

/*
 * A job's view in a real JupyterLab against a real backend: its progress header says the step its log
 * pane shows, and after a reload of the page the view is back, showing the same job.
 */

/** After a pause (the view opens meanwhile), bursts of steps up to 19 of 30: the last line stays "step 19/30". */
const STEPS = 'sleep 4; for i in $(seq 1 19); do echo "step $i/30 loss 0.$i"; [ $((i % 4)) = 0 ] && sleep 0.3; done';

/** Submits a job through the backend's API (the form has its own test) and returns its id. */
async function submitJob(lab: Lab, name: string, command: string): Promise<string> {
  const response = await fetch(`${lab.backendUrl}/api/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lab.backendToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      spec: { name, mode: 'ddp', nodes: 1, command, workingDir: 'home', resources: { cpu: 0.1, memory: '64Mi' } },
    }),
  });
  expect(response.ok, await response.clone().text()).toBe(true);
  return ((await response.json()) as { id: string }).id;
}

function jobView(page: Page, id: string): Locator {
  return page.locator(`[data-testid="aiplat-job-view"][data-job-id="${id}"]`);
}

interface Drawn {
  /** The last "step N/30" of the log pane, and the header's counters, at each change of the view. */
  aiplatDrawn?: [string | undefined, string | undefined][];
}

/** Records, at every change of the view's DOM, the last step its log pane shows and its header's counters. */
async function recordDrawn(view: Locator): Promise<void> {
  await view.evaluate((node) => {
    const drawn: [string | undefined, string | undefined][] = [];
    (window as Drawn).aiplatDrawn = drawn;
    new MutationObserver(() => {
      const steps = node.querySelector('[data-testid="aiplat-job-logs"]')?.textContent?.match(/step \d+\/30/g);
      const header = node.querySelector('[data-testid="aiplat-job-counters"]')?.textContent ?? undefined;
      drawn.push([steps?.at(-1), header]);
    }).observe(node, { subtree: true, childList: true, characterData: true });
  });
}

describe('the job view in JupyterLab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it('shows in its header the step its log pane shows, and comes back after a reload', async () => {
    const { page } = lab;
    const id = await submitJob(lab, 'e2e-restored', `${STEPS}; exec sleep 600`);
    const panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    await lab.runCommand('aiplat:open-job', { id });
    const view = jobView(page, id);
    await view.waitFor();
    await recordDrawn(view);
    const logs = view.locator('[data-testid="aiplat-job-logs"]');
    await logs.getByText('step 19/30', { exact: false }).waitFor({ timeout: 60_000 });
    // Each time the pane showed a new step, the header said that step: drawn from the same batch.
    const drawn = (await page.evaluate(() => (window as Drawn).aiplatDrawn)) ?? [];
    const withSteps = drawn.filter(([step]) => step !== undefined);
    expect(withSteps.length).toBeGreaterThan(0);
    expect(withSteps.filter(([step, header]) => step !== header)).toEqual([]);
    expect(withSteps.at(-1)).toEqual(['step 19/30', 'step 19/30']);
    await screenshot(page, 'job-view-progress-with-logs');

    // The layout is saved on the Jupyter server (debounced): wait for it to name this job's view.
    await expect.poll(() => savedWorkspace(lab), { timeout: 30_000 }).toContain(`aiplat-job-view:${id}`);
    // Reloaded as a user does; not with ?reset, which would clear the saved layout.
    await page.goto(`${lab.labUrl}/lab?token=${lab.jupyterToken}`);
    await waitForLab(page);

    const restored = jobView(page, id);
    await restored.waitFor({ timeout: 30_000 });
    await restored.locator('[data-testid="aiplat-job-state"][data-state="Running"]').waitFor({ timeout: 30_000 });
    await restored.locator('[data-testid="aiplat-job-logs"]').getByText('step 19/30').waitFor();
    await expect.poll(() => restored.locator('[data-testid="aiplat-job-counters"]').innerText()).toBe('step 19/30');
    expect(await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'e2e-restored' }).count()).toBe(1);
    await screenshot(page, 'job-view-restored');

    await restored.locator('[data-testid="aiplat-stop-job"]').click();
    await restored.locator('[data-testid="aiplat-job-state"][data-state="Stopped"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => restored.locator('[data-testid="aiplat-job-counters"]').innerText()).toBe('step 19/30');
    // A finished job: its final progress, no ETA.
    expect(await restored.locator('[data-testid="aiplat-job-eta"]').count()).toBe(0);
  }, 180_000);
});
