import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DevMachine } from '@aiplat/api';
import { freshBrowser } from '../../testing/src/browser.js';
import { startPlatform, type PlatformFixture } from '../../testing/src/backend/platformFixture.js';
import { runningDevMachine } from '../../testing/src/devMachines.js';
import { buildDevMachineImage } from '../../testing/src/images/devMachineImage.js';
import { podmanMissing, startPodman, type PodmanHarness } from '../../testing/src/images/podman.js';
import { startRegistry, type RegistryServer } from '../../testing/src/images/registryServer.js';
import {
  answerInput,
  CATEGORY,
  notification,
  openView,
  runCommand,
  screenshot,
  statusBarItem,
  treeItem,
  waitForExtension,
  waitForWorkbench,
} from './harness.js';

/*
 * "Save Environment as Image…" from VS Code, end to end with real parts: a dev machine in a Podman
 * container from the image images/devmachine-local/build.sh makes (pushed to Debian's
 * docker-registry), its code-server opened in Chromium from a login link through the platform's
 * proxy, a file written in its terminal, then the command from the palette: the dev machine picked,
 * name, tag and comment typed, the preview read in the confirmation, the save followed to its end in
 * the notifications. Checked apart from the UI: skopeo reads the pushed image (the base's layers and
 * one more, with the comment in its history, holding the terminal's file), and the Images view lists it.
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
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-vscode-save-image-'));
  [podman, registry] = await Promise.all([startPodman(), startRegistry()]);
  baseRef = `${registry.host}/aiplat/devmachine:${randomBytes(4).toString('hex')}`;
  await buildDevMachineImage(baseRef);
  fx = await startPlatform({
    containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: false },
    images: { registry: { url: registry.url, insecure: false }, presets: [] },
    devMachines: { readyTimeoutMs: 120_000, stopGraceMs: 2000 },
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

describe.skipIf(skip)('save a dev machine as an image from its VS Code', () => {
  it('picks the dev machine, previews in the confirmation, follows the save; the pushed image is the base and one layer with the change', async () => {
    const machine: DevMachine = await runningDevMachine(fx.client(), {
      name: 'code-env',
      image: baseRef,
      ides: ['code-server'],
      resources: { cpu: 1, memory: '2Gi' },
    });
    machineIds.push(machine.id);
    const link = await fx.client().createLoginLink({ body: { next: machine.urls['code-server']! } });
    await page.goto(fx.baseUrl + link.path);
    await waitForWorkbench(page);
    expect(new URL(page.url()).pathname).toBe(machine.urls['code-server']!);
    await waitForExtension(page);
    await statusBarItem(page, /\d+ running/).waitFor({ timeout: 60_000 });

    // The change, made as a person would: in the dev machine's terminal, outside /work.
    const marker = `from vscode ${randomBytes(4).toString('hex')}`;
    await runCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm, .xterm').last();
    await terminal.waitFor({ timeout: 30_000 });
    await terminal.click();
    // Typed until the file is there: the first keys may arrive before the shell's prompt.
    const container = `aiplat-dm-${machine.id}`;
    await expect
      .poll(
        async () => {
          await terminal.click();
          await page.keyboard.type(`echo '${marker}' > /opt/from-code.txt\n`);
          return run('podman', ['exec', container, 'cat', '/opt/from-code.txt']).then(
            (r) => r.stdout,
            () => '',
          );
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(`${marker}\n`);

    await runCommand(page, `${CATEGORY}: Save Environment as Image…`);
    // The running dev machines to choose from; then repository, tag and comment.
    await answerInput(page, machine.id);
    const input = page.locator('.quick-input-widget input.input');
    await expect.poll(() => input.inputValue(), { timeout: 10_000 }).toBe('code-env');
    await answerInput(page, 'code-env');
    await expect.poll(() => input.inputValue()).toBe('v1');
    await answerInput(page, 'v3');
    const comment = `terminal change kept ${randomBytes(3).toString('hex')}`;
    await answerInput(page, comment);

    // The confirmation carries the preview: size, files, what changed, what is left out.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    expect(await dialog.locator('.dialog-message-text').innerText()).toBe('Save code-env as code-env:v3?');
    const detail = await dialog.locator('.dialog-message-detail').innerText();
    const counted = /^\S+ \S+ in ([\d,]+) files: (\d+) added, \d+ modified, \d+ deleted/.exec(detail);
    expect(counted, detail).not.toBeNull();
    expect(Number(counted![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    expect(Number(counted![2])).toBeGreaterThanOrEqual(1);
    expect(detail).toContain('Excluded by pattern:');
    await screenshot(page, 'devmachine-vscode-save-image-preview');
    // The dialog fits the window: its Save button is there to click.
    const save = dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Save$/ });
    expect(await save.isVisible()).toBe(true);
    expect((await save.boundingBox())!.y + (await save.boundingBox())!.height).toBeLessThanOrEqual(
      page.viewportSize()!.height,
    );
    await save.click();
    await dialog.waitFor({ state: 'hidden' });

    // Progress, then the end, in the notifications.
    const expectedRef = `${registry.host}/alice/code-env:v3`;
    await notification(page, `Saving ${expectedRef}`).waitFor({ timeout: 30_000 });
    const ended = notification(page, /Saved \S+|was not saved|cannot be saved/);
    await ended.waitFor({ timeout: 180_000 });
    expect(await ended.innerText()).toContain(`Saved ${expectedRef}`);
    await screenshot(page, 'devmachine-vscode-save-image-saved');

    // Independently of the UI: the registry holds the base's layers and one more, with the comment.
    const [saved, base] = (await Promise.all([inspect(expectedRef), inspect(baseRef)])) as [Inspected, Inspected];
    expect(saved.Layers).toHaveLength(base.Layers.length + 1);
    expect(saved.Layers.slice(0, -1)).toEqual(base.Layers);
    const config = (await inspect(expectedRef, true)) as { history: { comment?: string; author?: string }[] };
    expect(config.history.at(-1)).toMatchObject({ comment, author: 'alice' });
    // The new layer holds the terminal's file.
    const copy = path.join(dir, 'saved');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${expectedRef}`, `dir:${copy}`]);
    const layer = path.join(copy, saved.Layers.at(-1)!.replace(/^sha256:/, ''));
    // GNU tar finds the layer's compression itself; `*` takes a leading `./` too.
    const { stdout } = await run('tar', ['-xOf', layer, '--wildcards', '*opt/from-code.txt']);
    expect(stdout).toBe(`${marker}\n`);

    // The Images view lists it, described by its size and layers when the list knows them, else the comment.
    const images = await openView(page, 'Images');
    const row = treeItem(images, expectedRef);
    await row.waitFor({ timeout: 30_000 });
    const description = (await row.locator('.label-description').textContent()) ?? '';
    expect(description.endsWith(`${saved.Layers.length} layers`) || description === comment, description).toBe(true);
    await screenshot(page, 'devmachine-vscode-saved-image-listed');
  }, 400_000);
});
