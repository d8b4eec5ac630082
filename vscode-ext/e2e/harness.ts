/**
 * End-to-end harness for the VS Code extension: a real backend (the built `backend/dist/main.js`
 * with the local engine, user `e2e`), a real VS Code (code-server 4.100.3 from `vscode-host/`, as
 * ../shared/RECIPES.md describes) with the extension packaged as a `.vsix` and installed by
 * `code-server --install-extension`, and headless Chromium driven by playwright-core. The workspace
 * folder code-server opens is the backend's /work root. Every process runs in its own process
 * group; `close()` kills the groups and removes the temporary folder, and a detached watchdog does
 * the same when the test process dies without teardown.
 *
 *   const vsc = await startVsCode({ files: { 'home/e2e/job.yaml': '...' } });
 *   await vsc.setToken();                           // "AI Platform: Set Token…" from the palette
 *   await vsc.runCommand('AI Platform: Browse /work');
 *   await vsc.screenshot('browse');
 *   await vsc.close();
 *
 * Needs: `npm run build` (backend/dist, vscode-ext/dist), `npm ci` (code-server in vscode-host/) and
 * Debian's chromium (scripts/ensure-system-deps.sh).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  freePort,
  processGroups,
  startBackend,
  startProcess,
  waitFor,
  writeFiles,
} from '../../testing/src/processes.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const EXT_DIR = path.join(repo, 'vscode-ext');

/** Where screenshots go; kept after the run (gitignored). */
export const ARTIFACTS_DIR = path.join(EXT_DIR, 'e2e', 'artifacts');
/** The id of the packaged extension (publisher.name of the staging manifest, see scripts/package.mjs). */
export const EXTENSION_ID = 'aiplat.aiplat-vscode';
/** The backend's user; their /work/home is `home/<USER>` under the root. */
export const USER = 'e2e';
/** The palette category of every command of the extension. */
export const CATEGORY = 'AI Platform';

/** code-server's entry point, from vscode-host's devDependency. */
export function codeServerEntry(): string {
  const require = createRequire(path.join(repo, 'vscode-host', 'package.json'));
  const dir = path.dirname(require.resolve('code-server/package.json'));
  return path.join(dir, 'out', 'node', 'entry.js');
}

export interface StartVsCodeOptions {
  /** Files to create under the workspace folder (= the backend's /work root), by relative path. */
  files?: Record<string, string>;
  /** YAML for the backend's AIPLAT_CONFIG; default: the backend's defaults. */
  backendConfig?: string;
  /** false: no backend (the extension then points at a closed port). Default true. */
  backend?: boolean;
  /** Extra user settings (merged over the recipe's and `aiplat.serverUrl`). */
  settings?: Record<string, unknown>;
  /** A .vsix to install instead of packaging the current build. */
  vsix?: string;
  /** Folders of other extensions (test fixtures) to package and install beside it. */
  alsoInstall?: string[];
  /** Browser viewport; default 1400x900. */
  viewport?: { width: number; height: number };
}

export interface VsCode {
  page: Page;
  browser: Browser;
  /** code-server's URL (the workbench with the workspace folder open). */
  url: string;
  /** The backend's URL and token ('' when started with backend: false). */
  backendUrl: string;
  backendToken: string;
  /** The workspace folder, also the backend's /work root. */
  root: string;
  /** The packaged extension that was installed, and where code-server installed it. */
  vsix: string;
  installedExtensionDir: string;
  /** Everything the backend, code-server and the page printed so far. */
  logs(): string;
  /** Runs a command by its palette title (e.g. "AI Platform: Browse /work") through F1. */
  runCommand(title: string): Promise<void>;
  /** "Developer: Reload Window", as a user reloads; returns once a new workbench has rendered. */
  reloadWindow(): Promise<void>;
  /** Answers the open quick input (input box or pick) with `text` and Enter. */
  answerInput(text: string): Promise<void>;
  /** Sets the backend token through "AI Platform: Set Token…" and waits for the status bar to say connected. */
  setToken(token?: string): Promise<void>;
  /** The status bar item of the extension once it shows `text` (a string or pattern). */
  statusBarItem(text: string | RegExp): Locator;
  /** Opens the AI Platform container in the activity bar; returns the view pane with this title. */
  openView(title: string): Promise<Locator>;
  /** The content frame of the webview editor whose tab has this title (nested iframes). */
  webview(title: string | RegExp): Promise<FrameLocator>;
  /** Text of the visible Output panel's editor (the channel shown last). */
  outputText(): Promise<string>;
  /** Saves a PNG of the page as artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export { freePort };

function extensionVersion(): string {
  return (JSON.parse(readFileSync(path.join(EXT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Packages the current build (dist/) into `out` with scripts/package.mjs; returns `out`. */
export function packageVsix(out: string): string {
  const result = spawnSync(process.execPath, [path.join(EXT_DIR, 'scripts', 'package.mjs'), '--out', out], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`packaging the extension failed:\n${result.stdout}\n${result.stderr}`);
  return out;
}

/** Packages an extension folder (a test fixture: package.json, plain JavaScript, README) with vsce. */
export function packageFolder(folder: string, out: string): string {
  const vsce = createRequire(path.join(EXT_DIR, 'package.json')).resolve('@vscode/vsce/vsce');
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out];
  const result = spawnSync(process.execPath, [vsce, ...args], {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, VSCE_TELEMETRY: 'false' },
  });
  if (result.status !== 0) throw new Error(`packaging ${folder} failed:\n${result.stdout}\n${result.stderr}`);
  return out;
}

export async function startVsCode(options: StartVsCodeOptions = {}): Promise<VsCode> {
  if (!existsSync(path.join(EXT_DIR, 'dist', 'extension.js')))
    throw new Error(`build first (npm run build): no ${path.join(EXT_DIR, 'dist', 'extension.js')}`);
  const entry = codeServerEntry();
  if (!existsSync(entry)) throw new Error(`install first (npm ci): no code-server at ${entry}`);
  if (!existsSync(path.join(entry, '..', '..', '..', 'lib', 'vscode', 'node_modules.asar')))
    throw new Error(
      'code-server is not set up (its install did not finish): run `node vscode-host/install.mjs` as root',
    );
  const temp = await mkdtemp(path.join(os.tmpdir(), 'aiplat-vscode-e2e-'));
  const root = path.join(temp, 'work');
  const userData = path.join(temp, 'user-data');
  const extensions = path.join(temp, 'extensions');
  const pageLog: string[] = [];
  let browser: Browser | undefined;
  const groups = processGroups(temp);
  const track = groups.track;

  const close = async () => {
    await browser?.close().catch(() => undefined);
    browser = undefined;
    await groups.killAll();
    if (!process.env.AIPLAT_E2E_KEEP) await rm(temp, { recursive: true, force: true, maxRetries: 5 });
  };
  const logs = () => [...groups.logs((child) => child.spawnargs.join(' ')), '--- page', ...pageLog].join('\n');

  try {
    await mkdir(path.join(root, 'home', USER), { recursive: true });
    await writeFiles(root, options.files);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;

    let backendUrl = '';
    let backendToken = '';
    if (options.backend !== false) {
      const backend = await startBackend({
        root,
        dataDir: path.join(temp, 'backend', 'data'),
        origin: url,
        user: USER,
        backendConfig: options.backendConfig,
        track,
      });
      backendUrl = backend.url;
      backendToken = backend.token;
    }

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: temp,
      XDG_CONFIG_HOME: path.join(temp, 'xdg-config'),
      XDG_DATA_HOME: path.join(temp, 'xdg-data'),
      XDG_CACHE_HOME: path.join(temp, 'xdg-cache'),
      // No gallery: nothing looks anything up on the network.
      EXTENSIONS_GALLERY: '{}',
    };
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    const vsix = options.vsix ?? packageVsix(path.join(temp, 'aiplat-vscode.vsix'));
    const others = (options.alsoInstall ?? []).map((folder) =>
      packageFolder(folder, path.join(temp, `${path.basename(folder)}.vsix`)),
    );
    for (const file of [vsix, ...others]) {
      const install = spawnSync(process.execPath, [entry, ...common, '--install-extension', file], {
        cwd: temp,
        env,
        encoding: 'utf8',
      });
      if (install.status !== 0 || !/successfully installed/.test(install.stdout))
        throw new Error(`installing ${file} failed:\n${install.stdout}\n${install.stderr}`);
    }

    await mkdir(path.join(userData, 'User'), { recursive: true });
    await writeFile(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'security.workspace.trust.enabled': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'telemetry.telemetryLevel': 'off',
          'workbench.tips.enabled': false,
          'extensions.ignoreRecommendations': true,
          'aiplat.serverUrl': backendUrl || `http://127.0.0.1:${await freePort()}`,
          ...options.settings,
        },
        null,
        2,
      ),
    );

    const server = track(
      startProcess(
        process.execPath,
        [
          entry,
          ...common,
          '--bind-addr',
          `127.0.0.1:${port}`,
          '--auth',
          'none',
          '--disable-telemetry',
          '--disable-update-check',
          '--disable-workspace-trust',
          '--disable-getting-started-override',
          root,
        ],
        temp,
        env,
      ),
    );
    await waitFor('code-server', async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined), server);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('console', (message) => pageLog.push(`[console.${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => pageLog.push(`[pageerror] ${error.stack ?? error.message}`));
    await page.goto(`${url}/?folder=${encodeURIComponent(root)}`);
    await waitForWorkbench(page);
    await waitForExtension(page);

    const vsc: VsCode = {
      page,
      browser,
      url,
      backendUrl,
      backendToken,
      root,
      vsix,
      installedExtensionDir: path.join(extensions, `${EXTENSION_ID}-${extensionVersion()}`),
      logs,
      runCommand: (title) => runCommand(page, title),
      reloadWindow: () => reloadWindow(page),
      answerInput: (text) => answerInput(page, text),
      setToken: async (token = backendToken) => {
        await runCommand(page, `${CATEGORY}: Set Token…`);
        await answerInput(page, token);
        await statusBarItem(page, /\d+ running/).waitFor({ timeout: 30_000 });
      },
      statusBarItem: (text) => statusBarItem(page, text),
      openView: (title) => openView(page, title),
      webview: (title) => webview(page, title),
      outputText: () => outputText(page),
      screenshot: (name) => screenshot(page, name),
      close,
    };
    return vsc;
  } catch (error) {
    const message = `${(error as Error).message}\n${logs()}`;
    await close();
    throw new Error(message, { cause: error });
  }
}

/** Waits until the workbench has rendered its parts (status bar included). */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
}

/**
 * Waits until the extension is activated: its container is in the activity bar (its manifest is
 * known), then shows that container (the extension activates on its views, never at startup) and
 * waits for its status bar item (activate() ran). Until then the palette does not list its commands.
 */
export async function waitForExtension(page: Page, timeout = 60_000): Promise<void> {
  const icon = page.locator('.part.activitybar a.action-label[aria-label^="AI Platform"]').first();
  await icon.waitFor({ state: 'visible', timeout });
  // Clicking the icon while the container is shown would hide the side bar: only when not shown.
  // After a reload the workbench restores the container by itself, a moment after its parts render.
  const shown = await page
    .locator('.part.sidebar .pane-header .title', { hasText: exactly('Workspace') })
    .waitFor({ state: 'visible', timeout: 3_000 })
    .then(() => true)
    .catch(() => false);
  if (!shown) await icon.click();
  await statusBarItem(page, /AI Platform|\d+ running/)
    .first()
    .waitFor({ state: 'visible', timeout });
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');

/** Opens the palette with F1, types the title and runs the entry whose label is exactly that title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const widget = quickInput(page);
  // A quick input left open (or focus in a webview) would eat F1: start from the workbench.
  const row = await findInPalette(page, title);
  if (!row) {
    const rows = await widget.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`no command "${title}" in the palette (it lists: ${rows.join(' | ') || 'nothing'})`);
  }
  await row.click();
}

/**
 * Reloads the window through its command (the workbench saves its editors on the way out, which a
 * bare page reload may cut short) and waits for a new page, not just any `load` event: the old
 * page carries a mark the new one does not have.
 */
export async function reloadWindow(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { aiplatBeforeReload: true }));
  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.waitForFunction(() => !('aiplatBeforeReload' in window), undefined, { timeout: 60_000 });
  await waitForWorkbench(page);
}

/**
 * Clicks the row `label` of a tree view until the editor it opens is the active tab. A row clicked
 * while its folder is being listed again runs nothing: VS Code has already dropped the command of
 * the row it still shows ("Actual command not found"), as a user sees when a job writes there.
 */
export async function openFromTree(view: Locator, label: string, tab: string | RegExp = label): Promise<void> {
  const active = view.page().locator('.tabs-container .tab.active', { hasText: tab }).first();
  for (let attempt = 1; ; attempt++) {
    await treeItem(view, label).click();
    try {
      await active.waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Opens the palette (F1) filtered by `title` and returns the row labelled exactly `title`, or
 * undefined when the palette has no such command (the palette stays open).
 */
export async function findInPalette(page: Page, title: string, timeout = 20_000): Promise<Locator | undefined> {
  const widget = quickInput(page);
  if (await widget.isVisible()) await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden' });
  await page.keyboard.press('F1');
  const input = widget.locator('input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = widget
    .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title) }) })
    .first();
  return row
    .waitFor({ timeout })
    .then(() => row)
    .catch(() => undefined);
}

/** Types into the open quick input (input box or quick pick) and presses Enter. */
export async function answerInput(page: Page, text: string): Promise<void> {
  const input = quickInput(page).locator('input.input');
  await input.waitFor({ state: 'visible' });
  // A box that was just shown may still set its own value over ours: fill until the value holds.
  // (Plain loops: this also runs in hooks, where expect.poll cannot.)
  for (let attempt = 0; ; attempt++) {
    await input.fill(text);
    await page.waitForTimeout(100);
    if ((await input.inputValue()) === text) break;
    if (attempt >= 50) throw new Error(`the input box does not keep the answer ${JSON.stringify(text)}`);
  }
  await input.press('Enter');
  // The next step's box is the same widget: wait until this answer has left it (hidden, or showing
  // the next step), so that the next answer goes to the next step. A refused answer stays: go on.
  for (let waited = 0; waited < 5_000; waited += 100) {
    const still = (await input.isVisible()) && (await input.inputValue().catch(() => '')) === text;
    if (!still) return;
    await page.waitForTimeout(100);
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

export function statusBarItem(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text });
}

/** Shows the AI Platform view container and returns the pane titled `title` (expanded). */
export async function openView(page: Page, title: string): Promise<Locator> {
  const paneHeader = page.locator('.pane-header', { has: page.locator('.title', { hasText: exactly(title) }) });
  const header = page.locator('.part.sidebar').locator(paneHeader);
  // Clicking the container's icon while it is shown would hide the side bar: only when not shown.
  const shown = await header
    .waitFor({ state: 'visible', timeout: 2_000 })
    .then(() => true)
    .catch(() => false);
  if (!shown) await page.locator('.part.activitybar a.action-label[aria-label^="AI Platform"]').first().click();
  await header.waitFor({ state: 'visible', timeout: 20_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return page.locator('.part.sidebar .pane', { has: paneHeader });
}

/**
 * The content of the webview editor whose tab has this title: webviews are nested iframes
 * (`iframe.webview.ready` → `iframe#active-frame`), and only the active editor's is visible.
 */
export async function webview(page: Page, title: string | RegExp): Promise<FrameLocator> {
  try {
    await page.locator('.tabs-container .tab.active', { hasText: title }).first().waitFor({ timeout: 30_000 });
  } catch (error) {
    const tabs = await page
      .locator('.tabs-container .tab')
      .evaluateAll((all) =>
        all.map((tab) => `${tab.textContent?.trim() ?? ''}${tab.classList.contains('active') ? ' (active)' : ''}`),
      );
    throw new Error(`no active tab "${String(title)}"; the tabs are: ${tabs.join(' | ') || 'none'}`, { cause: error });
  }
  const frames = page.locator('iframe.webview.ready');
  for (;;) {
    const count = await frames.count();
    for (let i = count - 1; i >= 0; i--)
      if (await frames.nth(i).isVisible())
        return frames.nth(i).contentFrame().locator('iframe#active-frame').contentFrame();
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The row of a tree view (a pane from `openView`) whose label is `label`. */
export function treeItem(view: Locator, label: string | RegExp): Locator {
  const name = typeof label === 'string' ? exactly(label) : label;
  return view.locator('.monaco-list-row', { has: view.page().locator('.label-name', { hasText: name }) });
}

/** Runs `entry` of a tree item's context menu, as a person does with the mouse and Enter. */
export async function fromContextMenu(view: Locator, label: string, entry: string): Promise<void> {
  const page = view.page();
  await treeItem(view, label).click({ button: 'right' });
  const item = page.locator('.context-view .action-menu-item', { hasText: entry }).first();
  await item.waitFor({ timeout: 10_000 });
  // The menu runs the item under the pointer on Enter (a click straight after opening it is ignored).
  await item.hover();
  await expect
    .poll(() => item.evaluate((node) => node.closest('.action-item')?.classList.contains('focused')))
    .toBe(true);
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden' });
}

/** A notification toast that says `text`. */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text });
}

/** The text of the Output panel's editor (what the shown channel holds, as rendered). */
export async function outputText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .view-lines');
  await lines.first().waitFor({ state: 'visible' });
  return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
}

/** Saves a PNG of the page as artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** For a failed test: a screenshot artifacts/failed-<test>.png and every process's output on stderr. */
export async function keepEvidence(vsc: VsCode | undefined, testName: string): Promise<void> {
  if (!vsc) return;
  await screenshot(vsc.page, `failed-${testName}`).catch(() => undefined);
  console.error(`--- logs of the failed test "${testName}"\n${vsc.logs()}`);
}
