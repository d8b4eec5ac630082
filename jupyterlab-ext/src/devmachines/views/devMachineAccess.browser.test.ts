import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jupyterLabLightStyles, startHarnessPage, type HarnessPage } from '../../../../testing/src/harnessPage.js';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';

/*
 * The Dev machines section's SSH keys, Git credentials, and the form's SSH and Repositories parts
 * in a real browser (Chromium) against the real backend: the harness page mounts
 * `createDevMachinesPanel` over a real connection, and what it opens in the main area beside it.
 */

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../../../');
const STYLES = [
  ...jupyterLabLightStyles(),
  'jupyterlab-ext/style/training.css',
  'jupyterlab-ext/style/devmachines.css',
];
const TOKEN = 'ghp_e2eSecretToken0123456789';

let backend: RealBackend;
let browser: Browser;
let harness: HarnessPage;
let pageUrl: string;
let keys: string;

/** A new ed25519 key pair (ssh-keygen): its files, its public line and its SHA256 fingerprint. */
async function keyPair(name: string) {
  const file = path.join(keys, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@e2e`, '-f', file]);
  const publicKey = (await readFile(`${file}.pub`, 'utf8')).trim();
  const { stdout } = await run('ssh-keygen', ['-lf', `${file}.pub`]);
  return { file, publicKey, fingerprint: stdout.split(' ')[1]! };
}

beforeAll(async () => {
  keys = await mkdtemp(path.join(os.tmpdir(), 'aiplat-e2e-keys-'));
  backend = await startRealBackend({
    extraConfig: 'devMachines: { sshHost: 127.0.0.1, sshListenAddress: 127.0.0.1 }\n',
  });
  harness = await startHarnessPage({
    entry: here('./test/harness.ts'),
    styles: STYLES,
    query: { server: backend.url, token: backend.token },
  });
  browser = harness.browser;
  pageUrl = harness.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await backend?.close();
  if (keys) await rm(keys, { recursive: true, force: true });
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
/** The confirm dialog comes without JupyterLab's styles here (not "visible"): its button is clicked as is. */
const confirmDialog = (page: Page) => page.locator('.jp-Dialog-button.jp-mod-warn').dispatchEvent('click');

describe('SSH access and Git repositories of dev machines in Chromium against the real backend', () => {
  it('adds an SSH key and a Git credential, creates a machine with SSH and repositories, and shows how to reach it', async () => {
    const laptop = await keyPair('laptop');
    const teammate = await keyPair('teammate');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pageUrl);

    // An SSH key: checked as it is pasted, before anything is sent.
    await byTestId(page, 'aiplat-open-sshkeys').click();
    await byTestId(page, 'aiplat-sshkey-list-empty').waitFor();
    await byTestId(page, 'aiplat-new-sshkey').click();
    const keyForm = byTestId(page, 'aiplat-sshkey-form');
    await keyForm.locator('#aiplat-field-name').fill('laptop');
    await keyForm.locator('#aiplat-field-publicKey').fill(await readFile(laptop.file, 'utf8'));
    await expect
      .poll(() => byTestId(page, 'aiplat-field-error-publicKey').textContent())
      .toContain('this is a private key');
    expect(await byTestId(page, 'aiplat-sshkey-add').isDisabled()).toBe(true);
    await keyForm.locator('#aiplat-field-publicKey').fill(`${laptop.publicKey}\n`);
    await expect.poll(() => byTestId(page, 'aiplat-field-error-publicKey').count()).toBe(0);
    expect(await byTestId(page, 'aiplat-sshkey-parsed').textContent()).toBe(
      'Reads as a ssh-ed25519 key of 256 bits (laptop@e2e).',
    );
    await byTestId(page, 'aiplat-sshkey-add').click();
    await expect.poll(() => byTestId(page, 'aiplat-sshkey-fingerprint-laptop').textContent()).toBe(laptop.fingerprint);
    expect(await byTestId(page, 'aiplat-sshkey-type-laptop').textContent()).toBe('ssh-ed25519, 256 bits');
    expect(await keyForm.count()).toBe(0);
    // The same key again: the server's 409 lands at the key.
    await byTestId(page, 'aiplat-new-sshkey').click();
    await keyForm.locator('#aiplat-field-name').fill('again');
    await keyForm.locator('#aiplat-field-publicKey').fill(laptop.publicKey);
    await byTestId(page, 'aiplat-sshkey-add').click();
    await expect
      .poll(() => byTestId(page, 'aiplat-field-error-publicKey').textContent())
      .toBe('already added as laptop');
    await byTestId(page, 'aiplat-sshkey-cancel').click();

    // A Git credential: its token typed unseen, and never shown again.
    await byTestId(page, 'aiplat-open-gitcredentials').click();
    await byTestId(page, 'aiplat-gitcredential-list-empty').waitFor();
    await byTestId(page, 'aiplat-new-gitcredential').click();
    const credentialForm = byTestId(page, 'aiplat-gitcredential-form');
    expect(await byTestId(page, 'aiplat-gitcredential-secret-note').textContent()).toContain('never shown again');
    await credentialForm.locator('#aiplat-field-name').fill('github');
    await credentialForm.locator('#aiplat-field-username').fill('alice');
    const token = credentialForm.locator('#aiplat-field-token');
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill(TOKEN);
    await byTestId(page, 'aiplat-gitcredential-create').click();
    await expect
      .poll(() => byTestId(page, 'aiplat-gitcredential-created').textContent())
      .toBe('Created github. Its secret is kept encrypted and will never be shown again.');
    expect(await byTestId(page, 'aiplat-gitcredential-username-github').textContent()).toBe('User name: alice');
    expect(await byTestId(page, 'aiplat-gitcredential-usedby-github').textContent()).toBe('Used by no dev machine');
    expect(await credentialForm.count()).toBe(0);
    expect(await page.content()).not.toContain(TOKEN);
    await page.screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/git-credentials.png` }).catch(() => undefined);

    // The form: SSH with an extra key, and repositories (a fourth row refused).
    await byTestId(page, 'aiplat-new-devmachine').click();
    const form = byTestId(page, 'aiplat-devmachine-form');
    await form.locator('#aiplat-field-name').fill('box');
    await form.locator('#aiplat-field-memory').fill('1Gi');
    await byTestId(page, 'aiplat-field-sshEnabled').check();
    await form.locator('#aiplat-field-sshPublicKeys').fill(`${teammate.publicKey}\nssh-rsa AAAA`);
    await expect
      .poll(() => byTestId(page, 'aiplat-field-error-sshPublicKeys').textContent())
      .toMatch(/^line 2: the key is not valid/);
    expect(await byTestId(page, 'aiplat-devmachine-create').isDisabled()).toBe(true);
    await form.locator('#aiplat-field-sshPublicKeys').fill(`${teammate.publicKey}\n`);
    const add = byTestId(page, 'aiplat-repository-add');
    for (let i = 0; i < 3; i++) await add.click();
    expect(await add.isDisabled()).toBe(true);
    expect(await byTestId(page, 'aiplat-repository-full').textContent()).toBe(
      'A dev machine clones at most 3 repositories.',
    );
    await byTestId(page, 'aiplat-repository-remove-2').click();
    expect(await add.isDisabled()).toBe(false);
    // Nothing listens on port 9 of this machine: the clones fail, with git's own message.
    await form.locator('#aiplat-field-repositories-0-url').fill('https://127.0.0.1:9/team/data.git');
    await form.locator('#aiplat-field-repositories-0-branch').fill('main');
    const credential = form.locator('#aiplat-field-repositories-0-credential');
    await expect.poll(() => credential.locator('option').allTextContents()).toEqual(['None (public)', 'github']);
    await credential.selectOption('github');
    await form.locator('#aiplat-field-repositories-1-url').fill('ftp://127.0.0.1/model');
    await expect
      .poll(() => byTestId(page, 'aiplat-field-error-repositories-1-url').textContent())
      .toContain('uses ftp:');
    await form.locator('#aiplat-field-repositories-1-url').fill('http://127.0.0.1:9/team/model');
    await expect.poll(() => byTestId(page, 'aiplat-devmachine-create').isDisabled()).toBe(false);
    await form
      .screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/devmachine-access-form.png` })
      .catch(() => undefined);
    const request = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/devmachines'));
    await byTestId(page, 'aiplat-devmachine-create').click();
    const { spec } = (await request).postDataJSON() as { spec: Record<string, unknown> };
    expect(spec.ssh).toEqual({ enabled: true, publicKeys: [teammate.publicKey] });
    expect(spec.repositories).toEqual([
      { url: 'https://127.0.0.1:9/team/data.git', branch: 'main', credential: 'github' },
      { url: 'http://127.0.0.1:9/team/model' },
    ]);

    // The machine's row: the ssh command to copy, its host key, and how the clones went.
    const row = page.locator('[data-testid^="aiplat-devmachine-row-"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 90_000 }).toBe('Running');
    const id = (await row.getAttribute('data-testid'))!.replace('aiplat-devmachine-row-', '');
    const command = byTestId(page, `aiplat-devmachine-ssh-command-${id}`);
    await expect.poll(() => command.textContent(), { timeout: 30_000 }).toMatch(/^ssh -p \d+ \S+@127\.0\.0\.1$/);
    const machine = await backend.client().getDevMachine({ params: { id } });
    expect(await command.textContent()).toBe(machine.ssh?.command);
    expect(await byTestId(page, `aiplat-devmachine-ssh-hostkey-${id}`).textContent()).toBe(
      `Host key (${machine.ssh?.hostKeyType}): ${machine.ssh?.hostKeyFingerprint}`,
    );
    expect(await byTestId(page, `aiplat-devmachine-ssh-copy-${id}`).textContent()).toBe('Copy');
    const statuses = byTestId(page, `aiplat-devmachine-repositories-${id}`).locator('li');
    await expect.poll(() => statuses.count()).toBe(2);
    expect(await statuses.first().getAttribute('data-state')).toBe('failed');
    expect(await statuses.first().textContent()).toContain('https://127.0.0.1:9/team/data.git: clone failed');
    expect(await statuses.first().locator('pre').textContent()).toMatch(/fatal|unable|Failed to connect/i);

    // The ssh command opens the machine with the key added in the UI.
    const [user, host] = machine.ssh!.command.split(' ').at(-1)!.split('@') as [string, string];
    const ssh = await run('ssh', [
      ...['-i', laptop.file, '-p', String(machine.ssh!.port), '-o', 'BatchMode=yes'],
      ...['-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${path.join(keys, 'known_hosts')}`],
      `${user}@${host}`,
      'echo in-the-box',
    ]);
    expect(ssh.stdout.trim()).toBe('in-the-box');
    await page.screenshot({ path: `${root}jupyterlab-ext/e2e/artifacts/devmachine-access.png` }).catch(() => undefined);

    // The credential now says who uses it, and refuses its delete.
    await byTestId(page, 'aiplat-open-gitcredentials').click();
    await expect.poll(() => byTestId(page, 'aiplat-gitcredential-usedby-github').textContent()).toBe('Used by box');
    await byTestId(page, 'aiplat-gitcredential-delete-github').click();
    await confirmDialog(page);
    await expect
      .poll(() => byTestId(page, 'aiplat-gitcredential-row-github').locator('.aiplat-error').textContent())
      .toContain('github is used by box');

    // The SSH key goes, once confirmed.
    await byTestId(page, 'aiplat-open-sshkeys').click();
    await byTestId(page, 'aiplat-sshkey-delete-laptop').click();
    await confirmDialog(page);
    await byTestId(page, 'aiplat-sshkey-list-empty').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
