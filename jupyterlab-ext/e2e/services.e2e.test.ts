import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@aiplat/api';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepEvidence, savedWorkspace, screenshot, startLab, USER, waitForLab, type Lab } from './harness.js';

/*
 * Online services in a real JupyterLab against a real backend on the local engine: "Deploy" on a
 * model of the Models list opens the deploy form with the model prefilled; a bad name is refused at
 * its field as it is typed; the service (a Python model server) deploys, shows Running 1/1 in the
 * Services tab (live from the services topic); its detail shows the replica's log; a token created
 * there is shown once and calls the service through the gateway; the online test panel's request
 * is answered by the model. An OpenAI-compatible chat server's reply streams into the chat box
 * delta by delta, its usage shown at the end; the curl command signed with an AppKey created on the
 * page is let through by the gateway; after a reload the open service views are back. The update
 * form (the list's Update) scales the service to two ready replicas, opens it to anyone (after the
 * explicit yes) with other limits, shows the API's 400 at its field and rolls out a version 2 that
 * then serves, its probe's timeout kept; its held-back buttons look disabled. Deleted, the page says
 * so and nothing on it acts on the service any more.
 */

const MODEL_SERVER = fileURLToPath(new URL('../../testing/src/services/model_server.py', import.meta.url));
const CHAT_SERVER = fileURLToPath(new URL('../../testing/src/services/chat_server.py', import.meta.url));

/** A safetensors file: 8-byte little-endian header length, the JSON header, then the weights. */
function safetensors(): string {
  const header = JSON.stringify({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } });
  const length = String.fromCharCode(header.length) + '\0'.repeat(7);
  return length + header + '\0'.repeat(24);
}

async function sectionTab(lab: Lab, label: RegExp): Promise<Locator> {
  const panel = await lab.openPanel();
  await panel.locator('[data-testid="aiplat-connection"][data-status="connected"]').waitFor({ timeout: 30_000 });
  await panel.locator('.lm-TabBar-tab', { hasText: label }).first().click();
  return panel;
}

describe('online services in JupyterLab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      files: {
        [`home/${USER}/models/tiny/config.json`]: '{"model_type": "gpt2", "n_layer": 2}\n',
        [`home/${USER}/models/tiny/model.safetensors`]: safetensors(),
      },
    });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
  afterAll(async () => {
    await lab?.close();
  });

  it(
    'deploys a model from the Models list, sees it Running, creates a token shown once and tests it',
    { timeout: 240_000 },
    async () => {
      const { page } = lab;
      const panel = await sectionTab(lab, /^Workspace$/);
      await panel.locator('[data-testid="aiplat-tab-models"]').click();
      const model = panel.locator('[data-testid="aiplat-catalog-item"][data-path="home/models/tiny"]');
      await model.waitFor({ timeout: 30_000 });
      await model.locator('[data-testid="aiplat-catalog-deploy"]').click();

      const form = page.locator('[data-testid="aiplat-service-form"]').last();
      await form.waitFor();
      expect(await form.locator('[data-testid="aiplat-field-model"]').inputValue()).toBe('home/models/tiny');
      expect(await form.locator('[data-testid="aiplat-field-name"]').inputValue()).toBe('tiny');
      // Refused at the field as it is typed, and Deploy waits for a fix.
      await form.locator('[data-testid="aiplat-field-name"]').fill('Tiny!');
      await expect.poll(() => form.locator('[data-testid="aiplat-field-error-name"]').innerText()).toMatch(/lowercase/);
      expect(await form.locator('[data-testid="aiplat-service-deploy"]').isDisabled()).toBe(true);
      // "Anyone" asks for an explicit yes.
      await form.locator('[data-testid="aiplat-field-auth"]').selectOption('none');
      await form.locator('[data-testid="aiplat-service-noauth-warning"]').waitFor();
      await form.locator('[data-testid="aiplat-field-auth"]').selectOption('appkey,token');
      await form.locator('[data-testid="aiplat-service-noauth-warning"]').waitFor({ state: 'detached' });

      await form.locator('[data-testid="aiplat-field-name"]').fill('tiny');
      await form.locator('[data-testid="aiplat-field-command"]').fill(`exec python3 ${MODEL_SERVER}`);
      await form.locator('[data-testid="aiplat-field-cpu"]').fill('0.5');
      await form.locator('[data-testid="aiplat-field-memory"]').fill('256Mi');
      await form.locator('[data-testid="aiplat-field-readiness-type"]').selectOption('http');
      await form.locator('[data-testid="aiplat-field-readiness-target"]').fill('/ready');
      await form.locator('[data-testid="aiplat-field-readiness-periodSeconds"]').fill('1');
      await form.locator('[data-testid="aiplat-field-error-name"]').waitFor({ state: 'detached' });
      await screenshot(page, 'service-form');
      await form.locator('[data-testid="aiplat-service-deploy"]').click();
      await form.waitFor({ state: 'detached', timeout: 30_000 });

      // The Services tab, live from the services topic: Running with its one replica ready.
      await sectionTab(lab, /^Services$/);
      const row = panel.locator('[data-testid="aiplat-service-row-tiny"]');
      await row.locator('[data-testid="aiplat-service-state-tiny"][data-state="Running"]').waitFor({ timeout: 90_000 });
      await expect
        .poll(() => row.locator('[data-testid="aiplat-service-replicas-tiny"]').innerText())
        .toBe('1/1 ready');
      expect(await row.locator('[data-testid="aiplat-service-url-tiny"]').innerText()).toBe(
        `${lab.backendUrl}/services/tiny/`,
      );
      await screenshot(page, 'service-list-running');

      // The detail (opened by the deploy; Open brings it forward).
      await row.locator('[data-testid="aiplat-service-open-tiny"]').click();
      const view = page.locator('[data-testid="aiplat-service-view"][data-name="tiny"]');
      await view
        .locator('[data-testid="aiplat-service-detail-state"][data-state="Running"]')
        .waitFor({ timeout: 30_000 });
      await view.locator('[data-testid="aiplat-service-version-1"][data-serving="true"]').waitFor();
      await view.locator('[data-testid="aiplat-service-replica-1-0"][data-state="Ready"]').waitFor();
      await view.locator('[data-testid="aiplat-service-tab-logs"]').click();
      await expect
        .poll(() => view.locator('[data-testid="aiplat-service-logs"]').innerText(), { timeout: 30_000 })
        .toContain('loaded gpt2 with 6 parameters');

      // A token, shown once with Copy and the warning, calls the service through the gateway.
      await view.locator('[data-testid="aiplat-service-tab-keys"]').click();
      await view.locator('[data-testid="aiplat-service-token-description"]').fill('from the e2e');
      await view.locator('[data-testid="aiplat-service-token-create"]').click();
      const secret = view.locator('[data-testid="aiplat-service-secret"]');
      await secret.waitFor({ timeout: 30_000 });
      expect(await secret.innerText()).toContain('you will not see it again');
      const token = (await view.locator('[data-testid="aiplat-service-secret-value"]').innerText()).trim();
      expect(token.length).toBeGreaterThan(16);
      await view.locator('[data-testid="aiplat-service-secret-copy"]').waitFor();
      await expect
        .poll(() => view.locator('[data-testid="aiplat-service-tokens"]').innerText())
        .toContain('from the e2e');
      await screenshot(page, 'service-token-once');
      const called = await fetch(`${lab.backendUrl}/services/tiny/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"text": "with the token"}',
      });
      expect(called.status).toBe(200);
      expect(await called.json()).toMatchObject({ model_type: 'gpt2', input: { text: 'with the token' } });
      await view.locator('[data-testid="aiplat-service-secret-dismiss"]').click();
      await secret.waitFor({ state: 'detached' });
      expect(await view.innerText()).not.toContain(token);

      // The online test panel calls it as the user, through the gateway.
      await view.locator('[data-testid="aiplat-service-tab-calls"]').click();
      await view.locator('[data-testid="aiplat-service-test-path"]').fill('/predict');
      await view.locator('[data-testid="aiplat-service-test-body"]').fill('{"text": "from the page"}');
      await view.locator('[data-testid="aiplat-service-test-send"]').click();
      const answer = view.locator('[data-testid="aiplat-service-test-response"]');
      await answer.waitFor({ timeout: 30_000 });
      expect(await answer.getAttribute('data-status')).toBe('200');
      expect(await answer.innerText()).toContain('from the page');
      await screenshot(page, 'service-test-panel');
    },
  );

  it(
    'streams a chat into the chat box delta by delta, signs a curl with an AppKey, comes back after a reload',
    { timeout: 120_000 },
    async () => {
      const { page } = lab;
      const api = createClient({ baseUrl: lab.backendUrl, token: lab.backendToken });
      await api.deployService({
        body: {
          spec: {
            name: 'chat',
            version: {
              model: 'home/models/tiny',
              command: `exec python3 ${CHAT_SERVER}`,
              env: { CHUNK_DELAY_MS: '300', REPLY_WORDS: '4' },
              resources: { cpu: 0.5, memory: '256Mi' },
            },
          },
        },
      });
      await lab.runCommand('aiplat:open-service', { name: 'chat' });
      const view = page.locator('[data-testid="aiplat-service-view"][data-name="chat"]');
      await view
        .locator('[data-testid="aiplat-service-detail-state"][data-state="Running"]')
        .waitFor({ timeout: 90_000 });
      await view.locator('[data-testid="aiplat-service-tab-calls"]').click();
      // Every text the streaming reply shows, as the page draws it.
      await view.locator('[data-testid="aiplat-service-chat-log"]').evaluate((log) => {
        const seen: string[] = [];
        (window as unknown as { chatTexts: string[] }).chatTexts = seen;
        new MutationObserver(() => {
          const text = log.querySelector('[data-testid="aiplat-service-chat-streaming"]')?.textContent ?? '';
          if (text && seen.at(-1) !== text) seen.push(text);
        }).observe(log, { subtree: true, childList: true, characterData: true });
      });
      await view.locator('[data-testid="aiplat-service-chat-input"]').fill('hello');
      await view.locator('[data-testid="aiplat-service-chat-send"]').click();
      const usage = view.locator('[data-testid="aiplat-service-chat-usage"]');
      await usage.waitFor({ timeout: 30_000 });
      expect(await usage.innerText()).toBe('Tokens: 10 prompt, 4 completion, 14 in all');
      const replies = view.locator('[data-testid="aiplat-service-chat-log"] [data-role="assistant"]');
      expect(await replies.last().textContent()).toBe('word0 word1 word2 word3 ');
      const texts = await page.evaluate(() => (window as unknown as { chatTexts: string[] }).chatTexts);
      expect(texts.filter((t) => t !== '…')).toEqual([
        'word0 ',
        'word0 word1 ',
        'word0 word1 word2 ',
        'word0 word1 word2 word3 ',
      ]);
      await screenshot(page, 'service-chat');

      // An AppKey bound to the service, its secret shown once; pasted into the curl panel it signs a
      // command that the gateway lets through.
      await view.locator('[data-testid="aiplat-service-tab-keys"]').click();
      await view.locator('[data-testid="aiplat-service-appkey-create"]').click();
      const secret = view.locator('[data-testid="aiplat-service-secret"][data-kind="appkey"]');
      await secret.waitFor({ timeout: 30_000 });
      const appSecret = (await view.locator('[data-testid="aiplat-service-secret-value"]').innerText()).trim();
      await view.locator('[data-testid="aiplat-service-secret-dismiss"]').click();
      await view.locator('[data-testid="aiplat-service-tab-calls"]').click();
      await view.locator('[data-testid="aiplat-service-curl-secret"]').fill(appSecret);
      await view.locator('[data-testid="aiplat-service-curl-path"]').fill('/stats');
      await view.locator('[data-testid="aiplat-service-curl-make"]').click();
      const command = await view.locator('[data-testid="aiplat-service-curl-command"]').innerText();
      expect(command).toMatch(
        /^curl '.*\/services\/chat\/stats' -H 'AppKey: ak-[0-9a-f]{16}' -H 'Timestamp: \d+' -H 'Sign: [0-9a-f]{40}'$/,
      );
      expect(command).not.toContain(appSecret);
      const output = execFileSync('sh', ['-c', `${command} -s -w ' %{http_code}'`], { encoding: 'utf8' });
      expect(output).toMatch(/"requests".* 200$/);
      await screenshot(page, 'service-curl');

      // The service views come back after a reload, each showing its service.
      await expect.poll(() => savedWorkspace(lab), { timeout: 30_000 }).toContain('aiplat-service-view:chat');
      // Reloaded as a user does; not with ?reset, which would clear the saved layout.
      await page.goto(`${lab.labUrl}/lab?token=${lab.jupyterToken}`);
      await waitForLab(page);
      const restored = page.locator('[data-testid="aiplat-service-view"][data-name="chat"]');
      await restored
        .locator('[data-testid="aiplat-service-detail-state"][data-state="Running"]')
        .waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="aiplat-service-view"][data-name="tiny"]').count()).toBe(1);
    },
  );
  it(
    'updates a service from its detail: scales 1→2, changes auth and limits, shows a 400 at its field, rolls out version 2',
    { timeout: 240_000 },
    async () => {
      const { page } = lab;
      const api = createClient({ baseUrl: lab.backendUrl, token: lab.backendToken });
      const readiness = { type: 'http' as const, path: '/ready', periodSeconds: 1, timeoutSeconds: 2 };
      await api.deployService({
        body: {
          spec: {
            name: 'grow',
            version: {
              model: 'home/models/tiny',
              command: `exec python3 ${MODEL_SERVER}`,
              env: { GREETING: 'one' },
              // Small: the rollout runs four replicas at once beside the other tests' services.
              resources: { cpu: 0.1, memory: '128Mi' },
              probes: { readiness },
            },
          },
        },
      });
      // The list's Update opens the detail at its update form, prefilled from the serving version.
      const panel = await sectionTab(lab, /^Services$/);
      const row = panel.locator('[data-testid="aiplat-service-row-grow"]');
      await row.locator('[data-testid="aiplat-service-state-grow"][data-state="Running"]').waitFor({ timeout: 90_000 });
      await row.locator('[data-testid="aiplat-service-update-grow"]').click();
      const view = page.locator('[data-testid="aiplat-service-view"][data-name="grow"]');
      const form = view.locator('[data-testid="aiplat-service-update"]');
      await form.waitFor({ timeout: 30_000 });
      const field = (name: string) => form.locator(`[data-testid="aiplat-field-${name}"]`);
      expect(await field('replicas').inputValue()).toBe('1');
      expect(await field('command').inputValue()).toBe(`exec python3 ${MODEL_SERVER}`);
      expect(await field('env').inputValue()).toBe('GREETING=one');
      expect(await field('readiness-target').inputValue()).toBe('/ready');
      expect(await field('readiness-timeoutSeconds').inputValue()).toBe('2');
      expect(await field('readiness-initialDelaySeconds').inputValue()).toBe('0');
      expect(await field('qpsPerReplica').inputValue()).toBe('100');
      const held = form.locator('[data-testid="aiplat-service-update-version"]');
      expect(await held.isDisabled()).toBe(true);
      // It looks it, as JupyterLab's own disabled buttons do: faded, with the not-allowed cursor.
      expect(await held.evaluate((b) => [getComputedStyle(b).cursor, getComputedStyle(b).opacity])).toEqual([
        'not-allowed',
        '0.5',
      ]);

      // Checked as typed: 17 replicas are refused at the field, and Scale waits for a fix.
      await field('replicas').fill('17');
      await expect.poll(() => form.locator('[data-testid="aiplat-field-error-replicas"]').innerText()).toMatch(/16/);
      expect(await form.locator('[data-testid="aiplat-service-update-scale"]').isDisabled()).toBe(true);
      await field('replicas').fill('2');
      await form.locator('[data-testid="aiplat-service-update-scale"]').click();
      await expect
        .poll(() => view.locator('[data-testid="aiplat-service-detail-ready"]').innerText(), { timeout: 60_000 })
        .toBe('2/2 ready');
      await view.locator('[data-testid="aiplat-service-tab-overview"]').click();
      await view.locator('[data-testid="aiplat-service-replica-1-1"][data-state="Ready"]').waitFor();
      await screenshot(page, 'service-scaled');

      // Who may call and the limits: anyone only after the explicit yes.
      await view.locator('[data-testid="aiplat-service-tab-update"]').click();
      const save = form.locator('[data-testid="aiplat-service-update-settings"]');
      expect(await save.isDisabled()).toBe(true);
      await field('auth').selectOption('none');
      await form.locator('[data-testid="aiplat-service-noauth-warning"]').waitFor();
      await field('qpsPerReplica').fill('50');
      expect(await save.isDisabled()).toBe(true);
      await field('noAuthConfirmed').check();
      await save.click();
      await view.locator('[data-testid="aiplat-service-tab-overview"]').click();
      await expect.poll(() => view.locator('[data-testid="aiplat-service-auth"]').innerText()).toBe('none');
      expect((await api.getService({ params: { name: 'grow' } })).limits.qpsPerReplica).toBe(50);

      // A model folder that is not there: the API's 400 at the field.
      await view.locator('[data-testid="aiplat-service-tab-update"]').click();
      await field('model').fill('home/models/none');
      await form.locator('[data-testid="aiplat-service-update-version"]').click();
      await expect
        .poll(() => form.locator('[data-testid="aiplat-field-error-model"]').innerText(), { timeout: 30_000 })
        .toContain('does not exist under /work');
      await screenshot(page, 'service-update-400');

      // Version 2 (another variable) rolls out with the two replicas and serves.
      await field('model').fill('home/models/tiny');
      await field('env').fill('GREETING=two');
      await form.locator('[data-testid="aiplat-field-error-model"]').waitFor({ state: 'detached' });
      await form.locator('[data-testid="aiplat-service-update-version"]').click();
      await view.locator('[data-testid="aiplat-service-tab-overview"]').click();
      await view.locator('[data-testid="aiplat-service-version-2"][data-serving="true"]').waitFor({ timeout: 90_000 });
      await view.locator('[data-testid="aiplat-service-replica-2-1"][data-state="Ready"]').waitFor({ timeout: 30_000 });
      const versions = await api.getService({ params: { name: 'grow' } });
      // The probe's timeout, never shown to be changed, is the new version's too.
      expect(versions.versions.at(-1)?.spec).toMatchObject({
        env: { GREETING: 'two' },
        replicas: 2,
        probes: { readiness: { timeoutSeconds: 2 } },
      });
      // Called through the gateway, version 2 answers.
      await view.locator('[data-testid="aiplat-service-tab-calls"]').click();
      await view.locator('[data-testid="aiplat-service-test-path"]').fill('/predict');
      await view.locator('[data-testid="aiplat-service-test-body"]').fill('{"text": "after the update"}');
      await view.locator('[data-testid="aiplat-service-test-send"]').click();
      const answer = view.locator('[data-testid="aiplat-service-test-response"]');
      await expect.poll(() => answer.innerText(), { timeout: 30_000 }).toContain('after the update');
      expect(await answer.innerText()).toMatch(/"version": "2"/);
      // The form follows the service: version 3 next.
      await view.locator('[data-testid="aiplat-service-tab-update"]').click();
      expect(await form.locator('[data-testid="aiplat-service-update-version"]').innerText()).toBe(
        'Roll out version 3',
      );
      expect(await field('env').inputValue()).toBe('GREETING=two');
      await screenshot(page, 'service-version-2');

      // The palette's command scales back down.
      await lab.runCommand('aiplat:scale-service', { name: 'grow', replicas: 1 });
      await expect
        .poll(() => view.locator('[data-testid="aiplat-service-detail-ready"]').innerText(), { timeout: 60_000 })
        .toBe('1/1 ready');

      // Deleted (through the API): the page says so; its update form stays shown, every control disabled.
      await api.stopService({ params: { name: 'grow' }, body: {} });
      await view
        .locator('[data-testid="aiplat-service-detail-state"][data-state="Stopped"]')
        .waitFor({ timeout: 60_000 });
      await api.deleteService({ params: { name: 'grow' } });
      await view.locator('[data-testid="aiplat-service-detail-deleted"]').waitFor({ timeout: 30_000 });
      expect(await view.locator('[data-testid="aiplat-service-detail-state"]').getAttribute('data-state')).toBe(
        'Deleted',
      );
      expect(await view.locator('[data-testid="aiplat-service-detail-start"]').count()).toBe(0);
      expect(await field('replicas').isDisabled()).toBe(true);
      expect(await form.locator('[data-testid="aiplat-service-update-reset"]').isDisabled()).toBe(true);
      await screenshot(page, 'service-deleted');
    },
  );
});
