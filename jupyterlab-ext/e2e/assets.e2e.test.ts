import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@aiplat/api';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, startLab, USER, type Lab } from './harness.js';

/*
 * Datasets as managed assets in a real JupyterLab against a real backend: the Catalog section's
 * Datasets tab creates a dataset (a bad name refused at its field as typed), uploads a .jsonl
 * through the import form's file field, sees the import task end with its record check (the bad
 * record at file:line), opens the working folder in JupyterLab's file browser, publishes v1 and sees
 * it listed, downloads it as a .tar, shares it and copies the token shown once, revokes the share,
 * sees the revoked token refused as expired or revoked, and deletes the dataset after the dialog.
 * The Models tab imports a folder selected in the file browser as a model's v1, whose summary
 * (architecture, dtype) shows once the import task ends; it is accelerated, evicted and exported into
 * a folder. A download link that trickles shows its
 * progress live (bytes of the total, from the asset-tasks topic) until Cancel ends it; a file
 * dropped on the dataset's row is uploaded into it.
 */

const SLOW_TOTAL = 1024 * 1024;

/** Serves a 1 MiB file that trickles 16 KiB every 100 ms (it would take 6 s): an import to watch and cancel. */
function slowServer(): Promise<Server> {
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SLOW_TOTAL) });
    let sent = 0;
    const timer = setInterval(() => {
      const chunk = Math.min(16 * 1024, SLOW_TOTAL - sent);
      res.write(Buffer.alloc(chunk, 0x61));
      sent += chunk;
      if (sent >= SLOW_TOTAL) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const NAME = 'alpaca-e2e';
const GOOD = JSON.stringify({ instruction: 'translate to English', input: '你好', output: 'Hello' });
const BAD = JSON.stringify({ instruction: 'translate to English', input: '再见' });

/** A safetensors file: 8-byte little-endian header length, the JSON header, then the weights. */
function safetensors(): string {
  const header = JSON.stringify({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } });
  const length = String.fromCharCode(header.length) + '\0'.repeat(7);
  return length + header + '\0'.repeat(24);
}

async function openCatalog(lab: Lab): Promise<Locator> {
  const panel = await lab.openPanel();
  await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
  await panel.locator('.lm-TabBar-tab', { hasText: /^Catalog$/ }).click();
  const list = panel.locator('[data-testid="aiplat-asset-list-datasets"]');
  await list.waitFor();
  return list;
}

describe('datasets in the Catalog section of JupyterLab', () => {
  let lab: Lab;
  let slow: Server;
  beforeAll(async () => {
    slow = await slowServer();
    lab = await startLab({
      // The trickling server is on loopback, which download links may not reach unless allowed.
      backendConfig: "catalog: { download: { allowHosts: ['127.0.0.1'] } }\n",
      files: {
        [`home/${USER}/runs/tiny/config.json`]: JSON.stringify({
          architectures: ['GPT2LMHeadModel'],
          model_type: 'gpt2',
          torch_dtype: 'float32',
        }),
        [`home/${USER}/runs/tiny/model.safetensors`]: safetensors(),
      },
    });
    await lab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.labUrl });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
    slow?.closeAllConnections();
    slow?.close();
  });

  it(
    'creates a dataset, uploads records, publishes v1, shares it and copies the token',
    { timeout: 90_000 },
    async () => {
      const { page } = lab;
      const list = await openCatalog(lab);
      await list.locator('[data-testid="aiplat-asset-list-empty-datasets"]').waitFor();

      // Create: a bad name is refused at its field as typed.
      await list.locator('[data-testid="aiplat-asset-new-datasets"]').click();
      const form = list.locator('[data-testid="aiplat-asset-create-form"]');
      const name = form.locator('[data-testid="aiplat-field-name"]');
      await name.fill('bad name');
      await expect.poll(() => form.locator('[data-testid="aiplat-field-error-name"]').innerText()).toMatch(/letters/);
      expect(await form.locator('[data-testid="aiplat-asset-create"]').isDisabled()).toBe(true);
      await name.fill(NAME);
      await form.locator('[data-testid="aiplat-field-description"]').fill('SFT pairs');
      await form.locator('[data-testid="aiplat-field-annotationType"]').selectOption('instruction');
      await form.locator('[data-testid="aiplat-asset-create"]').click();
      const row = list.locator(`[data-testid="aiplat-asset-row-${NAME}"]`);
      await row.waitFor();
      await form.waitFor({ state: 'detached' });
      expect(await row.innerText()).toContain('SFT pairs');

      // Upload a .jsonl through the import form; the task ends with the record check.
      await row.locator(`[data-testid="aiplat-asset-import-${NAME}"]`).click();
      const importForm = row.locator('[data-testid="aiplat-asset-import-form"]');
      await importForm.locator('[data-testid="aiplat-field-source"]').selectOption('upload');
      await importForm.locator('[data-testid="aiplat-asset-import-file"]').setInputFiles({
        name: 'train.jsonl',
        mimeType: 'application/jsonl',
        buffer: Buffer.from(`${GOOD}\n${GOOD}\n${BAD}\n`),
      });
      await importForm.locator('[data-testid="aiplat-asset-import-start"]').click();
      const ended = row.locator('[data-testid="aiplat-asset-task-ended"]');
      await ended.waitFor({ timeout: 30_000 });
      expect(await ended.getAttribute('data-state')).toBe('succeeded');
      const records = ended.locator('[data-testid="aiplat-asset-records"]');
      expect(await records.getAttribute('data-bad')).toBe('1');
      expect(await records.locator('[data-testid="aiplat-asset-record-problem"]').first().innerText()).toMatch(
        /^train\.jsonl:3 /,
      );
      await lab.screenshot('assets-imported');

      // The working folder opens in JupyterLab's file browser, holding the upload.
      await row.locator(`[data-testid="aiplat-asset-open-${NAME}"]`).click();
      await page.locator('.jp-DirListing-item', { hasText: 'train.jsonl' }).waitFor({ timeout: 15_000 });
      await lab.openPanel();

      // Publish v1: it is listed, ready, with its file.
      await row.locator(`[data-testid="aiplat-asset-publish-${NAME}"]`).click();
      await row.locator(`[data-testid="aiplat-asset-publish-description-${NAME}"]`).fill('first cut');
      await row.locator(`[data-testid="aiplat-asset-publish-start-${NAME}"]`).click();
      const v1 = row.locator(`[data-testid="aiplat-asset-version-${NAME}-v1"]`);
      await v1.waitFor({ timeout: 15_000 });
      expect(await v1.getAttribute('data-state')).toBe('ready');
      expect(await v1.innerText()).toMatch(/1 files/);
      expect(await v1.innerText()).toContain('first cut');

      // A version is a hidden, read-only folder JupyterLab's file browser does not show: it opens
      // in the Workspace's Files tree instead, unfolded down to its file.
      await v1.locator(`[data-testid="aiplat-asset-version-open-${NAME}-v1"]`).click();
      const versionPath = `home/.catalog/datasets/${NAME}/v1`;
      const sidebar = await lab.openPanel();
      await sidebar.locator(`[data-path="${versionPath}/train.jsonl"]`).waitFor({ timeout: 15_000 });
      await lab.screenshot('assets-version-open');
      await sidebar.locator('.lm-TabBar-tab', { hasText: /^Catalog$/ }).click();

      // Download it as a tar archive.
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 15_000 }),
        v1.locator(`[data-testid="aiplat-asset-version-download-${NAME}-v1"]`).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${NAME}-v1.tar`);

      // Share v1: the token is shown once; Copy puts it on the clipboard.
      await v1.locator(`[data-testid="aiplat-asset-version-share-${NAME}-v1"]`).click();
      await v1.locator('[data-testid^="aiplat-asset-share-hours-"]').fill('24');
      await v1.locator('[data-testid^="aiplat-asset-share-create-"]').click();
      const shown = list.locator('[data-testid="aiplat-asset-share-token"]');
      await shown.waitFor({ timeout: 15_000 });
      const token = (await shown.locator('[data-testid="aiplat-asset-share-token-value"]').innerText()).trim();
      expect(token.length).toBeGreaterThan(10);
      expect(await shown.innerText()).toContain(`${NAME}@v1`);
      await shown.locator('[data-testid="aiplat-asset-share-token-copy"]').click();
      await expect
        .poll(() => shown.locator('[data-testid="aiplat-asset-share-token-copy"]').innerText())
        .toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
      await lab.screenshot('assets-shared');
      await shown.locator('[data-testid="aiplat-asset-share-token-dismiss"]').click();
      await shown.waitFor({ state: 'detached' });

      // The share is listed with its version; revoked, its token is refused as expired or revoked.
      await row.locator(`[data-testid="aiplat-asset-shares-${NAME}"]`).click();
      const share = row.locator('[data-testid^="aiplat-asset-share-item-"]');
      await share.first().waitFor({ timeout: 15_000 });
      expect(await share.first().getAttribute('data-status')).toBe('active');
      await share.first().locator('[data-testid^="aiplat-asset-share-revoke-"]').click();
      await expect.poll(() => share.first().getAttribute('data-status')).toBe('revoked');
      await list.locator('[data-testid="aiplat-asset-add-shared-datasets"]').click();
      const redeem = list.locator('[data-testid="aiplat-asset-redeem-form"]');
      await redeem.locator('[data-testid="aiplat-field-token"]').fill(token);
      await redeem.locator('[data-testid="aiplat-asset-redeem"]').click();
      await redeem.locator('[data-testid="aiplat-asset-redeem-expired"]').waitFor({ timeout: 15_000 });
      await redeem.locator('[data-testid="aiplat-asset-redeem-cancel"]').click();

      // Delete, after the dialog.
      await row.locator(`[data-testid="aiplat-asset-delete-${NAME}"]`).click();
      await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached', timeout: 15_000 });
    },
  );

  it(
    'imports the folder selected in the file browser as a model version with its summary',
    { timeout: 60_000 },
    async () => {
      const { page } = lab;
      await lab.runCommand('filebrowser:go-to-path', { path: `home/${USER}/runs/tiny` });
      await page.locator('.jp-DirListing-item', { hasText: 'model.safetensors' }).waitFor({ timeout: 15_000 });
      const panel = await lab.openPanel();
      await panel.locator('[data-testid="aiplat-assets-tab-models"]').click();
      const list = panel.locator('[data-testid="aiplat-asset-list-models"]');
      await list.waitFor();
      await list.locator('[data-testid="aiplat-asset-new-models"]').click();
      const form = list.locator('[data-testid="aiplat-asset-create-form"]');
      // A model has no data or annotation type.
      expect(await form.locator('[data-testid="aiplat-field-annotationType"]').count()).toBe(0);
      await form.locator('[data-testid="aiplat-field-name"]').fill('tiny-gpt');
      await form.locator('[data-testid="aiplat-asset-create"]').click();
      const row = list.locator('[data-testid="aiplat-asset-row-tiny-gpt"]');
      await row.waitFor();

      await row.locator('[data-testid="aiplat-asset-import-tiny-gpt"]').click();
      const importForm = row.locator('[data-testid="aiplat-asset-import-form"]');
      expect(await importForm.locator('[data-testid="aiplat-field-path"]').inputValue()).toBe('home/runs/tiny');
      await importForm.locator('[data-testid="aiplat-field-description"]').fill('after SFT');
      await importForm.locator('[data-testid="aiplat-asset-import-start"]').click();
      const v1 = row.locator('[data-testid="aiplat-asset-version-tiny-gpt-v1"]');
      await v1.waitFor({ timeout: 15_000 });
      await expect.poll(() => v1.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
      const summary = await v1.locator('[data-testid="aiplat-asset-version-summary-tiny-gpt-v1"]').innerText();
      expect(summary).toContain('GPT2LMHeadModel');
      expect(summary).toContain('float32');
      expect(await v1.innerText()).toContain('after SFT');
      await lab.screenshot('assets-model');

      // Deploy: the service form opens with the model version as its model (resolved at deploy).
      await v1.locator('[data-testid="aiplat-asset-version-deploy-tiny-gpt-v1"]').click();
      const serviceForm = lab.page.locator('[data-testid="aiplat-service-form"]').last();
      await serviceForm.waitFor();
      expect(await serviceForm.locator('[data-testid="aiplat-field-model"]').inputValue()).toBe('tiny-gpt@v1');
      expect(await serviceForm.locator('[data-testid="aiplat-field-error-model"]').count()).toBe(0);
      await lab.page.keyboard.press('Escape');

      // Accelerate: a copy on the fast storage, marked on the version; Evict removes it.
      await v1.locator('[data-testid="aiplat-asset-version-accelerate-tiny-gpt-v1"]').click();
      const accelerated = v1.locator('[data-testid="aiplat-asset-version-accelerated-tiny-gpt-v1"]');
      await expect.poll(() => accelerated.innerText(), { timeout: 15_000 }).toBe('Accelerated');
      await v1.locator('[data-testid="aiplat-asset-version-evict-tiny-gpt-v1"]').click();
      await accelerated.waitFor({ state: 'detached', timeout: 15_000 });

      // Export into a new folder: a task whose end tells where the copy is.
      await v1.locator('[data-testid="aiplat-asset-version-export-tiny-gpt-v1"]').click();
      await v1.locator('[data-testid="aiplat-asset-version-export-path-tiny-gpt-v1"]').fill('home/exported-tiny');
      await v1.locator('[data-testid="aiplat-asset-version-export-start-tiny-gpt-v1"]').click();
      const ended = row.locator('[data-testid="aiplat-asset-task-ended"]');
      await expect.poll(() => ended.innerText(), { timeout: 15_000 }).toMatch(/^Export v1: Succeeded/);
    },
  );

  it('shows a download’s progress live and cancels it', { timeout: 60_000 }, async () => {
    const client = createClient({ baseUrl: lab.backendUrl, token: lab.backendToken });
    await client.createAsset({ params: { kind: 'datasets' }, body: { name: 'slow-data', dataType: 'other' } });
    const panel = await lab.openPanel();
    await panel.locator('[data-testid="aiplat-assets-tab-datasets"]').click();
    const list = panel.locator('[data-testid="aiplat-asset-list-datasets"]');
    await list.locator('[data-testid="aiplat-asset-refresh-datasets"]').click();
    const row = list.locator('[data-testid="aiplat-asset-row-slow-data"]');
    await row.waitFor({ timeout: 15_000 });
    await row.locator('[data-testid="aiplat-asset-import-slow-data"]').click();
    const importForm = row.locator('[data-testid="aiplat-asset-import-form"]');
    await importForm.locator('[data-testid="aiplat-field-source"]').selectOption('url');
    const url = importForm.locator('[data-testid="aiplat-field-url"]');
    await url.fill('ftp://example.com/a.bin');
    await expect.poll(() => importForm.locator('[data-testid="aiplat-field-error-url"]').innerText()).toMatch(/http/);
    const { port } = slow.address() as AddressInfo;
    await url.fill(`http://127.0.0.1:${port}/big.bin`);
    await importForm.locator('[data-testid="aiplat-asset-import-extract"]').uncheck();
    await importForm.locator('[data-testid="aiplat-asset-import-start"]').click();

    const task = row.locator('[data-testid^="aiplat-asset-task-at-"]');
    await task.waitFor({ timeout: 15_000 });
    const bytes = task.locator('[data-testid="aiplat-asset-task-bytes"]');
    await expect.poll(() => bytes.innerText(), { timeout: 15_000 }).toMatch(/KiB \/ 1\.0 MiB/);
    await expect
      .poll(() => task.locator('progress').evaluate((p) => (p as HTMLProgressElement).value), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await task.locator('[data-testid="aiplat-asset-task-phase"]').innerText()).toMatch(/Downloading/);
    await lab.screenshot('assets-downloading');
    await task.locator('[data-testid^="aiplat-asset-task-cancel-"]').click();
    const ended = row.locator('[data-testid="aiplat-asset-task-ended"]');
    await ended.waitFor({ timeout: 15_000 });
    expect(await ended.getAttribute('data-state')).toBe('cancelled');
    await task.waitFor({ state: 'detached' });

    // A file dropped on the row is uploaded into the dataset.
    const dataTransfer = await lab.page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['hello\n'], 'notes.txt', { type: 'text/plain' }));
      return transfer;
    });
    await row.dispatchEvent('dragover', { dataTransfer });
    await row.dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => ended.getAttribute('data-state'), { timeout: 15_000 }).toBe('succeeded');
    expect(await ended.innerText()).toContain('home/datasets/slow-data');
  });
});
