import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOST_VENV, INSTALLED_EXTENSION_DIR, keepEvidence, openPanel, startLab, type Lab } from './harness.js';

const extensionDir = fileURLToPath(new URL('../', import.meta.url));
const NAME = '@aiplat/jupyterlab-ext';
const DIST = 'aiplat-jupyterlab-ext';
const MODULE = 'aiplat_jupyterlab_ext';

async function packageJson(dir: string) {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
    jupyterlab: { _build: { load: string } };
  };
}

/** The files in the wheel `npm run build` writes (jupyterlab-ext/dist), read with Python's zipfile. */
function wheelFiles(): { wheel: string; names: string[] } {
  const script =
    'import glob, json, sys, zipfile\n' +
    'wheels = glob.glob(sys.argv[1] + "/dist/*.whl")\n' +
    'print(json.dumps({"wheel": wheels[0], "names": zipfile.ZipFile(wheels[0]).namelist()}) if len(wheels) == 1 else "{}")';
  const result = spawnSync('/usr/bin/python3', ['-c', script, extensionDir], { encoding: 'utf8' });
  return JSON.parse(result.stdout) as { wheel: string; names: string[] };
}

/**
 * The extension ships as JupyterLab extensions do: a Python wheel whose data files are the prebuilt
 * extension and whose module carries the translations. The e2e host pip-installs it into its venv
 * (jupyterlab-host/install-extension.mjs) and JupyterLab loads it from there.
 */
describe('the extension installed from its wheel', () => {
  it('is a wheel of the same version with the prebuilt extension, install.json and the zh-CN catalog', async () => {
    const { version } = await packageJson(extensionDir);
    const { wheel, names } = wheelFiles();
    expect(path.basename(wheel)).toBe(`${MODULE}-${version}-py3-none-any.whl`);
    const data = `${MODULE}-${version}.data/data/share/jupyter/labextensions/${NAME}`;
    const { jupyterlab } = await packageJson(path.join(extensionDir, 'labextension'));
    expect(names).toEqual(
      expect.arrayContaining([
        `${data}/package.json`,
        `${data}/install.json`,
        `${data}/${jupyterlab._build.load}`,
        `${data}/schemas/${NAME}/plugin.json`,
        `${MODULE}/__init__.py`,
        `${MODULE}/locale/zh_CN/LC_MESSAGES/${MODULE}.json`,
      ]),
    );
    const entryPoints = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())',
        wheel,
        `${MODULE}-${version}.dist-info/entry_points.txt`,
      ],
      { encoding: 'utf8' },
    ).stdout;
    expect(entryPoints).toContain(`[jupyterlab.locale]\n${MODULE} = ${MODULE}`);
  });

  it('`jupyter labextension list` in the host environment shows it enabled OK, installed by pip', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-labext-list-'));
    try {
      const result = spawnSync(path.join(HOST_VENV, 'bin', 'jupyter'), ['labextension', 'list'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, JUPYTER_DATA_DIR: dataDir, PYTHONNOUSERSITE: '1' },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const { version } = await packageJson(extensionDir);
      const lines = result.stdout.split('\n');
      const folder = lines.indexOf(path.join(HOST_VENV, 'share', 'jupyter', 'labextensions'));
      expect(folder).toBeGreaterThan(0);
      expect(lines[folder + 1]?.trim()).toBe(`${NAME} v${version} enabled OK (python, ${DIST})`);
      const pip = spawnSync(path.join(HOST_VENV, 'bin', 'python'), ['-m', 'pip', 'show', '--files', DIST], {
        encoding: 'utf8',
      });
      expect(pip.stdout).toContain(`Version: ${version}`);
      expect(pip.stdout).toContain(`share/jupyter/labextensions/${NAME}/install.json`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  describe('in the e2e JupyterLab', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab({ locale: 'zh_CN' });
    }, 120_000);
    beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(lab, task.name)));
    afterAll(async () => {
      await lab?.close();
    });

    it('loads it from the installed location and shows its panel', async () => {
      const federated = await lab.page.evaluate(() => {
        const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as {
          federated_extensions: { name: string; load: string }[];
          disabledExtensions?: unknown;
        };
        return config.federated_extensions;
      });
      const ours = federated.find((e) => e.name === NAME);
      const installed = await packageJson(INSTALLED_EXTENSION_DIR);
      expect(ours?.load).toBe(installed.jupyterlab._build.load);
      // What the server sends for the entry point is the file pip installed.
      const served = await fetch(`${lab.labUrl}/lab/extensions/${NAME}/${ours!.load}?token=${lab.jupyterToken}`);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe(
        await readFile(path.join(INSTALLED_EXTENSION_DIR, installed.jupyterlab._build.load), 'utf8'),
      );
      await openPanel(lab.page);
    });

    it('serves its zh-CN catalog from the installed Python module', async () => {
      const response = await fetch(`${lab.labUrl}/lab/api/translations/zh_CN?token=${lab.jupyterToken}`);
      const body = (await response.json()) as { data: Record<string, Record<string, unknown>> };
      const site = spawnSync(
        path.join(HOST_VENV, 'bin', 'python'),
        ['-c', `import ${MODULE}, os; print(os.path.dirname(${MODULE}.__file__))`],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONNOUSERSITE: '1' } },
      ).stdout.trim();
      expect(site.startsWith(HOST_VENV)).toBe(true);
      const catalog = JSON.parse(
        await readFile(path.join(site, 'locale', 'zh_CN', 'LC_MESSAGES', `${MODULE}.json`), 'utf8'),
      ) as Record<string, unknown>;
      expect(body.data[MODULE]).toEqual(catalog);
    });
  });
});
