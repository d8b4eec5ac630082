/**
 * End-to-end harness for the JupyterLab extension: a real backend (the built `backend/dist/main.js`
 * with the local engine), a real JupyterLab 4.6.4 (`jupyterlab-host/`, served by Debian's
 * jupyterlab_server, run by the venv into which `npm run build` pip-installs the extension's wheel) and headless
 * Chromium driven by playwright-core. Every process runs in its own process group; `close()` kills
 * the groups and removes the temporary folder.
 *
 *   const lab = await startLab();
 *   await openPanel(lab.page);
 *   await runCommand(lab.page, 'aiplat:connect');
 *   await screenshot(lab.page, 'panel');
 *   await lab.close();
 *
 * Needs: `npm run build` (backend/dist, jupyterlab-ext/labextension, jupyterlab-host/build) and the
 * Debian packages of scripts/ensure-system-deps.sh (chromium, python3-jupyterlab-server, ...).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
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

/** Where screenshots go; kept after the run (gitignored). */
export const ARTIFACTS_DIR = path.join(repo, 'jupyterlab-ext', 'e2e', 'artifacts');
/** The prebuilt extension `npm run build` writes (and packs into the wheel). */
export const LABEXTENSION_DIR = path.join(repo, 'jupyterlab-ext', 'labextension');
const HOST_DIR = path.join(repo, 'jupyterlab-host');
/**
 * The host's venv (Debian's Python, system site packages) into which `npm run build` pip-installs
 * the extension's wheel (jupyterlab-host/install-extension.mjs); JupyterLab loads it from there.
 */
export const HOST_VENV = path.join(HOST_DIR, 'build', 'venv');
/** Where the wheel put the extension in the host's venv. */
export const INSTALLED_EXTENSION_DIR = path.join(
  HOST_VENV,
  'share',
  'jupyter',
  'labextensions',
  '@aiplat',
  'jupyterlab-ext',
);
const PYTHON = path.join(HOST_VENV, 'bin', 'python');
/** A prebuilt extension folder to link in instead of the installed one (development). */
const DEVELOP_EXTENSION = process.env.AIPLAT_E2E_LABEXTENSION;

function buildLoad(dir: string): string | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as { jupyterlab?: { _build?: { load?: string } } };
  return data.jupyterlab?._build?.load;
}

export const PLUGIN_ID = '@aiplat/jupyterlab-ext:plugin';
/** The backend's user; their /work/home is `home/<USER>` under the root. */
export const USER = 'e2e';
export const SIDEBAR_ID = 'aiplat-sidebar';

export interface StartLabOptions {
  /** Files to create under the shared root (JupyterLab's root and the backend's /work), by relative path. */
  files?: Record<string, string>;
  /** YAML for the backend's AIPLAT_CONFIG (e.g. localEngine virtual nodes); default: the backend's defaults. */
  backendConfig?: string;
  /** Extra environment for the backend. */
  backendEnv?: Record<string, string>;
  /** false: no backend (the extension then points at a closed port). Default true. */
  backend?: boolean;
  /** JupyterLab's UI language, e.g. 'zh_CN' (set in the user settings before the page loads). */
  locale?: string;
  /** Extra user settings, by `<plugin id>` (e.g. '@jupyterlab/notebook-extension:tracker'). */
  userSettings?: Record<string, Record<string, unknown>>;
  /** Page path and query to open; default '/lab?reset'. */
  path?: string;
  /** Browser viewport; default 1400x900. */
  viewport?: { width: number; height: number };
  /** false: leave the backend's token out of the extension's settings (the user types it). Default true. */
  tokenInSettings?: boolean;
  /** false: leave workRootsInJupyter out of the settings (the extension derives it). Default true. */
  workRootsInSettings?: boolean;
}

export interface Lab {
  page: Page;
  context: BrowserContext;
  /** JupyterLab's base URL, e.g. http://127.0.0.1:PORT */
  labUrl: string;
  jupyterToken: string;
  /** The backend's URL and token ('' when started with backend: false). */
  backendUrl: string;
  backendToken: string;
  /** The temporary root: JupyterLab's root dir and the backend's WORK_ROOT. */
  root: string;
  /** Everything the backend, the Jupyter server and the page (console, errors) printed so far. */
  logs(): string;
  openPanel(): Promise<Locator>;
  runCommand(id: string, args?: Record<string, unknown>): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export { freePort };

async function writeUserSettings(configDir: string, settings: Record<string, Record<string, unknown>>) {
  for (const [pluginId, values] of Object.entries(settings)) {
    const [pkg, plugin] = pluginId.split(':') as [string, string];
    const dir = path.join(configDir, 'lab', 'user-settings', pkg);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${plugin}.jupyterlab-settings`), JSON.stringify(values, null, 2));
  }
}

export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  if (!existsSync(path.join(LABEXTENSION_DIR, 'package.json')))
    throw new Error(`build first (npm run build): no prebuilt extension in ${LABEXTENSION_DIR}`);
  if (!DEVELOP_EXTENSION && buildLoad(INSTALLED_EXTENSION_DIR) !== buildLoad(LABEXTENSION_DIR))
    throw new Error(
      `build first (npm run build): the extension's wheel is not installed in ${HOST_VENV}, or is older than ${LABEXTENSION_DIR}`,
    );
  if (!existsSync(path.join(HOST_DIR, 'build', 'static', 'bundle.js')))
    throw new Error(`build first (npm run build): no JupyterLab host in ${HOST_DIR}/build`);
  const temp = await mkdtemp(path.join(os.tmpdir(), 'aiplat-jlab-e2e-'));
  const root = path.join(temp, 'work');
  const jupyter = path.join(temp, 'jupyter');
  const pageLog: string[] = [];
  let context: BrowserContext | undefined;
  const groups = processGroups(temp);
  const track = groups.track;

  const close = async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
    await groups.killAll();
    if (!process.env.AIPLAT_E2E_KEEP) await rm(temp, { recursive: true, force: true, maxRetries: 5 });
  };
  const logs = () => [...groups.logs((child) => child.spawnfile), '--- page', ...pageLog].join('\n');

  try {
    await mkdir(root, { recursive: true });
    await writeFiles(root, options.files);
    const labPort = await freePort();
    const labUrl = `http://127.0.0.1:${labPort}`;

    let backendUrl = '';
    let backendToken = '';
    if (options.backend !== false) {
      const backend = await startBackend({
        root,
        dataDir: path.join(temp, 'backend', 'data'),
        origin: labUrl,
        user: USER,
        backendConfig: options.backendConfig,
        env: options.backendEnv,
        track,
      });
      backendUrl = backend.url;
      backendToken = backend.token;
    }

    const configDir = path.join(jupyter, 'config');
    await writeUserSettings(configDir, {
      [PLUGIN_ID]: {
        serverUrl: backendUrl || `http://127.0.0.1:${await freePort()}`,
        ...(options.tokenInSettings === false ? {} : { token: backendToken }),
        // JupyterLab serves the backend's shared work root, where the user's home is a folder.
        ...(options.workRootsInSettings === false ? {} : { workRootsInJupyter: { home: `home/${USER}` } }),
      },
      ...(options.locale ? { '@jupyterlab/translation-extension:plugin': { locale: options.locale } } : {}),
      ...options.userSettings,
    });
    const jupyterToken = `jt-${Math.random().toString(36).slice(2)}`;
    const server = track(
      startProcess(
        PYTHON,
        [
          path.join(HOST_DIR, 'serve.py'),
          ...(DEVELOP_EXTENSION ? ['--extension', DEVELOP_EXTENSION] : []),
          '--ServerApp.ip=127.0.0.1',
          `--ServerApp.port=${labPort}`,
          '--ServerApp.port_retries=0',
          `--ServerApp.token=${jupyterToken}`,
          '--ServerApp.allow_root=True',
          '--ServerApp.open_browser=False',
          `--ServerApp.root_dir=${root}`,
        ],
        temp,
        {
          PATH: process.env.PATH ?? '',
          HOME: temp,
          JUPYTER_CONFIG_DIR: configDir,
          JUPYTER_DATA_DIR: path.join(jupyter, 'data'),
          JUPYTER_RUNTIME_DIR: path.join(jupyter, 'runtime'),
          JUPYTER_PLATFORM_DIRS: '1',
          IPYTHONDIR: path.join(jupyter, 'ipython'),
          PYTHONNOUSERSITE: '1',
        },
      ),
    );
    await waitFor(
      'the Jupyter server',
      async () => {
        const response = await fetch(`${labUrl}/api/status?token=${jupyterToken}`);
        return response.ok ? true : undefined;
      },
      server,
    );

    context = await chromium.launchPersistentContext(path.join(temp, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => pageLog.push(`[console.${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => pageLog.push(`[pageerror] ${error.stack ?? error.message}`));
    const target = options.path ?? '/lab?reset';
    await page.goto(`${labUrl}${target}${target.includes('?') ? '&' : '?'}token=${jupyterToken}`);
    await waitForLab(page);

    const lab: Lab = {
      page,
      context,
      labUrl,
      jupyterToken,
      backendUrl,
      backendToken,
      root,
      logs,
      openPanel: () => openPanel(page),
      runCommand: (id, args) => runCommand(page, id, args),
      screenshot: (name) => screenshot(page, name),
      close,
    };
    return lab;
  } catch (error) {
    const message = `${(error as Error).message}\n${logs()}`;
    await close();
    throw new Error(message, { cause: error });
  }
}

interface LabWindow {
  jupyterapp?: {
    commands: {
      execute(id: string, args?: unknown): Promise<unknown>;
      hasCommand(id: string): boolean;
      isEnabled(id: string, args?: unknown): boolean;
    };
    isPluginActivated(id: string): boolean;
    shell: { currentWidget: { id: string } | null; activateById(id: string): void };
  };
}

/** Waits until JupyterLab has started and restored its layout (the host sets data-aiplat-host). */
/** The state and layout JupyterLab saved on its server for the default workspace, as text. */
export async function savedWorkspace(lab: Pick<Lab, 'labUrl' | 'jupyterToken'>): Promise<string> {
  const response = await fetch(`${lab.labUrl}/lab/api/workspaces/default?token=${lab.jupyterToken}`);
  return response.ok ? response.text() : '';
}

export async function waitForLab(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.aiplatHost === 'ready', undefined, { timeout: 60_000 });
  await page.locator('#jp-main-dock-panel').waitFor({ state: 'visible' });
}

/** Executes a JupyterLab command by id (as the command palette would) and waits for it to finish. */
export async function runCommand(page: Page, id: string, args: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate(
    async ([id, args]) => {
      const app = (window as LabWindow).jupyterapp!;
      if (!app.commands.hasCommand(id)) throw new Error(`no command ${id}`);
      await app.commands.execute(id, args);
    },
    [id, args] as const,
  );
}

export function hasCommand(page: Page, id: string): Promise<boolean> {
  return page.evaluate((id) => (window as LabWindow).jupyterapp!.commands.hasCommand(id), id);
}

export function isPluginActivated(page: Page, id: string): Promise<boolean> {
  return page.evaluate((id) => (window as LabWindow).jupyterapp!.isPluginActivated(id), id);
}

/** Shows the AI Platform sidebar through its command once the extension registered it; returns it once visible. */
export async function openPanel(page: Page): Promise<Locator> {
  const loaded = await page
    .waitForFunction((id) => (window as LabWindow).jupyterapp?.commands.hasCommand(id), 'aiplat:open-panel', {
      timeout: 30_000,
    })
    .then(() => true)
    .catch(() => false);
  if (!loaded) {
    const federated = await page.evaluate(() => document.getElementById('jupyter-config-data')?.textContent ?? '');
    throw new Error(
      'the extension did not register aiplat:open-panel (was labextension/ rebuilt while the page loaded?); ' +
        `page config: ${federated.slice(0, 400)}`,
    );
  }
  await runCommand(page, 'aiplat:open-panel');
  const panel = page.locator(`#${SIDEBAR_ID}`);
  await panel.waitFor({ state: 'visible' });
  return panel;
}

/** Saves a full-page PNG as artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Opens a new notebook on the python3 kernel, runs `code` in its first cell and returns the text
 * of the cell's output once there is one.
 */
export async function runInNewNotebook(page: Page, code: string): Promise<string> {
  await runCommand(page, 'notebook:create-new', { kernelName: 'python3' });
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').last();
  await notebook.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: 60_000 });
  // On a fresh server the first execution can be dropped while the kernel connects (the notebook
  // starts on one kernel, then switches, and may load its cells again): set the source and run
  // again until the cell has an output.
  const output = notebook.locator('.jp-Cell').first().locator('.jp-OutputArea-output');
  const id = await notebook.getAttribute('id');
  for (let attempt = 1; ; attempt++) {
    if (id) await page.evaluate((id) => (window as LabWindow).jupyterapp!.shell.activateById(id), id);
    // Through the cell model rather than the keyboard, so that focus elsewhere cannot eat the keys.
    await page.evaluate((code) => {
      const widget = (window as LabWindow).jupyterapp!.shell.currentWidget as unknown as {
        content: { activeCell: { model: { sharedModel: { setSource(source: string): void } } } | null };
      };
      widget.content.activeCell!.model.sharedModel.setSource(code);
    }, code);
    await runCommand(page, 'notebook:run-cell');
    try {
      await output.first().waitFor({ timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
  return (await output.first().innerText()).trim();
}

/** For a failed test: a screenshot artifacts/failed-<test>.png and every process's output on stderr. */
export async function keepEvidence(lab: Lab | undefined, testName: string): Promise<void> {
  if (!lab) return;
  await screenshot(lab.page, `failed-${testName}`).catch(() => undefined);
  console.error(`--- logs of the failed test "${testName}"\n${lab.logs()}`);
}
