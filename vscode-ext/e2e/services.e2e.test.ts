import { fileURLToPath } from 'node:url';
import { createClient, type ApiClient } from '@aiplat/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerInput,
  fromContextMenu,
  keepEvidence,
  openFromTree,
  startVsCode,
  treeItem,
  USER,
  type VsCode,
} from './harness.js';

/*
 * Online services in a real code-server against a real backend: a Python model server deployed
 * through the API runs on the local engine, shows Running 1/1 in the Services view, its page opens
 * from the view, and a bearer token created there is shown once. From the view's context menu it is
 * scaled to 2 replicas (2/2 ready) and a new version is rolled out (v2 serving).
 */

const MODEL_SERVER = fileURLToPath(new URL('../../testing/src/services/model_server.py', import.meta.url));
/** The model folder as the API names it (`home` is the user's own), and where it is under the root. */
const MODEL = 'home/models/tiny';
const MODEL_FILE = `home/${USER}/models/tiny/config.json`;

/** Runs a command of a tree item's context menu (right-click, then the entry). */
/**
 * Accepts every step of the open multi-step input as it is offered (the prefilled value, the active
 * pick), one step at a time, until the input closes; returns the titles seen.
 */
async function acceptEveryStep(page: Page, maxSteps = 40): Promise<string[]> {
  const widget = page.locator('.quick-input-widget');
  const title = widget.locator('.quick-input-title');
  const seen: string[] = [];
  await widget.waitFor({ state: 'visible' });
  for (let i = 0; i < maxSteps && (await widget.isVisible()); i++) {
    const now = (await title.textContent()) ?? '';
    seen.push(now);
    await page.keyboard.press('Enter');
    // The next step (another "n/N"), or the input closed.
    await expect
      .poll(async () => !(await widget.isVisible()) || ((await title.textContent()) ?? '') !== now, { timeout: 10_000 })
      .toBe(true);
  }
  return seen;
}

describe('the VS Code extension: online services', () => {
  let vsc: VsCode;
  let api: ApiClient;
  beforeAll(async () => {
    vsc = await startVsCode({ files: { [MODEL_FILE]: '{"model_type": "gpt2", "n_layer": 2}\n' } });
    api = createClient({ baseUrl: vsc.backendUrl, token: vsc.backendToken });
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('shows a deployed service Running, opens its page and creates a token shown once', async () => {
    await api.deployService({
      body: {
        spec: {
          name: 'tiny',
          version: {
            model: MODEL,
            command: `exec python3 ${MODEL_SERVER}`,
            // Small, so v1's two replicas and v2's fit the local engine's queue at once (a roll-out).
            resources: { cpu: 0.2, memory: '256Mi' },
            probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1 } },
          },
        },
      },
    });
    const view = await vsc.openView('Services');
    const item = treeItem(view, 'tiny');
    await item.waitFor({ timeout: 30_000 });
    // Live from the services topic: Deploying, then Running with its replica ready.
    await expect
      .poll(() => item.locator('.label-description').textContent(), { timeout: 60_000 })
      .toBe('Running · 1/1 ready');
    await vsc.screenshot('services-view-running');

    await openFromTree(view, 'tiny', 'Service: tiny');
    const service = await vsc.webview('Service: tiny');
    const overview = service.locator('table.summary');
    await overview.waitFor({ timeout: 30_000 });
    expect(await overview.getAttribute('data-state')).toBe('Running');
    expect(await overview.innerText()).toContain(`${vsc.backendUrl}/services/tiny/`);

    await service.locator('#tokenDescription').fill('from the e2e');
    await service.locator('button#createToken').click();
    const token = service.locator('#createdToken');
    await expect.poll(() => token.textContent(), { timeout: 30_000 }).toMatch(/^aiplat-sk-/);
    expect(await service.locator('.secret').innerText()).toContain('shown only this once');
    await expect.poll(() => service.locator('table.tokens tr').count(), { timeout: 30_000 }).toBe(2);
    expect(await service.locator('table.tokens').innerText()).toContain('from the e2e');
    await vsc.screenshot('service-page-token');

    // The token shown calls the service through the gateway.
    const called = await fetch(`${vsc.backendUrl}/services/tiny/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await token.textContent()) ?? ''}` },
      body: '{"text": "hi"}',
    });
    expect(called.status).toBe(200);

    // The online test panel calls it as the user.
    await service.locator('#testPath').fill('/predict');
    await service.locator('#testBody').fill('{"text": "from the page"}');
    await service.locator('button#testSend').click();
    await expect
      .poll(() => service.locator('#testResponse').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('200');
    expect(await service.locator('#testResponse').innerText()).toContain('from the page');
    await vsc.screenshot('service-page-test');
  }, 180_000);

  it('scales the service to 2 replicas from the view and rolls out a new version that serves', async () => {
    const view = await vsc.openView('Services');
    const item = treeItem(view, 'tiny');
    await expect
      .poll(() => item.locator('.label-description').textContent(), { timeout: 60_000 })
      .toBe('Running · 1/1 ready');

    await fromContextMenu(view, 'tiny', 'Scale…');
    const widget = vsc.page.locator('.quick-input-widget');
    await expect.poll(() => widget.locator('input.input').inputValue(), { timeout: 10_000 }).toBe('1');
    await answerInput(vsc.page, '2');
    await expect
      .poll(() => item.locator('.label-description').textContent(), { timeout: 90_000 })
      .toBe('Running · 2/2 ready');
    await vsc.screenshot('services-view-scaled');

    await fromContextMenu(view, 'tiny', 'Roll Out New Version…');
    const titles = await acceptEveryStep(vsc.page);
    expect(titles[0]).toContain('Roll Out a New Version of tiny');
    expect(titles.length).toBeGreaterThan(10);
    await expect
      .poll(
        async () => {
          const service = await api.getService({ params: { name: 'tiny' } });
          const serving = service.versions.find((v) => v.serving)?.version;
          return `v${serving} ${service.state} ${service.waitReason?.message ?? ''}${service.failure?.message ?? ''}`;
        },
        { timeout: 120_000 },
      )
      .toBe('v2 Running ');
    // The view shows v2 serving (the Versions group of the service, newest first).
    await item.locator('.monaco-tl-twistie').click();
    const versions = treeItem(view, 'Versions');
    await versions.waitFor({ timeout: 30_000 });
    await versions.locator('.monaco-tl-twistie').click();
    const v2 = treeItem(view, 'Version 2');
    await expect.poll(() => v2.locator('.label-description').textContent(), { timeout: 60_000 }).toMatch(/^serving/);
    await expect
      .poll(() => item.locator('.label-description').textContent(), { timeout: 90_000 })
      .toBe('Running · 2/2 ready');
    await vsc.screenshot('services-view-rolled-out');
  }, 300_000);
});
