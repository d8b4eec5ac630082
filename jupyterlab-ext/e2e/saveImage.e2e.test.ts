import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DevMachine } from '@aiplat/api';
import { freshBrowser } from '../../testing/src/browser.js';
import { startPlatform, type PlatformFixture } from '../../testing/src/backend/platformFixture.js';
import { runningDevMachine } from '../../testing/src/devMachines.js';
import { buildDevMachineImage } from '../../testing/src/images/devMachineImage.js';
import { podmanMissing, startPodman, type PodmanHarness } from '../../testing/src/images/podman.js';
import { startRegistry, type RegistryServer } from '../../testing/src/images/registryServer.js';
import { openPanel, runInNewNotebook, screenshot, waitForLab } from './harness.js';

/*
 * "Save environment as image" from JupyterLab, end to end with real parts: a dev machine in a
 * Podman container from the image images/devmachine-local/build.sh makes (pushed to Debian's
 * docker-registry), its JupyterLab opened in Chromium from a login link through the platform's
 * proxy, a file written by a notebook on the container's kernel, then "Save as image" in the AI
 * Platform panel: name, tag and comment typed, the preview read, the save followed to its end in
 * the UI. Checked apart from the UI: skopeo reads the pushed image (the base's layers and one more,
 * with the comment in its history, holding the notebook's file), and the Images tab lists it.
 */

const run = promisify(execFile);
const skip = podmanMissing();
let podman: PodmanHarness;
let registry: RegistryServer;
let fx: PlatformFixture;
let baseRef: string;
let dir: string;
let context: BrowserContext | undefined;
let page: Page;
const machineIds: string[] = [];

interface Inspected {
  Layers: string[];
}

async function inspect(ref: string, config = false): Promise<unknown> {
  const args = ['inspect', ...(config ? ['--config'] : []), '--tls-verify=false', `docker://${ref}`];
  return JSON.parse((await run('skopeo', args, { maxBuffer: 16 << 20 })).stdout) as unknown;
}

beforeAll(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-lab-save-image-'));
  [podman, registry] = await Promise.all([startPodman(), startRegistry()]);
  baseRef = `${registry.host}/aiplat/devmachine:${randomBytes(4).toString('hex')}`;
  await buildDevMachineImage(baseRef);
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: false },
    images: { registry: { url: registry.url, insecure: false }, presets: [] },
    devMachines: { readyTimeoutMs: 90_000, stopGraceMs: 2000 },
  });
  await Promise.all(['home/alice', 'cache', 'mount'].map((p) => mkdir(path.join(fx.workRoot, p), { recursive: true })));
  ({ context, page } = await freshBrowser());
}, 400_000);

afterAll(async () => {
  // Each step whatever the one before did, so that nothing is left running. Only this file's dev
  // machines' containers are removed: other test files may run theirs on the same Podman.
  const quietly = (step: Promise<unknown> | undefined) => Promise.resolve(step).catch((error: unknown) => error);
  const closing = [await quietly(context?.close()), await quietly(fx?.close())];
  for (const id of machineIds) await quietly(run('podman', ['rm', '-f', '--ignore', `aiplat-dm-${id}`]));
  await quietly(podman?.close());
  await quietly(registry?.stop());
  if (dir) await rm(dir, { recursive: true, force: true });
  const failed = closing.find((result) => result instanceof Error);
  if (failed) throw failed;
}, 120_000);

beforeEach(({ task, onTestFailed }) =>
  onTestFailed(async () => {
    if (context) await screenshot(page, `failed-${task.name}`).catch(() => undefined);
  }),
);

async function openSection(panel: Locator, label: RegExp, list: string): Promise<Locator> {
  await panel.locator('.lm-TabBar-tab', { hasText: label }).click();
  const found = panel.locator(`[data-testid="${list}"]`);
  await found.waitFor();
  return found;
}

describe.skipIf(skip)('save a dev machine as an image from its JupyterLab', () => {
  it('previews, saves and follows the save in the panel; the pushed image is the base and one layer with the change', async () => {
    const machine: DevMachine = await runningDevMachine(fx.client(), {
      name: 'lab-env',
      image: baseRef,
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '2Gi' },
    });
    machineIds.push(machine.id);
    const link = await fx.client().createLoginLink({ body: { next: `${machine.urls.jupyterlab!}lab` } });
    await page.goto(fx.baseUrl + link.path);
    await waitForLab(page);
    expect(new URL(page.url()).pathname).toBe(`${machine.urls.jupyterlab!}lab`);

    // The change, made as a person would: a notebook on the container's kernel writes outside /work.
    const marker = `from the lab ${randomBytes(4).toString('hex')}`;
    const written = await runInNewNotebook(
      page,
      `import pathlib; pathlib.Path('/opt/from-lab.txt').write_text(${JSON.stringify(marker + '\n')}); print('written')`,
    );
    expect(written).toBe('written');

    const panel = await openPanel(page);
    await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
    const machines = await openSection(panel, /^Dev machines$/, 'aiplat-devmachine-list');
    const saveButton = machines.locator(`[data-testid="aiplat-devmachine-save-image-${machine.id}"]`);
    await saveButton.waitFor({ timeout: 30_000 });
    await saveButton.click();

    const view = page.locator('[data-testid="aiplat-image-save"]').last();
    await view.waitFor();
    expect(await view.getAttribute('data-step')).toBe('form');
    await view.locator('[data-testid="aiplat-field-repository"]').fill('lab-env');
    await view.locator('[data-testid="aiplat-field-tag"]').fill('v2');
    const comment = `notebook output kept ${randomBytes(3).toString('hex')}`;
    await view.locator('[data-testid="aiplat-field-comment"]').fill(comment);
    await view.locator('[data-testid="aiplat-image-save-preview"]').click();

    // The preview: the new layer's size and file count, what is left out.
    const summary = view.locator('[data-testid="aiplat-image-save-summary"]');
    await summary.waitFor({ timeout: 60_000 });
    expect(await view.getAttribute('data-step')).toBe('preview');
    const summaryText = await summary.innerText();
    const counted = /The new layer: (\S+ \S+) in ([\d,]+) files/.exec(summaryText);
    expect(counted, summaryText).not.toBeNull();
    expect(Number(counted![2]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    expect(summaryText).toMatch(/\d+ added/);
    expect(summaryText).toContain('Left out');
    expect(await view.locator('[data-testid="aiplat-image-save-name"]').innerText()).toContain(
      `lab-env:v2 — ${comment}`,
    );
    await screenshot(page, 'devmachine-jupyterlab-save-image-preview');

    await view.locator('[data-testid="aiplat-image-save-start"]').click();
    const progress = view.locator('[data-testid="aiplat-image-save-progress"]');
    await progress.waitFor({ timeout: 30_000 });
    const ended = view.locator('[data-testid="aiplat-image-save-ended"]');
    await ended.waitFor({ timeout: 180_000 });
    const failure = await view
      .locator('[data-testid="aiplat-image-save-failure"]')
      .innerText({ timeout: 1_000 })
      .catch(() => '');
    expect(await ended.getAttribute('data-state'), failure).toBe('Succeeded');
    expect(await progress.getAttribute('data-state')).toBe('Succeeded');
    expect(await view.getAttribute('data-step')).toBe('ended');
    const savedRef = await view.locator('[data-testid="aiplat-image-save-ref"]').innerText();
    expect(savedRef).toBe(`${registry.host}/alice/lab-env:v2`);
    await screenshot(page, 'devmachine-jupyterlab-save-image-saved');

    // Independently of the UI: the registry holds the base's layers and one more, with the comment.
    const [saved, base] = (await Promise.all([inspect(savedRef), inspect(baseRef)])) as [Inspected, Inspected];
    expect(saved.Layers).toHaveLength(base.Layers.length + 1);
    expect(saved.Layers.slice(0, -1)).toEqual(base.Layers);
    const config = (await inspect(savedRef, true)) as { history: { comment?: string; author?: string }[] };
    expect(config.history.at(-1)).toMatchObject({ comment, author: 'alice' });
    // The new layer holds the notebook's file.
    const copy = path.join(dir, 'saved');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${savedRef}`, `dir:${copy}`]);
    const layer = path.join(copy, saved.Layers.at(-1)!.replace(/^sha256:/, ''));
    // GNU tar finds the layer's compression itself; `*` takes a leading `./` too.
    const { stdout } = await run('tar', ['-xOf', layer, '--wildcards', '*opt/from-lab.txt']);
    expect(stdout).toBe(`${marker}\n`);

    // The Images tab lists it as a saved image with the comment as its description.
    const images = await openSection(panel, /^Images$/, 'aiplat-image-list');
    const row = images.locator('[data-testid^="aiplat-image-row-"]', { hasText: savedRef });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-source')).toBe('saved');
    expect(await row.innerText()).toContain(comment);
    await screenshot(page, 'devmachine-jupyterlab-saved-image-listed');
  }, 400_000);
});
