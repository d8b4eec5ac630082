import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FrameLocator } from 'playwright-core';
import {
  CATEGORY,
  keepEvidence,
  notification,
  startVsCode,
  treeItem,
  waitForExtension,
  type VsCode,
} from './harness.js';

/*
 * Training from VS Code against a real backend on the local engine: submit a 2-node DDP job from the
 * workspace's job.yaml with "Submit job.yaml", watch it in the Jobs view until it succeeds, follow
 * its logs in the Output panel, then start a long job and stop it from the palette.
 */

// The Debian python: the backend's jobs run with a PATH where pyenv's shims may find no Python.
const JOB_YAML = `name: e2e-ddp
mode: ddp
nodes: 2
command: /usr/bin/python3 -c 'import os; print("rank", os.environ["RANK"])'
workingDir: home
resources: { cpu: 0.1, memory: 64Mi }
`;
const LONG_JOB_YAML = `name: e2e-long
mode: ddp
nodes: 1
command: sleep 600
workingDir: home
resources: { cpu: 0.1, memory: 64Mi }
`;
const TRAIN_PY = "import os\nprint('rank', os.environ['RANK'])\n";

/** The state (and progress) the Jobs view shows for a job. */
async function jobDescription(vsc: VsCode, name: string): Promise<string> {
  const view = await vsc.openView('Jobs');
  const row = treeItem(view, name);
  if ((await row.count()) === 0) return '';
  return (
    await row
      .first()
      .locator('.label-description')
      .innerText()
      .catch(() => '')
  ).trim();
}

/** The open quick input's title, e.g. "Start Training (2/12)". */
async function quickInputTitle(vsc: VsCode): Promise<string> {
  return (
    await vsc.page
      .locator('.quick-input-widget .quick-input-title')
      .innerText()
      .catch(() => '')
  ).trim();
}

/** Waits for step `n` of `total` of Start Training, then answers it. */
async function answerStep(vsc: VsCode, n: number, total: number, text: string): Promise<void> {
  await expect.poll(() => quickInputTitle(vsc), { timeout: 20_000 }).toBe(`Start Training (${n}/${total})`);
  await vsc.answerInput(text);
}

/** The value the open input box shows once step `n` is up. */
async function stepValue(vsc: VsCode, n: number, total: number): Promise<string> {
  await expect.poll(() => quickInputTitle(vsc), { timeout: 20_000 }).toBe(`Start Training (${n}/${total})`);
  return vsc.page.locator('.quick-input-widget input.input').inputValue();
}

async function pressBack(vsc: VsCode): Promise<void> {
  await vsc.page.locator('.quick-input-widget .quick-input-left-action-bar .codicon-quick-input-back').click();
}

const bodyText = (frame: FrameLocator) =>
  frame
    .locator('body')
    .innerText()
    .catch(() => '');

describe('training from VS Code', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({ files: { 'home/e2e/job.yaml': JOB_YAML, 'home/e2e/train.py': TRAIN_PY } });
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('submits a 2-node DDP job from job.yaml and follows its logs to success', async () => {
    await vsc.runCommand(`${CATEGORY}: Submit job.yaml`);
    await vsc.answerInput('e2e/job.yaml'); // which job.yaml: the backend seeds home/<user>/ddp-example/job.yaml too
    await expect.poll(() => jobDescription(vsc, 'e2e-ddp'), { timeout: 90_000 }).toMatch(/^Succeeded/);
    await vsc.screenshot('training-ddp-succeeded');

    await vsc.runCommand(`${CATEGORY}: Show Job Logs`);
    await vsc.answerInput('e2e-ddp'); // which job
    await vsc.answerInput(''); // which instance: the first
    await expect.poll(() => vsc.outputText().catch(() => ''), { timeout: 30_000 }).toMatch(/rank [01]/);
    await vsc.screenshot('training-ddp-logs');

    // Job details in a webview (scripts on, strict CSP, messages from the extension).
    await vsc.runCommand(`${CATEGORY}: Show Job Details`);
    await vsc.answerInput('e2e-ddp');
    const details = await vsc.webview(/e2e-ddp/);
    await expect
      .poll(
        () =>
          details
            .locator('body')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000 },
      )
      .toMatch(/Succeeded/);
    await vsc.screenshot('training-ddp-details');
  }, 180_000);

  it('stops a running job from the palette', async () => {
    await writeFile(path.join(vsc.root, 'home', 'e2e', 'long.job.yaml'), LONG_JOB_YAML);
    await vsc.runCommand(`${CATEGORY}: Submit job.yaml`);
    await vsc.answerInput('long.job.yaml'); // which job.yaml: there are three now
    await expect.poll(() => jobDescription(vsc, 'e2e-long'), { timeout: 60_000 }).toMatch(/^Running/);
    await vsc.screenshot('training-long-running');

    await vsc.runCommand(`${CATEGORY}: Stop Job`);
    await vsc.answerInput('e2e-long');
    await expect.poll(() => jobDescription(vsc, 'e2e-long'), { timeout: 60_000 }).toMatch(/^Stopped/);
    await vsc.screenshot('training-long-stopped');
  }, 180_000);

  it('Start Training is one multi-step input: "n/N" in its title, Back keeps the answers', async () => {
    await vsc.runCommand(`${CATEGORY}: Start Training…`);
    await answerStep(vsc, 1, 12, 'ddp');
    await answerStep(vsc, 2, 12, 'e2e-steps');
    await answerStep(vsc, 3, 12, 'echo steps-done');
    await expect.poll(() => quickInputTitle(vsc)).toBe('Start Training (4/12)');
    await vsc.screenshot('training-steps-4');
    await pressBack(vsc);
    expect(await stepValue(vsc, 3, 12)).toBe('echo steps-done');
    await pressBack(vsc);
    expect(await stepValue(vsc, 2, 12)).toBe('e2e-steps');
    await vsc.screenshot('training-steps-back');
    await answerStep(vsc, 2, 12, 'e2e-steps');
    expect(await stepValue(vsc, 3, 12)).toBe('echo steps-done'); // kept going forward again
    await vsc.answerInput('echo steps-done');
    for (const [n, answer] of [
      [4, '1'],
      [5, '0.1'],
      [6, '64Mi'],
      [7, 'none'],
      [8, ''],
      [9, 'default'],
      [10, '5'],
      [11, 'local'],
      [12, 'home'],
    ] as const) {
      await answerStep(vsc, n, 12, answer);
    }
    await notification(vsc.page, /Submitted e2e-steps as job/).waitFor({ timeout: 30_000 });
    await expect.poll(() => jobDescription(vsc, 'e2e-steps'), { timeout: 60_000 }).toMatch(/^Succeeded/);
  }, 180_000);

  it('job details: overview, charts with axes and legends, a notification when the stop is done, back after a reload', async () => {
    await writeFile(
      path.join(vsc.root, 'home', 'e2e', 'details.job.yaml'),
      LONG_JOB_YAML.replace('e2e-long', 'e2e-details'),
    );
    await vsc.runCommand(`${CATEGORY}: Submit job.yaml`);
    await vsc.answerInput('details.job.yaml');
    await expect.poll(() => jobDescription(vsc, 'e2e-details'), { timeout: 60_000 }).toMatch(/^Running/);

    await vsc.runCommand(`${CATEGORY}: Show Job Details`);
    await vsc.answerInput('e2e-details');
    const details = await vsc.webview(/e2e-details/);
    await expect
      .poll(
        () =>
          details
            .locator('table.overview')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000 },
      )
      .toContain('sleep 600');
    const overview = await details.locator('table.overview').innerText();
    for (const text of ['ddp', '/work/home', '1 × (0.1 CPU · 64Mi)']) expect(overview).toContain(text);
    // Metrics are sampled every few seconds: the charts come with axes, units and a legend.
    const memory = details.locator('.chart[data-kind=memory]');
    await memory.waitFor({ timeout: 60_000 });
    expect(await memory.locator('.chart-title').innerText()).toMatch(/^Memory \((B|KiB|MiB|GiB)\)$/);
    expect(await memory.locator('.y-tick text').count()).toBeGreaterThan(1);
    expect(await memory.locator('.x-tick text').count()).toBe(4);
    expect(await memory.locator('.legend-entry').allInnerTexts()).toEqual(['node-0']);
    await memory.scrollIntoViewIfNeeded();
    await vsc.screenshot('training-details-charts');

    await details.locator('button[data-action=stop]').click();
    await notification(vsc.page, /e2e-details \(.+\) stopped\./).waitFor({ timeout: 60_000 });
    await expect.poll(() => bodyText(details), { timeout: 30_000 }).toMatch(/Stopped/);
    await vsc.screenshot('training-details-stopped');

    // A window reload brings the page back, for the same job.
    await vsc.reloadWindow();
    await waitForExtension(vsc.page);
    const restored = await vsc.webview(/e2e-details/);
    await expect.poll(() => bodyText(restored), { timeout: 60_000 }).toMatch(/Stopped/);
    expect(await restored.locator('table.overview').innerText()).toContain('sleep 600');
    await vsc.screenshot('training-details-restored');
  }, 240_000);
});
