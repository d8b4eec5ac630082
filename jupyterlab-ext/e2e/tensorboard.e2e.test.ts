import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventFile } from '../../testing/src/tensorboard/tfeventsWriter.js';
import { keepEvidence, startLab, USER, type Lab } from './harness.js';

/*
 * The TensorBoard tab of a job in a real JupyterLab against a real backend: a running 2-node PyTorch
 * DDP job (Debian's torch, gloo) whose rank 0 writes scalars with a small SummaryWriter into
 * $AIPLAT_SUMMARY_DIR; its chart grows while the job runs. Then a folder of event files opened from
 * the Workspace preview, compared with the job, and "Open TensorBoard" where none is installed.
 */

const WRITER = readFileSync(new URL('../../testing/src/tensorboard/summary_writer.py', import.meta.url), 'utf8');
const TRAIN = `import os, time
import torch
import torch.distributed as dist
from summary_writer import SummaryWriter

dist.init_process_group("gloo")
rank = dist.get_rank()
writer = SummaryWriter(os.environ["AIPLAT_SUMMARY_DIR"]) if rank == 0 else None
for step in range(1, 81):
    loss = torch.tensor([1.0 / step])
    dist.all_reduce(loss)
    if writer:
        writer.add_scalar("train/loss", loss.item() / dist.get_world_size(), step)
        writer.add_scalar("train/lr", 0.1, step)
    time.sleep(0.25)
dist.destroy_process_group()
`;
const FOLDER_EVENTS = eventFile(
  Array.from({ length: 20 }, (_, i) => ({ tag: 'train/loss', step: i + 1, value: 2 / (i + 1) })),
);

describe('TensorBoard in JupyterLab', () => {
  let lab: Lab;
  let jobId: string;
  beforeAll(async () => {
    lab = await startLab({
      files: {
        'home/e2e/tb/train.py': TRAIN,
        'home/e2e/tb/summary_writer.py': WRITER,
      },
    });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  const chart = (scope: Locator, tag: string) =>
    scope.locator(`[data-testid="aiplat-scalar-chart"][data-tag="${tag}"]`);
  const points = async (scope: Locator, tag: string) => Number(await chart(scope, tag).getAttribute('data-points'));

  it("charts a running DDP job's scalars live in its TensorBoard tab", async () => {
    const response = await fetch(`${lab.backendUrl}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lab.backendToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: {
          name: 'e2e-scalars',
          mode: 'ddp',
          nodes: 2,
          command: '/usr/bin/python3 train.py',
          workingDir: 'home/tb',
          env: { PYTHONDONTWRITEBYTECODE: '1' },
          resources: { cpu: 0.5, memory: '1Gi' },
        },
      }),
    });
    expect(response.ok, await response.clone().text()).toBe(true);
    jobId = ((await response.json()) as { id: string }).id;
    const panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    await lab.runCommand('aiplat:open-job', { id: jobId });
    const view = lab.page.locator(`[data-testid="aiplat-job-view"][data-job-id="${jobId}"]`);
    await view.locator('[data-testid="aiplat-job-tab-tensorboard"]').click();
    const scalars = view.locator('[data-testid="aiplat-scalars"]');
    await chart(scalars, 'train/loss').waitFor({ timeout: 90_000 });
    expect(await chart(scalars, 'train/lr').count()).toBe(1);
    // Live: while the job runs the chart keeps growing, with no reload.
    const seen = [await points(scalars, 'train/loss')];
    for (let i = 0; i < 2; i++) {
      await expect.poll(() => points(scalars, 'train/loss'), { timeout: 30_000 }).toBeGreaterThan(seen.at(-1)!);
      seen.push(await points(scalars, 'train/loss'));
    }
    const state = await view.locator('[data-testid="aiplat-job-state"]').getAttribute('data-state');
    expect(state).toBe('Running');
    await lab.screenshot('tensorboard-job-live');

    // The tag filter leaves only the matching charts.
    await scalars.locator('[data-testid="aiplat-scalars-filter"]').fill('loss$');
    await expect.poll(() => chart(scalars, 'train/lr').count()).toBe(0);
    expect(await chart(scalars, 'train/loss').count()).toBe(1);
  }, 240_000);

  it('opens a folder from the Workspace preview, compares it with the job, and says how to get TensorBoard', async () => {
    await mkdir(path.join(lab.root, 'home', USER, 'runs', 'a'), { recursive: true });
    await writeFile(path.join(lab.root, 'home', USER, 'runs', 'a', 'events.out.tfevents.1.host'), FOLDER_EVENTS);
    const panel = await lab.openPanel();
    const tree = panel.locator('[data-testid="aiplat-workspace"]');
    for (const folder of ['home', 'home/runs']) {
      const row = tree.locator(`.aiplat-tree-entry[data-path="${folder}"]`);
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    await tree.locator('.aiplat-tree-entry[data-path="home/runs"]').click();
    await panel.locator('[data-testid="aiplat-action-tensorboard"]').click();
    const scalars = lab.page.locator('.aiplat-scalars-widget:not(.lm-mod-hidden) [data-testid="aiplat-scalars"]');
    await expect.poll(() => points(scalars, 'train/loss'), { timeout: 30_000 }).toBe(20);
    expect(await chart(scalars, 'train/loss').getAttribute('data-lines')).toBe('1');

    await scalars.locator('[data-testid="aiplat-scalars-compare"]').fill('e2e-scalars');
    await scalars.locator('[data-testid="aiplat-scalars-compare-add"]').click();
    await expect.poll(() => chart(scalars, 'train/loss').getAttribute('data-lines'), { timeout: 30_000 }).toBe('2');
    expect(await scalars.locator('[data-testid="aiplat-scalars-source"]').allInnerTexts()).toEqual([
      expect.stringContaining('home/runs'),
      expect.stringContaining('e2e-scalars'),
    ]);
    await lab.screenshot('tensorboard-compare');

    // No TensorBoard on this server: the button says how to install it (the charts above need none).
    await scalars.locator('[data-testid="aiplat-open-tensorboard"]').click();
    await expect
      .poll(
        () =>
          scalars
            .locator('[data-testid="aiplat-tensorboard-problem"]')
            .innerText()
            .catch(() => ''),
        {
          timeout: 30_000,
        },
      )
      .toMatch(/pip install tensorboard/);
  }, 120_000);
});
